package optimistic

import (
	"strings"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/resource"
	"github.com/faultline-sim/faultline/sim"
)

// Durable keys of the store.
const (
	valueKey = "kv/"       // Entry of a key
	lastKey  = "last-cas/" // lastCAS of a client
	initKey  = "initialized"
)

// Entry is a key's durable value and version.
type Entry struct {
	Value   int64
	Version int64
}

// lastCAS is the answer to a client's latest compare-and-set. Clients have
// one request outstanding at a time, so this is enough to answer a resent
// one without applying it twice: a second application would be judged
// against a newer version and wrongly refused — or, worse, the client
// would retry an order that had in fact gone through.
type lastCAS struct {
	Req   resource.Req
	Reply CASReply
}

// Store is the versioned key-value store.
type Store struct {
	cfg     Config
	initial []cell
}

// Start writes the initial values on the very first start. After a
// restart it re-applies any compare-and-set whose answer was logged but
// whose write a crash cut off (see onCAS).
func (s *Store) Start(env *sim.Env) {
	if _, ok := env.Get(initKey); ok {
		for _, k := range env.Keys(lastKey) {
			v, _ := env.Get(k)
			if r := v.(lastCAS).Reply; r.OK && s.entry(env, r.Key).Version < r.Version {
				env.Put(valueKey+r.Key, Entry{Value: r.Value, Version: r.Version})
				// Recorded like any write: unrecorded, the checkers would
				// judge the stock by the write before it (found by crash
				// points at effect boundaries).
				env.Observe(obs.KVApplied{Key: r.Key, Client: strings.TrimPrefix(k, lastKey), Version: r.Version, Value: r.Value})
			}
		}
		return
	}
	for _, c := range s.initial {
		env.Put(valueKey+c.key, Entry{Value: c.value})
	}
	env.Put(initKey, true)
}

// Timer is unused: the store only answers.
func (s *Store) Timer(env *sim.Env, tag any) {}

func (s *Store) entry(env *sim.Env, key string) Entry {
	v, _ := env.Get(valueKey + key)
	e, _ := v.(Entry)
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
	client := env.NameOf(from)
	if v, ok := env.Get(lastKey + client); ok {
		last := v.(lastCAS)
		if last.Req == m.Req {
			env.Send(from, last.Reply)
			return
		}
		if m.Req.Less(last.Req) {
			// A delayed duplicate of an older request: answering it anew
			// would overwrite the record of the latest one.
			return
		}
	}
	e := s.entry(env, m.Key)
	reply := CASReply{Key: m.Key, Req: m.Req, Value: e.Value, Version: e.Version}
	if e.Version == m.Expect || s.cfg.Bugs.IgnoreVersion {
		e = Entry{Value: m.Value, Version: e.Version + 1}
		reply = CASReply{Key: m.Key, Req: m.Req, OK: true, Value: e.Value, Version: e.Version}
		// The answer is logged before the write, and Start re-applies a
		// logged answer whose write is missing: a crash between the two
		// must not leave a resend told "version mismatch" about its own
		// write (found by simrun crashpoints).
		env.Put(lastKey+client, lastCAS{Req: m.Req, Reply: reply})
		env.Put(valueKey+m.Key, e)
		env.Observe(obs.KVApplied{Key: m.Key, Client: client, Version: e.Version, Value: e.Value})
	} else {
		env.Put(lastKey+client, lastCAS{Req: m.Req, Reply: reply})
	}
	env.Send(from, reply)
}
