package redislock

import (
	"fmt"
	"time"

	"github.com/faultline-sim/faultline/obs"
)

// Op is a Redis command, or one of the seed's Lua scripts, which Redis
// runs atomically.
type Op uint8

const (
	OpSetNX       Op = iota // SET key value NX PX ttl
	OpSet                   // SET key value PX ttl (overwrites)
	OpGet                   // GET key
	OpDel                   // DEL key (the plain release)
	OpPExpire               // PEXPIRE key ttl
	OpCheckDel              // if GET key == value then DEL key (the safe release)
	OpCheckExtend           // if GET key == value then PEXPIRE key ttl (extend)
)

var opNames = [...]string{"set-nx", "set", "get", "del", "pexpire", "check-del", "check-extend"}

func (o Op) String() string { return opNames[o] }

// Command is one request to a Redis server. ID is unique per client.
type Command struct {
	Op    Op
	Key   string
	Value string
	TTL   time.Duration
	ID    string
}

// Reply answers a Command. OK: a SET took effect, or DEL, PEXPIRE or a
// script touched one key. Value: what GET read. NotMaster: a replica
// refused the command, which had no effect; the client should try the
// other server.
type Reply struct {
	ID        string
	OK        bool
	Value     string
	NotMaster bool
}

// Replicate is the master's asynchronous replication stream, one message
// per tick: the whole lock dataset with each key's remaining TTL. The
// dataset is a handful of keys, and a full copy per tick keeps the replica
// right under message loss and reordering; what the scenarios study is
// only the lag, which this keeps. It doubles as the master's heartbeat.
type Replicate struct {
	Epoch int
	Seq   int
	Keys  []Entry
}

// Entry is one key as replicated: TTL is what remained on the master's
// clock when the snapshot was taken (0 = no expiry).
type Entry struct {
	Key   string
	Value string
	Owner string
	TTL   time.Duration
}

func (m Command) String() string { return obs.RedisCommand(m.Op.String(), m.Key, m.Value, m.TTL, m.ID) }

func (m Reply) String() string {
	switch {
	case m.NotMaster:
		return "reply id=" + m.ID + " not-master"
	case m.Value != "":
		return fmt.Sprintf("reply id=%s value=%s", m.ID, m.Value)
	}
	return fmt.Sprintf("reply id=%s ok=%t", m.ID, m.OK)
}

func (m Replicate) String() string {
	return fmt.Sprintf("replicate epoch=%d seq=%d keys=%d", m.Epoch, m.Seq, len(m.Keys))
}
