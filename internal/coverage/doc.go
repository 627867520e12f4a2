// Package coverage counts what a range of seeds of a scenario exercised,
// per protocol: how often each fact kind was recorded, each value of each
// enumerated or boolean attribute of those kinds (the protocol's state
// transitions as its facts name them: a decision via the termination
// protocol, a critical section left because an extend failed, a vote no),
// and each message type sent — and lists what never occurred.
//
// "Never" needs a universe. For fact values it is the vocabulary: every
// declared value of an attribute of a kind the protocol records. For fact
// kinds and message types, which no declaration ties to a protocol, it is
// what the protocol records or sends in any of its registered scenarios
// over a few seeds (Universe), so a scenario's report lists what its
// siblings reach and it does not.
package coverage
