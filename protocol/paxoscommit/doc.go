// Package paxoscommit is Gray and Lamport's Paxos Commit ("Consensus on
// Transaction Commit", 2006): atomic commit that neither blocks on a
// coordinator failure nor breaks under a partition.
//
// Each participant's vote (prepared or aborted) is decided by its own Paxos
// instance, run by 2F+1 acceptors ("acceptor-1" … "acceptor-(2F+1)"); any
// F+1 of them form a quorum. The transaction commits iff every instance
// chose prepared. Fault-free, the coordinator sends Prepare, each
// participant sends its vote as a phase-2a message with ballot 0 straight
// to the acceptors, the acceptors send phase-2b messages to the
// coordinator, which learns every instance's value from F+1 of them and
// tells the participants and the client.
//
// When the coordinator is silent (a participant in doubt for
// DecisionTimeout) or votes are missing (the coordinator's VoteTimeout),
// that node becomes leader with a higher ballot, unique to it: it runs
// phase 1 for every instance of the transaction, proposes for each the
// value accepted with the highest ballot among F+1 phase-1b replies, or
// "aborted" if none was accepted, and learns the outcome from F+1 phase-2b
// replies. Any number of concurrent leaders is safe; progress needs F+1
// acceptors and one leader left alone long enough, which randomized
// back-off gives. Acceptors keep their promised and accepted ballots and
// values durably: an acceptor that forgot its promise on restart could
// accept a lower ballot and let two values be chosen (planted bug
// acceptor-forgets-promise).
//
// Fault-free, a committed transaction over N participants with F costs
//
//	4N(F+1) + 2 messages: submit, N prepare, N(2F+1) phase-2a,
//	N(2F+1) phase-2b, N decision, and the result to the client.
//
// With F = 0 that is 2PC's 4N+2 (2PC spends on acknowledgements what Paxos
// Commit spends on the acceptors' relay).
//
// Configuration, bank, recovery shape, Prepare and Decision are the commit
// kit's (package txn); planted bugs are the catalog Bugs (package plant).
package paxoscommit
