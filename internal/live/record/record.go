package record

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
)

// Recorder collects facts from many goroutines.
type Recorder struct {
	start time.Time

	mu      sync.Mutex
	names   []string
	ids     map[string]sim.NodeID
	obs     []sim.Observation
	crashes []sim.Crash
	notes   []string
}

// New starts a record; time 0 is now.
func New() *Recorder {
	return &Recorder{start: time.Now(), ids: map[string]sim.NodeID{}}
}

// Start is the wall-clock moment of time 0.
func (r *Recorder) Start() time.Time { return r.start }

// Now is the time since the record began, on the monotonic clock.
func (r *Recorder) Now() time.Duration { return time.Since(r.start) }

// Offset turns a wall-clock moment (such as an absolute expiry time a
// server keeps) into time since the record began.
func (r *Recorder) Offset(t time.Time) time.Duration { return t.Round(0).Sub(r.start.Round(0)) }

func (r *Recorder) node(name string) sim.NodeID {
	id, ok := r.ids[name]
	if !ok {
		id = sim.NodeID(len(r.names))
		r.ids[name] = id
		r.names = append(r.names, name)
	}
	return id
}

// Record stamps f with the current time, as recorded by node, and returns
// the time. Stamping under the lock keeps the record in time order.
func (r *Recorder) Record(node string, f obs.Fact) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := r.Now()
	r.obs = append(r.obs, sim.Observation{Time: t, Node: r.node(node), Data: f})
	return t
}

// RecordAt adds a fact at a time already known (a server-side event the
// runner derives, stamped when it happened, not when it was found).
func (r *Recorder) RecordAt(node string, at time.Duration, f obs.Fact) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.obs = append(r.obs, sim.Observation{Time: at, Node: r.node(node), Data: f})
}

// Crash records that node's process was killed (kill -9) now: what it
// held only in memory is gone.
func (r *Recorder) Crash(node string) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := r.Now()
	r.crashes = append(r.crashes, sim.Crash{Time: t, Node: r.node(node)})
	return t
}

// Note adds a line to the run's log (a fault done, a fault that failed),
// stamped with the time.
func (r *Recorder) Note(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notes = append(r.notes, fmt.Sprintf("%8.3fs ", r.Now().Seconds())+fmt.Sprintf(format, args...))
}

// Notes are the log lines so far.
func (r *Recorder) Notes() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.notes...)
}

// Observations is a copy of the facts so far, in time order.
func (r *Recorder) Observations() []sim.Observation {
	r.mu.Lock()
	out := append([]sim.Observation(nil), r.obs...)
	r.mu.Unlock()
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time < out[j].Time })
	return out
}

// Name is the name of node id.
func (r *Recorder) Name(id sim.NodeID) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if int(id) < len(r.names) {
		return r.names[id]
	}
	return fmt.Sprintf("node(%d)", id)
}

// History is the record as checkers read it, ended at end, with extra
// facts (derived after the run) merged in time order. Every process counts
// as up at the end: a live run restarts what it killed before it ends.
func (r *Recorder) History(end time.Duration, extra ...Fact) *checker.History {
	r.mu.Lock()
	all := append([]sim.Observation(nil), r.obs...)
	for _, e := range extra {
		all = append(all, sim.Observation{Time: e.At, Node: r.node(e.Node), Data: e.Fact})
	}
	names := append([]string(nil), r.names...)
	crashes := append([]sim.Crash(nil), r.crashes...)
	r.mu.Unlock()
	sort.SliceStable(all, func(i, j int) bool { return all[i].Time < all[j].Time })
	h := &checker.History{Observations: all, Names: names, End: end, Up: make([]bool, len(names)),
		Stores: make([]*sim.Store, len(names)), Crashes: crashes}
	for i := range h.Up {
		h.Up[i] = true
	}
	return h
}

// Fact is a fact with its time and node, for facts derived after the run.
type Fact struct {
	At   time.Duration
	Node string
	Fact obs.Fact
}

// Recorded says whether node recorded, at or before time at, a fact that
// match accepts.
func (r *Recorder) Recorded(node string, at time.Duration, match func(obs.Fact) bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	id, ok := r.ids[node]
	if !ok {
		return false
	}
	for _, o := range r.obs {
		if o.Node == id && o.Time <= at {
			if f, ok := o.Data.(obs.Fact); ok && match(f) {
				return true
			}
		}
	}
	return false
}
