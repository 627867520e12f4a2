// Package realservertest holds the test helpers of package realserver:
// start a server that the test's cleanup closes, and skip (outside CI) or
// fail (in CI) when its binary is missing. They live apart from realserver
// so that the simrun binary, which uses realserver for live runs, does not
// link package testing.
package realservertest
