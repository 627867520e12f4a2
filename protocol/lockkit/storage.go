package lockkit

import (
	"fmt"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
)

// Read asks for a cell's value and version. Token is the reader's fencing
// token: a fenced storage checks and raises its fence on reads too.
type Read struct {
	Key   string
	Req   Req
	Token int64
}

// ReadReply answers a Read; OK false means a fenced storage refused it.
type ReadReply struct {
	Key     string
	Req     Req
	OK      bool
	Value   int64
	Version int64
}

// Write sets a cell. ReadVersion is the version the writer based Value on;
// Token is the writer's fencing token.
type Write struct {
	Key         string
	Req         Req
	Token       int64
	ReadVersion int64
	Value       int64
}

// WriteReply answers a Write; OK false means a fenced storage refused it.
type WriteReply struct {
	Key     string
	Req     Req
	OK      bool
	Version int64
}

func (m Read) String() string { return fmt.Sprintf("read %s req=%s token=%d", m.Key, m.Req, m.Token) }
func (m ReadReply) String() string {
	return fmt.Sprintf("read-reply %s req=%s ok=%t value=%d version=%d", m.Key, m.Req, m.OK, m.Value, m.Version)
}
func (m Write) String() string {
	return fmt.Sprintf("write %s req=%s token=%d read-version=%d value=%d", m.Key, m.Req, m.Token, m.ReadVersion, m.Value)
}
func (m WriteReply) String() string {
	return fmt.Sprintf("write-reply %s req=%s ok=%t version=%d", m.Key, m.Req, m.OK, m.Version)
}

// Cell is a cell's durable state. Value equals Version as long as no
// update was lost: every write in the workloads adds one to what it read.
type Cell struct {
	Value    int64
	Version  int64
	MaxToken int64 // highest token of an accepted write
}

// Durable key prefixes and the node's name.
const (
	CellKey  = "cell/"
	NodeName = "storage"
)

// writes answers a resent write without applying it twice.
var writes = Replies[WriteReply]{Prefix: "last-write/"}

// Storage is the protected resource's node.
type Storage struct {
	// Fenced refuses writes whose token is lower than the cell's highest.
	Fenced bool
}

// Start has nothing to recover: every cell and answer is durable.
func (s *Storage) Start(env *sim.Env) {}

// Timer is unused: storage only answers.
func (s *Storage) Timer(env *sim.Env, tag any) {}

// Receive answers reads and applies writes.
func (s *Storage) Receive(env *sim.Env, from sim.NodeID, m sim.Message) {
	switch m := m.(type) {
	case Read:
		s.onRead(env, from, m)
	case Write:
		s.onWrite(env, from, m)
	}
}

func (s *Storage) cell(env *sim.Env, key string) Cell {
	c, _ := sim.Load[Cell](env, CellKey+key)
	return c
}

// onRead answers a read. Fenced, it refuses a token below the cell's fence
// and raises the fence to the reader's token: a read-modify-write is fenced
// from its read, so a stale holder that read before a newer holder cannot
// write back over it.
func (s *Storage) onRead(env *sim.Env, from sim.NodeID, m Read) {
	c := s.cell(env, m.Key)
	f := obs.StorageRead{Key: m.Key, Client: env.NameOf(from), Token: m.Token, Version: c.Version}
	reply := ReadReply{Key: m.Key, Req: m.Req, OK: true, Value: c.Value, Version: c.Version}
	if s.Fenced {
		switch {
		case m.Token < c.MaxToken:
			f.Rejected, reply.OK = true, false
		case m.Token > c.MaxToken:
			c.MaxToken = m.Token
			env.Put(CellKey+m.Key, c)
			env.Sync()
		}
	}
	env.Observe(f)
	env.Send(from, reply)
}

func (s *Storage) onWrite(env *sim.Env, from sim.NodeID, m Write) {
	if writes.Answered(env, from, m.Req) {
		return
	}
	client := env.NameOf(from)
	c := s.cell(env, m.Key)
	f := obs.StorageWrite{Key: m.Key, Client: client, Token: m.Token, ReadVersion: m.ReadVersion, PrevVersion: c.Version}
	reply := WriteReply{Key: m.Key, Req: m.Req}
	// The write and its logged answer are one atomic write: a crash
	// between them would apply a resent write twice (found by crash points
	// at effect boundaries).
	var w sim.Batch
	if s.Fenced && m.Token < c.MaxToken {
		f.Rejected = true
		reply.Version = c.Version
	} else {
		c.Value = m.Value
		c.Version++
		c.MaxToken = max(c.MaxToken, m.Token)
		f.Version, f.Value = c.Version, c.Value
		reply.OK, reply.Version = true, c.Version
		w.Put(CellKey+m.Key, c)
	}
	writes.Add(&w, client, m.Req, reply)
	env.Write(&w)
	env.Sync()
	env.Observe(f)
	env.Send(from, reply)
}
