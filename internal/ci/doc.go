// Package ci answers one question the same way everywhere: is this a CI
// run? In CI a test that needs a real server, a browser or node must fail
// when it is missing; outside CI it may skip with a clear message.
package ci
