// Package live runs the seed article's lock recipes against real servers
// under real faults and judges the outcome with the checkers that judge
// simulated runs (simrun live).
//
// A live scenario names a recipe (the Redis lock on one redis-server or on
// a master with a replica, Redlock on five, the ZooKeeper recipe on a
// standalone ZooKeeper), a seed-drawn Plan (clients, their jobs, faults at
// times) and an expected verdict. Run starts the servers with package
// realserver on loopback ports, puts a fault proxy (live/proxy) in front
// of each, runs the clients as goroutines — each repeatedly taking the
// lock, reading a counter from the protected storage (live/storage),
// working, writing it back incremented, and releasing — while the plan's
// faults happen for real: kill -9 and restart, SIGSTOP and SIGCONT of
// servers, client pauses inside the critical section, proxy delay, drop,
// partition, and a replica's promotion. Then it stops every server, with
// or without an error.
//
// The record (live/record) holds the same obs facts a simulated run
// records, at real-time offsets: critical-section beliefs (EnterCS,
// LeaveCS), storage reads and writes, lock operations (LockRequest ...
// LockReleased) and the servers' side (Holder, LeaseExpired) — for Redis
// derived from the acknowledged commands and the TTL rule (see
// redisDerivation), for ZooKeeper watched by a monitor session. Judge then
// calls checker.LockLinearizable, checker.MutualExclusion,
// checker.LostUpdates and checker.StorageSafety on a checker.History:
// the code that judges simulated runs, not a copy.
//
// Clock jumps are not done: libfaketime makes Debian's redis-server fail
// at start-up. A pause past the TTL stands in for one, and the report says
// so. A live run is not deterministic — the plan is, and can be saved and
// run again, but the servers, the network and the scheduler are real — so
// only the verdict is expected to repeat. Every run is bounded by
// MaxRunTime.
package live
