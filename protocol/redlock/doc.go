// Package redlock is Redlock, the seed article's "advanced" Redis lock: N
// independent Redis masters (package redislock's server, no replicas) and
// a client that locks a majority of them.
//
// The client (Client, a lockkit.Service driven by lockkit.Client) follows
// the algorithm of the Redis documentation: read the local clock; SET key
// value NX PX ttl on each instance in turn, waiting at most a short
// per-instance timeout; the lock is acquired if a majority
// (N/2+1) said yes and the validity — TTL minus the time spent acquiring
// minus a drift allowance (1% of TTL + 2ms) — is still positive; the
// client then trusts it for that validity, on its own clock. Otherwise it
// unlocks every instance (check-and-delete) and retries after a random
// delay. Release is check-and-delete on every instance.
//
// Redlock has no fencing token: every instance holds only the client's
// random value, and no number grows with each new holder. The storage the
// lock protects therefore takes writes with token 0 and cannot refuse a
// client whose lock has gone — a paused client (Kleppmann's K2), one whose
// majority lost a key to a clock jump (K1) or to a restart without
// persistence. The scenarios redlock-* show each.
//
// Data flow: client -> redislock.Command -> instance -> redislock.Reply;
// client -> Read/Write -> storage. Facts: the clients' lock facts, the
// per-instance Redis history (obs.RedisCall/RedisReply/RedisExpired) and
// each instance's obs.Holder facts, of which a majority names the holder.
package redlock
