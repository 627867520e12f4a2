// Package faultline is Faultline's API: test a distributed commit or lock
// protocol of your own in a seeded, deterministic simulator under injected
// faults, judged by checkers.
//
// The whole cycle is a few calls:
//
//   - Register a protocol: RegisterLock for a lock service (a
//     lockkit.Protocol), RegisterCommit for an atomic-commit protocol (a
//     txn.Protocol), RegisterScenario for any other system. A registered
//     protocol can be named by a scenario file at once, with its
//     configuration struct's exported fields as the file's parameters.
//   - Load a scenario: Load takes a registered scenario's name (the 39
//     built-ins, and those registration adds) or the path of a YAML
//     scenario file; Parse reads one from memory; Encode writes one back.
//   - Run it for one seed (Run), over a range of seeds in parallel (Sweep),
//     shrink a failing seed's fault schedule to the faults that matter
//     (Shrink), or crash a node at every effect boundary of a fault-free run
//     (CrashPoints). Options and results are plain values.
//   - Save a run (SaveRun) and replay it bit for bit (Replay), even after
//     the scenario's file or a protocol's default has changed.
//
// The same seed always gives the same run, event for event; the trace hash
// of an Outcome proves it. Verdicts: OK, Blocked, Violation (a safety
// property broke: the exit status 1 of the command line), Unknown (a
// checker could not decide — never counted as OK).
//
// Writing a protocol uses a few more packages: sim (nodes, messages,
// timers, durable storage), obs (the facts a protocol records and checkers
// read), protocol/lockkit or protocol/txn (the kits that do a lock client's
// or a commit protocol's common work), protocol/plant (planted bugs). Two
// more make a user's own tools: faultlinetest runs scenarios from go test,
// and cli gives a binary of one's own every simrun command. The example
// module in examples/gracelock and docs/your-protocol.md walk through all of
// it.
package faultline
