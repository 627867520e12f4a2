package scenarios

import (
	"fmt"
	"sort"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/protocol/lockmgr"
	"github.com/faultline-sim/faultline/protocol/optimistic"
	"github.com/faultline-sim/faultline/sim"
	"github.com/faultline-sim/faultline/workload"
)

// LockSystem is the central lock manager with clients doing
// read-modify-write on the storage its locks protect, judged for
// linearizability of the lock service, mutual exclusion in true time, lost
// updates, takeover after a holder's crash, and progress (deadlock and
// starvation).
type LockSystem struct {
	Manager lockmgr.Config
	Work    workload.Locks
	// Jobs, if set, replaces the jobs drawn from Work (scripted scenarios).
	Jobs []workload.LockJob
	// WaitBound is the longest a lock request may wait unanswered (after
	// healing, in a liveness phase) before it counts as a stall.
	WaitBound time.Duration
	// TakeoverBound is how soon after a holder's crash another client
	// must get the lock.
	TakeoverBound time.Duration
}

// Protocol names the lock protocol.
func (l LockSystem) Protocol() string { return l.Manager.Name() }

// PlantedBugs lists the lock manager's planted bugs.
func (l LockSystem) PlantedBugs() []string { return l.Manager.PlantedBugs() }

// WithBug enables one of them.
func (l LockSystem) WithBug(name string) (System, error) {
	m, err := l.Manager.WithBug(name)
	if err != nil {
		return nil, err
	}
	l.Manager = m
	return l, nil
}

// Validate checks the manager's configuration and the workload.
func (l LockSystem) Validate() error {
	if err := l.Manager.Validate(); err != nil {
		return err
	}
	if l.WaitBound <= 0 || l.TakeoverBound <= 0 {
		return fmt.Errorf("lock system: wait bound and takeover bound must be positive")
	}
	if l.Jobs != nil {
		return nil
	}
	return l.Work.Validate()
}

func (l LockSystem) jobs(seed uint64) []workload.LockJob {
	if l.Jobs != nil {
		return l.Jobs
	}
	return l.Work.Generate(sim.NewStream(seed, "workload"))
}

func (l LockSystem) clients() []string {
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

// Build adds the manager, the storage and the clients.
func (l LockSystem) Build(w *sim.World, seed uint64) error {
	return l.Manager.AddNodes(w, l.clients(), l.jobs(seed))
}

// Checkers are the lock checkers.
func (l LockSystem) Checkers(s *Spec) []checker.Checker {
	jobs := map[string]int{}
	for _, c := range l.clients() {
		jobs[c] = l.Work.JobsPerClient
	}
	if l.Jobs != nil {
		clear(jobs)
		for _, j := range l.Jobs {
			jobs[j.Client]++
		}
	}
	return []checker.Checker{
		checker.LockLinearizable{Timeout: s.LinTimeout()},
		checker.MutualExclusion{Fenced: l.Manager.FencedStorage},
		checker.LostUpdates{},
		checker.StorageSafety{Quorum: 1, Fenced: l.Manager.FencedStorage},
		checker.Takeover{From: healTime(s), Bound: l.TakeoverBound},
		checker.Progress{From: healTime(s), Bound: l.WaitBound, Jobs: jobs},
	}
}

// InventorySystem is the optimistic versioned store under the inventory
// workload, judged for linearizability of the store, the inventory
// invariants, and progress.
type InventorySystem struct {
	Store optimistic.Config
	Work  workload.Inventory
}

// Protocol names the protocol.
func (v InventorySystem) Protocol() string { return v.Store.Name() }

// PlantedBugs lists the store's planted bugs.
func (v InventorySystem) PlantedBugs() []string { return v.Store.PlantedBugs() }

// WithBug enables one of them.
func (v InventorySystem) WithBug(name string) (System, error) {
	st, err := v.Store.WithBug(name)
	if err != nil {
		return nil, err
	}
	v.Store = st
	return v, nil
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
		checker.Progress{From: healTime(s), Bound: time.Second, Jobs: jobs},
	}
}

func healTime(s *Spec) time.Duration {
	if s.Liveness != nil {
		return s.Liveness.At
	}
	return 0
}
