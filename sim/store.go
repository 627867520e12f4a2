package sim

import (
	"sort"
	"strings"
)

// Store is a node's durable storage: a key-value map that survives crashes.
// Every Put is a synchronous, durable write (as if fsynced before returning),
// which is what commit protocols assume of their logs.
//
// Values are stored as given. Store values, not pointers into volatile
// state: a pointer would let a crash-surviving store see later in-memory
// changes, which no disk does.
type Store struct {
	m      map[string]any
	writes int
}

func newStore() *Store { return &Store{m: make(map[string]any)} }

// NewStore makes a store holding a copy of m, for checking a final state
// that was not produced by a World (a saved run, a hand-made test case).
func NewStore(m map[string]any) *Store {
	s := newStore()
	for k, v := range m {
		s.m[k] = v
	}
	return s
}

// Get returns the value under key.
func (s *Store) Get(key string) (any, bool) {
	v, ok := s.m[key]
	return v, ok
}

func (s *Store) put(key string, v any) {
	s.m[key] = v
	s.writes++
}

func (s *Store) del(key string) {
	if _, ok := s.m[key]; ok {
		delete(s.m, key)
		s.writes++
	}
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
