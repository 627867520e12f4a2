// Package conformance checks Faultline's simulated Redis and ZooKeeper
// against the real servers: differential tests (rapid) generate random
// command sequences, run each against a real server started by package
// realserver, then replay it on the simulated server (protocol/redislock's
// Server, protocol/zklock's Server) inside a sim.World, each request at the
// simulated time matching the real time it was served, and require the
// same replies. The package holds only tests; see its test files for what
// is compared and with which tolerance.
package conformance
