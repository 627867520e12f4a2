// Package storage is the protected resource of a live run: an in-memory
// store of counters that the lock clients read, increment and write back
// while they believe they hold the lock that guards the counter (a cell is
// named after its lock).
//
// It logs every read and write, with the writer's fencing token and the
// version it had read, as obs.StorageRead and obs.StorageWrite facts — the
// facts the simulated storage records — so checker.LostUpdates and
// checker.StorageSafety judge it. Told to fence, it refuses a read or a
// write whose token is lower than the highest it has accepted for the
// cell (reads raise the fence too: a stale holder must not read, lose its
// lease, and write back with a token the fence still admits).
//
// It is in-process and in memory: the faults of a live run are on the lock
// servers and the clients, and a storage that could fail as well would
// blur what the checkers see.
package storage
