package optimistic

import (
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/lockkit"
	"github.com/faultline-sim/faultline/sim"
)

// Durable keys of the store.
const (
	valueKey = "kv/" // Entry of a key
	initKey  = "initialized"
)

// Entry is a key's durable value and version.
type Entry struct {
	Value   int64
	Version int64
}

// cases answers a resent compare-and-set without applying it twice: a
// second application would be judged against a newer version and wrongly
// refused — or, worse, the client would retry an order that had in fact
// gone through.
var cases = lockkit.Replies[CASReply]{Prefix: "last-cas/"}

// Store is the versioned key-value store.
type Store struct {
	cfg     Config
	initial []cell
}

// Start writes the initial values on the very first start. After a
// restart it re-applies any compare-and-set whose answer was logged but
// whose write a crash cut off (see onCAS).
func (s *Store) Start(env *sim.Env) {
	if _, ok := sim.Load[bool](env, initKey); ok {
		for _, a := range cases.All(env) {
			if r := a.Reply; r.OK && s.entry(env, r.Key).Version < r.Version {
				env.Put(valueKey+r.Key, Entry{Value: r.Value, Version: r.Version})
				env.Sync()
				// Recorded like any write: unrecorded, the checkers would
				// judge the stock by the write before it (found by crash
				// points at effect boundaries).
				env.Observe(obs.KVApplied{Key: r.Key, Client: a.Client, Version: r.Version, Value: r.Value})
			}
		}
		return
	}
	for _, c := range s.initial {
		env.Put(valueKey+c.key, Entry{Value: c.value})
	}
	// Synced before the marker that says they are there, and the marker
	// too: a torn crash kept the marker without the stock (found with
	// --unsynced torn).
	env.Sync()
	env.Put(initKey, true)
	env.Sync()
}

// Timer is unused: the store only answers.
func (s *Store) Timer(env *sim.Env, tag any) {}

func (s *Store) entry(env *sim.Env, key string) Entry {
	e, _ := sim.Load[Entry](env, valueKey+key)
	return e
}

// Receive answers reads and compare-and-sets.
func (s *Store) Receive(env *sim.Env, from sim.NodeID, m sim.Message) {
	switch m := m.(type) {
	case Read:
		e := s.entry(env, m.Key)
		env.Send(from, ReadReply{Key: m.Key, Req: m.Req, Value: e.Value, Version: e.Version})
	case CAS:
		s.onCAS(env, from, m)
	}
}

func (s *Store) onCAS(env *sim.Env, from sim.NodeID, m CAS) {
	if cases.Answered(env, from, m.Req) {
		return
	}
	client := env.NameOf(from)
	e := s.entry(env, m.Key)
	reply := CASReply{Key: m.Key, Req: m.Req, Value: e.Value, Version: e.Version}
	if e.Version == m.Expect || s.cfg.Bugs.On(BugIgnoreVersion) {
		e = Entry{Value: m.Value, Version: e.Version + 1}
		reply = CASReply{Key: m.Key, Req: m.Req, OK: true, Value: e.Value, Version: e.Version}
		// The answer is logged before the write, and Start re-applies a
		// logged answer whose write is missing: a crash between the two
		// must not leave a resend told "version mismatch" about its own
		// write (found by simrun crashpoints).
		cases.Record(env, client, m.Req, reply) // synced: the record before the write it answers for
		env.Put(valueKey+m.Key, e)
		env.Sync()
		env.Observe(obs.KVApplied{Key: m.Key, Client: client, Version: e.Version, Value: e.Value})
	} else {
		cases.Record(env, client, m.Req, reply)
	}
	env.Send(from, reply)
}
