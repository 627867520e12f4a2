// Package resource is the storage node that locks protect: a set of
// versioned integer cells that lock clients read, modify and write while
// they believe they hold the lock for the cell.
//
// The storage trusts its clients, as the seed article's pessimistic flow
// does: it applies every write. It records each write it handles
// (obs.StorageWrite) with the version the writer had read and the version
// the write found, so a lost update — another write between a client's read
// and its write, which only happens when two clients act as holders at
// once — is visible to the checkers.
//
// Every write carries the writer's fencing token. With Fenced set the node
// refuses a write whose token is lower than the highest it has accepted for
// that cell, as Kleppmann proposes, and fences reads the same way (see
// Storage.onRead); the *-fenced scenarios turn it on.
//
// It also holds what every lock client shares with the storage and with
// each other: request ids (Req) and the jittered back-off after a refusal.
package lockkit
