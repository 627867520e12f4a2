// Package simrunbin builds the simrun binary for tests that run it as a
// user would (Ctrl-C, progress on a pipe, reports opened in a browser):
// once per test binary, the first time a test asks, in a temporary
// directory that Main removes after the tests, so no build is left behind.
package simrunbin
