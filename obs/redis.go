package obs

import (
	"fmt"
	"strconv"
	"time"
)

// The facts of a Redis history. A client records RedisCall when it sends
// a command and RedisReply when the answer comes back (never, if the
// client crashed or the reply was lost: the command stays pending); a
// server records RedisExpired when it drops a key whose TTL ran out on its
// own clock. Together they are a history of the Redis service that
// porcupine can check, expiry included as a server-side operation.
//
// Service names the logical Redis the command was meant for ("redis" for a
// master with its replica, "redis-3" for one Redlock instance); Server is
// the node it was sent to. Commands on different services or keys are
// independent.

// RedisCall: the client sent command Op ("set-nx", "set", "get", "del",
// "pexpire", "check-del", "check-extend") on Key. Value is the value set
// or compared, TTL the expiry asked for.
type RedisCall struct {
	Service string
	Server  string
	Key     string `fact:",alias=lock"`
	Op      string `fact:",values=set-nx|set|get|del|pexpire|check-del|check-extend"`
	Value   string
	TTL     time.Duration
	ID      string
}

func (RedisCall) Kind() string { return "redis-call" }

// RedisReply: the answer to the client's call ID. OK is "OK" for a SET, a
// count of 1 for DEL, PEXPIRE and the scripts; Value is what a GET
// returned ("" for nil). Err "not-master" means a replica refused the
// command, which therefore had no effect.
type RedisReply struct {
	Service string
	Key     string `fact:",alias=lock"`
	ID      string
	OK      bool
	Value   string
	Err     string `fact:",values=not-master"`
}

func (RedisReply) Kind() string { return "redis-reply" }

// RedisServed: the server executed Client's command ID on Key and
// answered OK/Value; recorded before the command's effects are applied.
// It tells the checker what became of a command whose reply the client
// never saw: a call with neither a reply nor a RedisServed never reached a
// server and had no effect; one with only a RedisServed took effect with
// that result.
type RedisServed struct {
	Service string
	Key     string `fact:",alias=lock"`
	Client  string
	ID      string
	OK      bool
	Value   string
}

func (RedisServed) Kind() string { return "redis-served" }

// RedisExpired: the server dropped Key, holding Value set by Client,
// because its TTL ran out by the server's clock (or, on a restart with
// append-only persistence, had run out while it was down).
type RedisExpired struct {
	Service string
	Key     string `fact:",alias=lock"`
	Value   string
	Client  string
}

func (RedisExpired) Kind() string { return "redis-expired" }

// RedisRole: a Redis server became Role ("master", "replica") in
// replication epoch Epoch: a replica promoted by failover, or a restarted
// or outvoted master demoted.
type RedisRole struct {
	Service string
	Role    string `fact:",values=master|replica"`
	Epoch   int
}

func (RedisRole) Kind() string { return "redis-role" }

func (f RedisCall) String() string {
	return fmt.Sprintf("redis-call %s@%s ", f.Service, f.Server) + RedisCommand(f.Op, f.Key, f.Value, f.TTL, f.ID)
}

// RedisCommand is how the trace writes a Redis command: op and key, the
// value and expiry if any, and the client's id for it. The client's
// message (redislock.Command) and its RedisCall fact say it alike.
func RedisCommand(op, key, value string, ttl time.Duration, id string) string {
	s := op + " " + key
	if value != "" {
		s += " " + value
	}
	if ttl > 0 {
		s += fmt.Sprintf(" px=%v", ttl)
	}
	return s + " id=" + id
}

func (f RedisReply) String() string {
	s := fmt.Sprintf("redis-reply %s %s id=%s", f.Service, f.Key, f.ID)
	switch {
	case f.Err != "":
		return s + " err=" + f.Err
	case f.Value != "":
		return s + " value=" + f.Value
	}
	return s + " ok=" + strconv.FormatBool(f.OK)
}

func (f RedisServed) String() string {
	s := fmt.Sprintf("redis-served %s %s from=%s id=%s", f.Service, f.Key, f.Client, f.ID)
	if f.Value != "" {
		return s + " value=" + f.Value
	}
	return s + " ok=" + strconv.FormatBool(f.OK)
}

func (f RedisExpired) String() string {
	return fmt.Sprintf("redis-expired %s %s value=%s holder=%s", f.Service, f.Key, f.Value, f.Client)
}

func (f RedisRole) String() string {
	return fmt.Sprintf("redis-role %s %s epoch=%d", f.Service, f.Role, f.Epoch)
}

func init() {
	Register[RedisCall]("a client sent a Redis command")
	Register[RedisReply]("the answer to a client's Redis command (err not-master: a replica refused it, without effect)")
	Register[RedisServed]("a Redis server executed a client's command")
	Register[RedisExpired]("a Redis server dropped a key whose TTL ran out by its own clock")
	Register[RedisRole]("a Redis server became master or replica in a replication epoch")
}
