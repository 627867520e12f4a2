// Package txn holds what every atomic-commit protocol in Faultline shares:
// the transaction a client submits (one operation per participant), the
// client node, the bank participant's local state (balances and account
// locks in the durable store), the Topology a protocol is built on, and the
// Protocol interface through which scenarios build any commit protocol —
// 2PC, 3PC, Paxos Commit, or one a user writes — on the same roles.
package txn
