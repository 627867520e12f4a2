package scenarios

import (
	"fmt"
	"sort"
	"strings"
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

// Check runs the lock checkers.
func (z ZKSystem) Check(h *checker.History, s *Spec) []checker.Result {
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
	mutex := checker.MutualExclusion(h)
	if z.ZK.FencedStorage {
		mutex = harmlessBeliefs(mutex)
	}
	return []checker.Result{
		checker.ZKLinearizable(h, s.LinTimeout()),
		mutex,
		checker.LostUpdates(h),
		checker.StorageSafety(h, 1, z.ZK.FencedStorage),
		checker.ZKTakeover(h, healTime(s), z.TakeoverBound()),
		checker.Progress(h, checker.ProgressSpec{From: healTime(s), Bound: z.WaitBound, Jobs: jobs}),
	}
}

// harmlessBeliefs: against fenced storage two clients believing they hold
// the same lock is expected of any lease (a paused holder cannot know its
// lease ran out) and harmless, because the storage refuses the stale one;
// the storage checker judges that. The overlaps stay in the evidence.
func harmlessBeliefs(r checker.Result) checker.Result {
	if r.Verdict != checker.Violation {
		return r
	}
	r.Verdict = checker.OK
	r.Message = "beliefs overlapped, harmless with fenced storage (see storage): " + strings.TrimSpace(r.Message)
	return r
}

// fencedLocks is a lock system whose storage is fenced, judged as
// LockSystem is except that overlapping beliefs are not by themselves a
// violation (see harmlessBeliefs).
type fencedLocks struct{ LockSystem }

// WithBug keeps the wrapper.
func (f fencedLocks) WithBug(name string) (System, error) {
	s, err := f.LockSystem.WithBug(name)
	if err != nil {
		return nil, err
	}
	return fencedLocks{s.(LockSystem)}, nil
}

// Check runs LockSystem's checkers.
func (f fencedLocks) Check(h *checker.History, s *Spec) []checker.Result {
	rs := f.LockSystem.Check(h, s)
	for i := range rs {
		if rs[i].Checker == "mutex" {
			rs[i] = harmlessBeliefs(rs[i])
		}
	}
	return rs
}
