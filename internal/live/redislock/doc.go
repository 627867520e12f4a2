// Package redislock is the seed article's Redis lock and Redlock, as real
// clients of real redis-servers (go-redis v9), recording every command
// they send and every reply they get as obs.RedisCall and obs.RedisReply
// facts for the live runner to judge.
//
// The Redis lock: SET key value NX PX ttl with a value unique to this
// acquire; release by a Lua check-and-delete (delete only if the key still
// holds my value); extend by a Lua check-and-extend (PEXPIRE only if it
// does). Redlock: the same SET NX PX on each of N servers in turn, held
// when a majority (N/2+1) said OK and the validity TTL − elapsed − drift
// is still positive (drift = 1% of the TTL + 2 ms, as the Redlock
// description has it; the seed article leaves the drift out); otherwise
// released everywhere.
//
// Commands run with MaxRetries -1: go-redis would otherwise resend a SET
// NX after a read timeout and report "not acquired" for a lock the first
// send took. A timeout or a broken connection therefore means the outcome
// is unknown, and the client records no reply: the command stays pending
// in the history, as it is in truth.
//
// Fencing tokens: Redis has none. For a fenced scenario, Options.Fenced
// acquires with a Lua script that does the same SET NX PX and, when it
// succeeds, INCRs a counter key on the same server in the same atomic
// step; the counter's new value is the token. It only grows while that
// server keeps its data (append-only persistence or no restart), so it is
// a token of the lock server, as ZooKeeper's czxid is, not of the client.
// Without Fenced the token is 0: the storage cannot be fenced.
package redislock
