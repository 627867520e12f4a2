package scenarios

import (
	"cmp"
	"fmt"
	"sort"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/protocol/lockkit"
	"github.com/faultline-sim/faultline/protocol/optimistic"
	"github.com/faultline-sim/faultline/protocol/plant"
	"github.com/faultline-sim/faultline/sim"
	"github.com/faultline-sim/faultline/workload"
)

// Locks is the lock family's system: any lock service (a
// lockkit.Protocol — the lock manager, a Redis lock, Redlock, the
// ZooKeeper recipe, or one of a user's own) with clients doing
// read-modify-write on the storage its locks protect. It is judged for the
// service's own history (Judges), mutual exclusion in true time, lost
// updates, storage safety (every accepted write from the client a quorum
// of the servers' records names as holder; against fenced storage
// overlapping beliefs are harmless), takeover after a holder's crash, and
// progress (deadlock and starvation).
type Locks struct {
	Lock   lockkit.Protocol
	Judges LockJudges
	Work   workload.Locks
	// Jobs, if set, replaces the jobs drawn from Work (scripted scenarios).
	Jobs []workload.LockJob
	// WaitBound is the longest a lock request may wait unanswered (after
	// healing, in a liveness phase) before it counts as a stall; 0 leaves
	// progress unjudged (a client that gives up may never finish).
	WaitBound time.Duration
	// TakeoverBound is how soon after a holder's crash another client
	// wanting the lock must get it; 0 leaves takeover unjudged.
	TakeoverBound time.Duration
}

// LockJudges are the checkers that depend on the lock service; nil leaves
// that aspect unjudged.
type LockJudges struct {
	// Linear checks the service's own history, within the run's search
	// bound.
	Linear func(timeout time.Duration) checker.Checker
	// Takeover checks that a crashed holder's lock reaches a waiting
	// client within bound, from the time faults were healed.
	Takeover func(from, bound time.Duration) checker.Checker
}

// The judges of the built-in services.
var (
	// LeaseJudges: the lock history the clients record (requests, grants,
	// refusals, releases; lease expiries and unanswered grants from the
	// server), and takeover by the clients' grants.
	LeaseJudges = LockJudges{
		Linear:   func(t time.Duration) checker.Checker { return checker.LockLinearizable{Timeout: t} },
		Takeover: func(from, bound time.Duration) checker.Checker { return checker.Takeover{From: from, Bound: bound} },
	}
	// RedisJudges: the Redis servers' command history.
	RedisJudges = LockJudges{
		Linear:   func(t time.Duration) checker.Checker { return checker.RedisLinearizable{Timeout: t} },
		Takeover: LeaseJudges.Takeover,
	}
	// ZKJudges: the ZooKeeper history, session expiry included, and
	// takeover from the server's holder records.
	ZKJudges = LockJudges{
		Linear:   func(t time.Duration) checker.Checker { return checker.ZKLinearizable{Timeout: t} },
		Takeover: func(from, bound time.Duration) checker.Checker { return checker.ZKTakeover{From: from, Bound: bound} },
	}
)

// Protocol names the lock service.
func (l Locks) Protocol() string { return l.Lock.Name() }

// PlantedBugs lists the service's planted bugs.
func (l Locks) PlantedBugs() []string { return l.Lock.Planted().Names() }

// WithBug enables one of them.
func (l Locks) WithBug(name string) (System, error) {
	err := withBug(&l.Lock, l.Lock.Name(), name)
	return l, err
}

// withBug turns the named planted bug of protocol proto on in *c.
func withBug[C plant.Planter[C]](c *C, proto, name string) error {
	p, err := plant.With(*c, name)
	if err != nil {
		return fmt.Errorf("%s has %w", proto, err)
	}
	*c = p
	return nil
}

// Validate checks the service's configuration, the bounds and the workload.
func (l Locks) Validate() error {
	if l.Lock == nil {
		return fmt.Errorf("lock system: no lock service")
	}
	if err := l.Lock.Validate(); err != nil {
		return err
	}
	if l.TakeoverBound < 0 || l.WaitBound < 0 {
		return fmt.Errorf("lock system: takeover and wait bounds must not be negative, got %v and %v", l.TakeoverBound, l.WaitBound)
	}
	if l.Jobs != nil {
		return nil
	}
	return l.Work.Validate()
}

func (l Locks) jobs(seed uint64) []workload.LockJob {
	if l.Jobs != nil {
		return l.Jobs
	}
	return l.Work.Generate(sim.NewStream(seed, "workload"))
}

func (l Locks) clients() []string {
	if l.Jobs == nil {
		return l.Work.ClientNames()
	}
	seen := map[string]bool{}
	var out []string
	for _, j := range l.Jobs {
		if !seen[j.Client] {
			seen[j.Client] = true
			out = append(out, j.Client)
		}
	}
	sort.Strings(out)
	return out
}

// Build adds the service's servers, the storage and the clients.
func (l Locks) Build(w *sim.World, seed uint64) error {
	return l.Lock.AddNodes(w, l.clients(), l.jobs(seed))
}

// Checkers are the lock checkers.
func (l Locks) Checkers(s *Spec) []checker.Checker {
	var linear checker.Checker
	if l.Judges.Linear != nil {
		linear = l.Judges.Linear(s.LinTimeout())
	}
	cs := checker.LockFamily(linear, l.Lock.Fenced(), l.Lock.Quorum())
	if l.Judges.Takeover != nil && l.TakeoverBound > 0 {
		cs = append(cs, l.Judges.Takeover(healTime(s), l.TakeoverBound))
	}
	if l.WaitBound > 0 {
		jobs := map[string]int{}
		if l.Jobs == nil {
			for _, c := range l.clients() {
				jobs[c] = l.Work.JobsPerClient
			}
		}
		for _, j := range l.Jobs {
			jobs[j.Client]++
		}
		cs = append(cs, checker.Progress{From: healTime(s), Bound: l.WaitBound, Jobs: jobs})
	}
	return cs
}

// InventorySystem is the optimistic versioned store under the inventory
// workload, judged for linearizability of the store, the inventory
// invariants, and progress.
type InventorySystem struct {
	Store optimistic.Config
	Work  workload.Inventory
	// ProgressBound is the longest an order may wait unanswered (after
	// healing); 0 means a second.
	ProgressBound time.Duration
}

// Protocol names the protocol.
func (v InventorySystem) Protocol() string { return v.Store.Name() }

// PlantedBugs lists the store's planted bugs.
func (v InventorySystem) PlantedBugs() []string { return v.Store.Planted().Names() }

// WithBug enables one of them.
func (v InventorySystem) WithBug(name string) (System, error) {
	err := withBug(&v.Store, v.Store.Name(), name)
	return v, err
}

// Validate checks the store's configuration and the workload.
func (v InventorySystem) Validate() error {
	if err := v.Store.Validate(); err != nil {
		return err
	}
	return v.Work.Validate()
}

func (v InventorySystem) initial() map[string]int64 {
	out := map[string]int64{}
	for _, it := range v.Work.ItemNames() {
		out[it] = v.Work.InitialStock
	}
	return out
}

// Build adds the store and the clients.
func (v InventorySystem) Build(w *sim.World, seed uint64) error {
	return v.Store.AddNodes(w, v.initial(), v.Work.ClientNames(), v.Work.Generate(sim.NewStream(seed, "workload")))
}

// Checkers are the store checkers.
func (v InventorySystem) Checkers(s *Spec) []checker.Checker {
	jobs := map[string]int{}
	for _, c := range v.Work.ClientNames() {
		jobs[c] = v.Work.OrdersPerClient
	}
	return []checker.Checker{
		checker.RegisterLinearizable{Initial: v.initial(), Timeout: s.LinTimeout()},
		checker.Inventory{Initial: v.initial()},
		checker.Progress{From: healTime(s), Bound: cmp.Or(v.ProgressBound, time.Second), Jobs: jobs},
	}
}

func healTime(s *Spec) time.Duration {
	if s.Liveness != nil {
		return s.Liveness.At
	}
	return 0
}
