// Package faket is a stand-in for a test's *testing.T that records what
// the code under test tells it (errors, logs, failure) instead of failing
// the test. A test uses it to demand that a check fails — rapid finding a
// planted bug, faultlinetest reporting a violation — and to assert on
// what the check said.
package faket
