package storage

import (
	"errors"
	"fmt"
	"sync"

	"github.com/faultline-sim/faultline/internal/live/record"
	"github.com/faultline-sim/faultline/obs"
)

// ErrFenced: the storage refused an operation whose token is stale.
var ErrFenced = errors.New("fenced off: stale token")

// Node is the name the storage records its facts under.
const Node = "storage"

type cell struct {
	version, value, fence int64
}

// Storage is the protected store.
type Storage struct {
	rec    *record.Recorder
	fenced bool

	mu    sync.Mutex
	cells map[string]*cell
}

// New makes an empty store recording into rec; fenced says whether it
// refuses stale tokens.
func New(rec *record.Recorder, fenced bool) *Storage {
	return &Storage{rec: rec, fenced: fenced, cells: map[string]*cell{}}
}

// Fenced says whether the store refuses stale tokens.
func (s *Storage) Fenced() bool { return s.fenced }

func (s *Storage) cell(key string) *cell {
	c := s.cells[key]
	if c == nil {
		c = &cell{}
		s.cells[key] = c
	}
	return c
}

// Read returns key's version and value as client, holding token, sees it.
// The fact is recorded under the store's lock, so the record's order is
// the store's order.
func (s *Storage) Read(client, key string, token int64) (version, value int64, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.cell(key)
	if s.fenced && token < c.fence {
		s.rec.Record(Node, obs.StorageRead{Key: key, Client: client, Token: token, Version: c.version, Rejected: true})
		return 0, 0, fmt.Errorf("read %s by %s with token %d (fence %d): %w", key, client, token, c.fence, ErrFenced)
	}
	if s.fenced {
		c.fence = max(c.fence, token)
	}
	s.rec.Record(Node, obs.StorageRead{Key: key, Client: client, Token: token, Version: c.version})
	return c.version, c.value, nil
}

// Write stores value as key's next version, from client holding token who
// had read readVersion. It succeeds whatever version it finds unless the
// store is fenced and the token is stale: an unfenced store cannot tell a
// stale holder from the real one, and the record shows what that costs.
func (s *Storage) Write(client, key string, token, readVersion, value int64) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.cell(key)
	w := obs.StorageWrite{Key: key, Client: client, Token: token, ReadVersion: readVersion, PrevVersion: c.version}
	if s.fenced && token < c.fence {
		w.Rejected = true
		s.rec.Record(Node, w)
		return 0, fmt.Errorf("write %s by %s with token %d (fence %d): %w", key, client, token, c.fence, ErrFenced)
	}
	if s.fenced {
		c.fence = max(c.fence, token)
	}
	c.version++
	c.value = value
	w.Version, w.Value = c.version, c.value
	s.rec.Record(Node, w)
	return c.version, nil
}

// Value is key's current version and value.
func (s *Storage) Value(key string) (version, value int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.cell(key)
	return c.version, c.value
}
