package sim

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
)

// Store is a node's durable storage: a key-value map that survives crashes.
//
// Values are copied on the way in and on the way out (see Env.Put and
// Load), so stored state never shares memory with a node's volatile state
// or with a message: a crash-surviving store that saw later in-memory
// changes would be a disk no machine has. Values are plain data — numbers,
// strings, bools, and structs, arrays, slices, maps and interfaces built
// of them. Pointers, funcs and channels are refused.
//
// A write is durable once it is synced (Env.Sync, as fsync). By default a
// crash loses nothing: every write is as good as synced, the disk of a
// machine that never loses power. The storage fault World.SetUnsynced
// makes writes wait for a sync: a crash then loses the writes made since
// the node's last sync, all of them or a seeded subset (a torn write), so
// a protocol that answers before it syncs can be caught.
type Store struct {
	m      map[string]any
	writes int
	// deferSync makes writes wait for a sync; false (every write synced at
	// once) until a storage fault turns it on.
	deferSync bool
	// unsynced lists the writes not yet synced, oldest first, each with
	// the value it replaced (so a crash can undo it) and the value it
	// wrote (so a torn crash can keep it).
	unsynced []undo
	group    int // numbers the writes made at once (one batch, one Atomic step)
	// inRun is set while a handler of the node runs; its writes are the
	// groups from runFirst on.
	inRun    bool
	runFirst int
}

type undo struct {
	key      string
	old, new any
	had, del bool
	group    int
}

func newStore() *Store { return &Store{m: make(map[string]any)} }

// NewStore makes a store holding a copy of m, for checking a final state
// that was not produced by a World (a saved run, a hand-made test case).
// It panics like Env.Put on a value that is not plain data.
func NewStore(m map[string]any) *Store {
	s := newStore()
	for k, v := range m {
		s.m[k] = copyIn(k, v)
	}
	return s
}

// LoadFrom reads the value under key as a T, for checkers reading a final
// state. ok is false if the key is absent. A value of another type is a
// bug in the program that stored or reads it, so it panics with a
// *TypeError naming the key and both types (a run reports it as a crash,
// with its seed).
func LoadFrom[T any](s *Store, key string) (v T, ok bool) {
	x, ok := s.m[key]
	if !ok {
		return v, false
	}
	v, isT := x.(T)
	if !isT {
		panic(&TypeError{Key: key, Stored: reflect.TypeOf(x), Want: reflect.TypeFor[T]()})
	}
	if c, copied := copyOut(x); copied {
		v = c.(T)
	}
	return v, true
}

// Load reads the node's durable value under key as a T; see LoadFrom.
func Load[T any](e *Env, key string) (v T, ok bool) { return LoadFrom[T](e.p.store, key) }

// TypeError is a durable value read as a type it does not have.
type TypeError struct {
	Key          string
	Stored, Want reflect.Type
}

func (e *TypeError) Error() string {
	return fmt.Sprintf("sim: durable key %q holds a %v, read as %v", e.Key, e.Stored, e.Want)
}

func (s *Store) put(key string, v any) { s.putCopied(key, copyIn(key, v)) }

func (s *Store) putCopied(key string, v any) {
	if s.deferSync {
		old, had := s.m[key]
		s.unsynced = append(s.unsynced, undo{key: key, old: old, new: v, had: had, group: s.group})
	}
	s.m[key] = v
	s.writes++
}

func (s *Store) del(key string) {
	old, had := s.m[key]
	if !had {
		return
	}
	if s.deferSync {
		s.unsynced = append(s.unsynced, undo{key: key, old: old, had: true, del: true, group: s.group})
	}
	delete(s.m, key)
	s.writes++
}

// beginRun and endRun bracket a handler run (see loseUnsynced).
func (s *Store) beginRun() { s.inRun, s.runFirst = true, s.group+1 }
func (s *Store) endRun()   { s.inRun = false }

// nextWrite starts a new group of writes that a torn crash keeps or loses
// together.
func (s *Store) nextWrite() { s.group++ }

// pending reports whether some write waits for a sync.
func (s *Store) pending() bool { return len(s.unsynced) > 0 }

// sync makes every write so far durable.
func (s *Store) sync() { s.unsynced = s.unsynced[:0] }

// loseUnsynced undoes the writes not yet synced, newest first, as a crash
// does to a disk's volatile cache. With tear set, each group of writes
// made at once by an earlier handler run survives on a coin from tear
// instead, and the survivors are applied again in their order: the disk
// wrote back some dirty pages and not others. The writes of a handler the
// crash interrupted are always lost: it had not reached its sync, and a
// write surviving without the records and sends that follow it would be
// an act no one could know of — not a disk's fault but a lost record.
// With every write synced it does nothing.
func (s *Store) loseUnsynced(tear *rand.Rand) {
	if len(s.unsynced) == 0 {
		return
	}
	for i := len(s.unsynced) - 1; i >= 0; i-- {
		u := s.unsynced[i]
		if u.had {
			s.m[u.key] = u.old
		} else {
			delete(s.m, u.key)
		}
	}
	if tear != nil {
		keep, group := false, -1
		for _, u := range s.unsynced {
			if u.group != group {
				group, keep = u.group, tear.IntN(2) == 0
				keep = keep && !(s.inRun && u.group >= s.runFirst)
			}
			switch {
			case !keep:
			case u.del:
				delete(s.m, u.key)
			default:
				s.m[u.key] = u.new
			}
		}
	}
	s.unsynced = s.unsynced[:0]
}

// Keys returns the keys with the given prefix in sorted order, so that
// recovery code iterating over them stays deterministic.
func (s *Store) Keys(prefix string) []string {
	var out []string
	for k := range s.m {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// Writes counts durable writes (puts and deletes) since the world began.
func (s *Store) Writes() int { return s.writes }

// Len is the number of keys stored.
func (s *Store) Len() int { return len(s.m) }

// Batch is durable writes made at once by Env.Write: a crash keeps all of
// them or none, as a storage engine's write batch or a single log record
// does. A commit that moves balances, logs its outcome and drops its
// prepared record is one batch, so that no crash leaves it half done.
type Batch struct{ ops []batchOp }

type batchOp struct {
	key string
	v   any // copied at Put
	del bool
}

// Put adds a write of a copy of v (see Env.Put) to the batch.
func (b *Batch) Put(key string, v any) { b.ops = append(b.ops, batchOp{key: key, v: copyIn(key, v)}) }

// Delete adds a delete to the batch.
func (b *Batch) Delete(key string) { b.ops = append(b.ops, batchOp{key: key, del: true}) }

// Len is the number of writes in the batch.
func (b *Batch) Len() int { return len(b.ops) }

func (s *Store) write(b *Batch) {
	for _, op := range b.ops {
		if op.del {
			s.del(op.key)
		} else {
			s.putCopied(op.key, op.v)
		}
	}
}
