package scenarios

import (
	"fmt"
	"sort"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/protocol/zklock"
	"github.com/faultline-sim/faultline/sim"
	"github.com/faultline-sim/faultline/workload"
)

// ZKSystem is the ZooKeeper lock recipe with clients doing
// read-modify-write on the storage its locks protect, judged for
// linearizability of the ZooKeeper server (session expiry included),
// mutual exclusion in true time, lost updates, storage safety (fenced or
// not), takeover after a holder's crash, and progress.
type ZKSystem struct {
	ZK   zklock.Config
	Work workload.Locks // jobs must need one lock each
	// Jobs, if set, replaces the jobs drawn from Work (scripted scenarios).
	Jobs []workload.LockJob
	// WaitBound is the longest a lock request may wait unanswered (after
	// healing) before it counts as a stall.
	WaitBound time.Duration
	// RetryBound is how long, beyond the session timeout, a waiting client
	// may take to get a crashed holder's lock: the expiry's notification,
	// a getChildren, or a lost session of its own and a new node.
	RetryBound time.Duration
}

// Protocol names the lock protocol.
func (z ZKSystem) Protocol() string { return z.ZK.Name() }

// PlantedBugs lists the client's planted bugs.
func (z ZKSystem) PlantedBugs() []string { return z.ZK.PlantedBugs() }

// WithBug enables one of them.
func (z ZKSystem) WithBug(name string) (System, error) {
	c, err := z.ZK.WithBug(name)
	if err != nil {
		return nil, err
	}
	z.ZK = c
	return z, nil
}

// Validate checks the configuration and the workload.
func (z ZKSystem) Validate() error {
	if err := z.ZK.Validate(); err != nil {
		return err
	}
	if z.WaitBound <= 0 || z.RetryBound <= 0 {
		return fmt.Errorf("zk system: wait bound and retry bound must be positive")
	}
	if z.Jobs != nil {
		return nil
	}
	if z.Work.MaxLocksPerJob != 1 {
		return fmt.Errorf("zk system: the recipe client takes one lock per job, got max locks per job %d", z.Work.MaxLocksPerJob)
	}
	return z.Work.Validate()
}

func (z ZKSystem) jobs(seed uint64) []workload.LockJob {
	if z.Jobs != nil {
		return z.Jobs
	}
	return z.Work.Generate(sim.NewStream(seed, "workload"))
}

func (z ZKSystem) clients() []string {
	if z.Jobs == nil {
		return z.Work.ClientNames()
	}
	seen := map[string]bool{}
	var out []string
	for _, j := range z.Jobs {
		if !seen[j.Client] {
			seen[j.Client] = true
			out = append(out, j.Client)
		}
	}
	sort.Strings(out)
	return out
}

// Build adds the server, the storage and the clients.
func (z ZKSystem) Build(w *sim.World, seed uint64) error {
	return z.ZK.AddNodes(w, z.clients(), z.jobs(seed))
}

// TakeoverBound is how soon after a holder's crash another client must
// hold the lock: the session timeout plus the retry bound.
func (z ZKSystem) TakeoverBound() time.Duration { return z.ZK.SessionTimeout + z.RetryBound }

// Checkers are the lock checkers; against fenced storage overlapping
// beliefs are harmless (see checker.MutualExclusion.Fenced).
func (z ZKSystem) Checkers(s *Spec) []checker.Checker {
	jobs := map[string]int{}
	for _, c := range z.clients() {
		jobs[c] = z.Work.JobsPerClient
	}
	if z.Jobs != nil {
		clear(jobs)
		for _, j := range z.Jobs {
			jobs[j.Client]++
		}
	}
	return []checker.Checker{
		checker.ZKLinearizable{Timeout: s.LinTimeout()},
		checker.MutualExclusion{Fenced: z.ZK.FencedStorage},
		checker.LostUpdates{},
		checker.StorageSafety{Quorum: 1, Fenced: z.ZK.FencedStorage},
		checker.ZKTakeover{From: healTime(s), Bound: z.TakeoverBound()},
		checker.Progress{From: healTime(s), Bound: z.WaitBound, Jobs: jobs},
	}
}
