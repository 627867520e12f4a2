// Package simrunbin builds the simrun binary for tests outside package
// main that run it as a user would (reports opened in a browser): once per
// test binary, the first time a test asks, in a temporary directory that
// Main removes after the tests, so no build is left behind. (The tests of
// package main run their own test binary as simrun instead.)
package simrunbin
