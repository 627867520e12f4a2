// Package txn is the commit kit: what every atomic-commit protocol in
// Faultline shares, so that a protocol package holds only its own story —
// its roles, their named states and the transitions between them, and the
// messages only it sends.
//
// The kit gives:
//
//   - the transaction a client submits (one Op per participant), the client
//     node (Client, AddClients) and the Topology a protocol is put on;
//   - Protocol, the interface through which scenarios and `simrun compare`
//     build any commit protocol — 2PC, 3PC, Paxos Commit, or one a user
//     writes — on the same roles;
//   - Common, the configuration every protocol has (vote timeout, chance of
//     a unilateral abort, planted bugs as a plant.Set), and ValidateConfig,
//     the one validation of a protocol's configuration: every duration
//     positive, probabilities in [0, 1], errors naming the field;
//   - the messages every protocol sends in the same form (Prepare, Vote,
//     Decision, Ack) and the coordinator's timers (VoteTimeout,
//     ResendTimer); a protocol names them again with type aliases;
//   - the coordinator's side: AddRoles (coordinator first, then the
//     participants in name order — node ids, and so traces, depend on it),
//     Begin (phase 1's Begin fact and prepares), TellClient, and Log, the
//     durable decision log with its Unfinished records for recovery;
//   - the participant's side: Bank, the bank workload at one participant —
//     balances in the durable store, account locks and the transactions in
//     doubt in volatile memory — with Prepare (phase 1: vote, lock, force
//     the prepared record), Recover (the restart every participant does:
//     re-lock and list what is still in doubt), Finish (apply or roll back,
//     log the outcome, release, record the decision last) and Outcome; and
//     SendEach and Announce for termination and recovery leaders.
//
// A new commit protocol is one package: a Config embedding Common, its
// nodes, and AddNodes through AddRoles; one scenarios.RegisterCommit line
// puts it in the comparison grid.
package txn
