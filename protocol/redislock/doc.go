// Package redislock is the seed article's single-instance Redis lock: a
// simulated Redis server and the RedisDistributedLock client.
//
// The server (Server) keeps keys with values and expiry times and runs
// SET key value [NX] PX ttl, GET, DEL, PEXPIRE and the seed's two Lua
// scripts — check-and-delete and check-and-extend — each atomically. Keys
// expire by the server's own local clock, lazily on access and actively by
// timer, so a clock that jumps forward or runs fast on the server ends a
// lock early. Persistence is none (a restart comes back empty) or an
// append-only file fsynced on every write (a restart reloads the keys,
// dropping those whose time ran out). A server may have an asynchronous
// replica: the master acknowledges a write before streaming it, and a
// replica that hears nothing from a master for a while promotes itself
// (Sentinel's failover, folded in), so a write acknowledged but not yet
// streamed is lost in a failover.
//
// The client (Client, a lockkit.Service driven by lockkit.Client) takes
// the lock with a value unique to the
// acquisition, retries a refused SET after a random delay, extends the
// lock with check-and-extend and releases it with check-and-delete, so it
// never deletes a lock that another acquisition holds — unless the
// planted bug plain-del makes it use DEL. It trusts the lock until the
// local time it sent the winning SET plus the TTL minus a drift allowance.
// While it believes it holds the lock it does an unfenced read-modify-write
// of a cell of the storage node (lockkit.Storage): Redis issues no
// fencing token, so the storage cannot refuse a holder whose lock is gone.
//
// Package conformance checks this server against redis-server 7.0 (random
// sequences of the commands above, TTLs running out, kill -9 and restart
// with and without append-only persistence, a failover after the
// replication link was cut); it found no disagreement. Deliberate
// simplifications, which those tests step around:
//   - A key expires when the clock reaches its deadline; Redis keeps
//     deadlines in whole milliseconds and expires a key once the clock is
//     past it. The tests skip replies within 3ms of a deadline.
//   - OpCheckExtend takes a duration: it stands for the seed's script with
//     EXPIRE (seconds) and for its PEXPIRE twin alike (scripts.go).
//   - Replication streams snapshots with remaining TTLs each tick, where
//     Redis streams commands with absolute deadlines; a replica answers
//     clients NotMaster where Redis serves reads; a replica promotes
//     itself after FailoverAfter (Sentinel folded in) where the tests send
//     REPLICAOF NO ONE. What a promoted replica holds is the same.
//
// Data flow: client -> Command -> server -> Reply; master -> Replicate ->
// replica; client -> Read/Write -> storage. Facts recorded on the way: the
// clients' lock facts (obs.LockRequest ... obs.LeaveCS), the Redis history
// (obs.RedisCall and RedisReply from clients, RedisExpired from servers),
// and obs.Holder whenever a server's authoritative state of a lock key
// changes (set, deleted, expired, reloaded or dropped on restart, taken
// over by a promoted replica). Package redlock reuses the server.
package redislock
