// Package twopc is Two-Phase Commit as the seed article describes it, with
// presumed abort.
//
// Phase 1: the coordinator sends each participant its part of the
// transaction; a participant checks it (funds, locks, its own wish to
// abort), writes a prepared record durably, keeps the accounts locked and
// votes yes — or votes no and forgets it. Phase 2: the coordinator logs its
// decision durably before telling anyone, sends it to every participant and
// resends until each acknowledges. A participant that voted yes is
// uncertain: it may not decide alone, so it asks the coordinator again and
// again and holds its locks meanwhile — the blocking the article warns of.
//
// Fault-free, a committed transaction over N participants costs 4N+2
// messages: N prepares, N votes, N decisions, N acknowledgements, and the
// client's submit and result (tested in scenarios/formula_test.go).
//
// What every commit protocol shares — configuration, bank, recovery shape,
// phase-1 and decision messages — is the commit kit's (package txn); this
// package is the coordinator (states collecting and decided) and the
// participant (in doubt until it finishes). Planted bugs (the catalog Bugs,
// package plant) exist to prove the checkers catch them; they are off
// unless a test or `simrun --bug` turns them on.
package twopc
