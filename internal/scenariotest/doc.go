// Package scenariotest holds the two steps nearly every test outside
// package scenarios opens with: fetch a registered scenario, and run one
// seed of it, failing the test if either goes wrong. It exists so that
// those tests state what they check rather than repeating the setup.
package scenariotest
