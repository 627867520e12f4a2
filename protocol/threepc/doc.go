// Package threepc is Three-Phase Commit (Skeen) as the seed article
// describes it, with the termination protocol that lets participants
// decide without the coordinator.
//
// Phase 1 is 2PC's: prepare, vote. Phase 2: once every vote is yes the
// coordinator logs that it is pre-committing, sends PreCommit and collects
// acknowledgements; a participant that pre-commits writes it durably. Phase
// 3: with every acknowledgement in, the coordinator logs commit and sends it.
//
// A participant that hears nothing for UncertainTimeout suspects the
// coordinator and runs the termination protocol: it asks every peer for its
// state, and the lowest-id participant among those that answered (and have
// not restarted since voting) becomes the new coordinator and decides: any
// aborted → abort; any committed → commit; some pre-committed and none
// committed → pre-commit the uncertain ones, then commit; all uncertain →
// abort. A participant that has not voted and is asked aborts unilaterally.
//
// The protocol is correct only for what it assumes: fail-stop crashes and
// timeouts longer than any message delay, so that a silent node really is
// down. A participant restarted after voting therefore never leads a
// termination (it cannot tell what it missed); it only asks, and stays
// blocked if every peer it reaches is in the same state. Under a partition
// the assumption breaks: each side elects its own leader, and a side that
// holds a pre-committed participant commits while a side of uncertain ones
// aborts — the split the seed article warns of, and scenario 3pc-partition
// shows.
//
// Fault-free, a committed transaction over N participants costs
//
//	6N + 2 messages: submit, N prepare, N vote, N pre-commit, N pre-commit
//	ack, N commit, N ack, and the result to the client.
//
// Configuration, bank, recovery shape and the messages 3PC shares with 2PC
// are the commit kit's (package txn). Planted bugs (the catalog Bugs,
// package plant) are wrong termination rules, off by default.
package threepc
