package sim

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
	"unsafe"
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
	// index maps a key to its value's slot in vals. Writing a key seen
	// before or reading any key then never keeps the key string, so a
	// key built by concatenation where it is used costs no allocation;
	// only a new key is copied, once. A deleted key keeps its slot,
	// holding deleted{}, until deleted slots outnumber live ones.
	index map[string]int32
	vals  []any
	keys  []string // each slot's key, so listing keys walks a slice, not the map
	dead  int      // slots holding deleted{}
	// keyBytes is where new keys are copied, many to an allocation: a
	// key is never changed, so a string may point into it.
	keyBytes []byte
	writes   int
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

// newStore makes an empty store with room for a few dozen keys, which a
// protocol node's store soon holds, so that it is not regrown key by key.
func newStore() *Store {
	return &Store{index: make(map[string]int32, 32), vals: make([]any, 0, 32), keys: make([]string, 0, 32)}
}

// wipe empties the store, as a replaced disk would (the planted kernel
// bug restart-amnesia); the write count stays, it counts what was done.
func (s *Store) wipe() {
	s.index, s.vals, s.keys, s.dead = make(map[string]int32, 32), make([]any, 0, 32), make([]string, 0, 32), 0
	s.unsynced = s.unsynced[:0]
}

// deleted marks the slot of a deleted key.
type deleted struct{}

func (s *Store) get(key string) (any, bool) {
	if i, ok := s.index[key]; ok {
		if _, gone := s.vals[i].(deleted); !gone {
			return s.vals[i], true
		}
	}
	return nil, false
}

// set stores v under key and returns what it replaced.
func (s *Store) set(key string, v any) (old any, had bool) {
	if i, ok := s.index[key]; ok {
		old, s.vals[i] = s.vals[i], v
		if _, gone := old.(deleted); gone {
			s.dead--
			return nil, false
		}
		return old, true
	}
	kept := s.keepKey(key) // a new variable: storing key itself would make every caller's key escape
	s.index[kept] = int32(len(s.vals))
	s.vals = append(s.vals, v)
	s.keys = append(s.keys, kept)
	return nil, false
}

// keepKey copies a new key into keyBytes and returns the copy.
func (s *Store) keepKey(key string) string {
	if len(key) > cap(s.keyBytes)-len(s.keyBytes) {
		s.keyBytes = make([]byte, 0, max(1024, len(key)))
	}
	start := len(s.keyBytes)
	s.keyBytes = append(s.keyBytes, key...)
	return unsafe.String(unsafe.SliceData(s.keyBytes[start:]), len(key))
}

// remove deletes key and returns what it held.
func (s *Store) remove(key string) (old any, had bool) {
	old, had = s.get(key)
	if !had {
		return nil, false
	}
	s.vals[s.index[key]] = deleted{}
	if s.dead++; s.dead > 64 && s.dead > len(s.index)-s.dead {
		s.compact()
	}
	return old, true
}

// compact drops the slots of deleted keys.
func (s *Store) compact() {
	live := len(s.index) - s.dead
	index, vals, keys := make(map[string]int32, live), make([]any, 0, live), make([]string, 0, live)
	for i, v := range s.vals {
		if _, gone := v.(deleted); gone {
			continue
		}
		index[s.keys[i]] = int32(len(vals))
		vals, keys = append(vals, v), append(keys, s.keys[i])
	}
	s.index, s.vals, s.keys, s.dead = index, vals, keys, 0
}

// NewStore makes a store holding a copy of m, for checking a final state
// that was not produced by a World (a saved run, a hand-made test case).
// It panics like Env.Put on a value that is not plain data.
func NewStore(m map[string]any) *Store {
	s := newStore()
	for k, v := range m {
		s.set(k, copyIn(k, v))
	}
	return s
}

// LoadFrom reads the value under key as a T, for checkers reading a final
// state. ok is false if the key is absent. A value of another type is a
// bug in the program that stored or reads it, so it panics with a
// *TypeError naming the key and both types (a run reports it as a crash,
// with its seed).
func LoadFrom[T any](s *Store, key string) (v T, ok bool) {
	x, ok := s.get(key)
	if !ok {
		return v, false
	}
	v, isT := x.(T)
	if !isT {
		// A copy of the key, so that key never outlives the call and a
		// caller's concatenated key can stay off the heap.
		panic(&TypeError{Key: strings.Clone(key), Stored: reflect.TypeOf(x), Want: reflect.TypeFor[T]()})
	}
	if c, copied := copyOut(x); copied {
		v = c.(T)
	}
	return v, true
}

// LoadIf is Load for a value that want accepts, and only that value is
// copied out: a scan for the few records that matter (a restarted
// coordinator's unfinished transactions among all it logged) copies
// none of the rest. want sees the stored value itself and must only read
// it.
func LoadIf[T any](e *Env, key string, want func(T) bool) (v T, ok bool) {
	x, ok := e.p.store.get(key)
	if !ok {
		return v, false
	}
	if stored, isT := x.(T); isT && !want(stored) {
		return v, false // the zero T: what is stored stays unshared
	}
	return LoadFrom[T](e.p.store, key)
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
	old, had := s.set(key, v)
	if s.deferSync {
		s.unsynced = append(s.unsynced, undo{key: strings.Clone(key), old: old, new: v, had: had, group: s.group})
	}
	s.writes++
}

func (s *Store) del(key string) {
	old, had := s.remove(key)
	if !had {
		return
	}
	if s.deferSync {
		s.unsynced = append(s.unsynced, undo{key: strings.Clone(key), old: old, had: true, del: true, group: s.group})
	}
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
			s.set(u.key, u.old)
		} else {
			s.remove(u.key)
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
				s.remove(u.key)
			default:
				s.set(u.key, u.new)
			}
		}
	}
	s.unsynced = s.unsynced[:0]
}

// Keys returns the keys with the given prefix in sorted order, so that
// recovery code iterating over them stays deterministic.
func (s *Store) Keys(prefix string) []string {
	// Counted first, so that the list is one allocation rather than one
	// per doubling: checkers list every bank's balances on every run.
	n := 0
	for i, k := range s.keys {
		if _, gone := s.vals[i].(deleted); !gone && strings.HasPrefix(k, prefix) {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]string, 0, n)
	for i, k := range s.keys {
		if _, gone := s.vals[i].(deleted); !gone && strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// Writes counts durable writes (puts and deletes) since the world began.
func (s *Store) Writes() int { return s.writes }

// Len is the number of keys stored.
func (s *Store) Len() int { return len(s.index) - s.dead }

// Batch is durable writes made at once by Env.Write: a crash keeps all of
// them or none, as a storage engine's write batch or a single log record
// does. A commit that moves balances, logs its outcome and drops its
// prepared record is one batch, so that no crash leaves it half done.
//
// A batch keeps its first few writes and their keys' bytes inside
// itself, so a batch declared in a function and written there costs no
// allocation but its values; a key concatenated at the call costs none.
type Batch struct {
	n     int
	small [6]batchOp
	more  []batchOp
	klen  int
	kbuf  [192]byte
	keys  []byte // all the keys once kbuf is too small
}

type batchOp struct {
	end int // of the key in the key bytes
	v   any // copied at Put
	del bool
}

func (b *Batch) op(i int) *batchOp {
	if i < len(b.small) {
		return &b.small[i]
	}
	return &b.more[i-len(b.small)]
}

// key is op i's key, as bytes.
func (b *Batch) key(i int) []byte {
	start := 0
	if i > 0 {
		start = b.op(i - 1).end
	}
	if b.keys != nil {
		return b.keys[start:b.op(i).end]
	}
	return b.kbuf[start:b.op(i).end]
}

func (b *Batch) add(key string, op batchOp) {
	if b.keys == nil && b.klen+len(key) > len(b.kbuf) {
		b.keys = append(make([]byte, 0, 2*len(b.kbuf)+len(key)), b.kbuf[:b.klen]...)
	}
	if b.keys != nil {
		b.keys = append(b.keys, key...)
		b.klen = len(b.keys)
	} else {
		b.klen += copy(b.kbuf[b.klen:], key)
	}
	op.end = b.klen
	if b.n < len(b.small) {
		b.small[b.n] = op
	} else {
		b.more = append(b.more, op)
	}
	b.n++
}

// Put adds a write of a copy of v (see Env.Put) to the batch.
func (b *Batch) Put(key string, v any) { b.add(key, batchOp{v: copyIn(key, v)}) }

// Delete adds a delete to the batch.
func (b *Batch) Delete(key string) { b.add(key, batchOp{del: true}) }

// Len is the number of writes in the batch.
func (b *Batch) Len() int { return b.n }

func (s *Store) write(b *Batch) {
	for i := 0; i < b.n; i++ {
		if op := b.op(i); op.del {
			s.del(string(b.key(i)))
		} else {
			s.putCopied(string(b.key(i)), op.v)
		}
	}
}
