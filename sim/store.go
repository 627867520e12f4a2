package sim

import (
	"fmt"
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
// A write is durable once it is synced. Today every write is synced as it
// is made (Put is write plus fsync, which is what commit protocols assume
// of their logs). The store nevertheless keeps unsynced writes apart so
// that a storage fault — a crash losing the writes not yet synced — can be
// added without changing protocols: see deferSync and loseUnsynced.
type Store struct {
	m      map[string]any
	writes int
	// deferSync makes writes wait for a sync; false (every write synced at
	// once) until a storage fault turns it on.
	deferSync bool
	// unsynced lists the writes not yet synced, oldest first, each with
	// the value it replaced, so a crash can undo them.
	unsynced []undo
}

type undo struct {
	key string
	old any
	had bool
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

// Get returns a copy of the value under key, untyped.
//
// Deprecated: use LoadFrom (or Load in node code), which checks the type
// and names the key when it is wrong. Get stays while callers move over.
func (s *Store) Get(key string) (any, bool) {
	v, ok := s.m[key]
	if !ok {
		return nil, false
	}
	c, _ := copyOut(v)
	return c, true
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
		s.unsynced = append(s.unsynced, undo{key: key, old: old, had: had})
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
		s.unsynced = append(s.unsynced, undo{key: key, old: old, had: true})
	}
	delete(s.m, key)
	s.writes++
}

// sync makes every write so far durable.
func (s *Store) sync() { s.unsynced = s.unsynced[:0] }

// loseUnsynced undoes the writes not yet synced, newest first, as a crash
// does to a disk's volatile cache. With every write synced it does nothing.
func (s *Store) loseUnsynced() {
	for i := len(s.unsynced) - 1; i >= 0; i-- {
		u := s.unsynced[i]
		if u.had {
			s.m[u.key] = u.old
		} else {
			delete(s.m, u.key)
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
