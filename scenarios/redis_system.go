package scenarios

import (
	"fmt"
	"sort"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/protocol/redislock"
	"github.com/faultline-sim/faultline/protocol/redlock"
	"github.com/faultline-sim/faultline/sim"
	"github.com/faultline-sim/faultline/workload"
)

// RedisSystem is a Redis lock — one Redis (Single), possibly with a
// replica, or Redlock over N instances (Redlock); exactly one is set —
// with clients doing unfenced read-modify-write on the storage the lock
// protects. It is judged for mutual exclusion in true time, lost updates,
// storage safety (every accepted write from the client the lock service
// itself records as holder: one server for a single Redis, a majority for
// Redlock), takeover after a holder's crash, and linearizability of the
// Redis servers' history.
type RedisSystem struct {
	Single  *redislock.Config
	Redlock *redlock.Config
	Work    workload.Locks
	// Jobs, if set, replaces the jobs drawn from Work (scripted scenarios).
	// Each job takes its first lock only.
	Jobs []workload.LockJob
	// TakeoverBound is how soon after a holder's crash another client
	// wanting the lock must get it: the TTL plus the retry bound.
	TakeoverBound time.Duration
}

// Protocol names the lock protocol.
func (r RedisSystem) Protocol() string {
	if r.Redlock != nil {
		return r.Redlock.Name()
	}
	return r.Single.Name()
}

// PlantedBugs lists the client's planted bugs.
func (r RedisSystem) PlantedBugs() []string {
	if r.Redlock != nil {
		return r.Redlock.PlantedBugs()
	}
	return r.Single.PlantedBugs()
}

// WithBug enables one of them.
func (r RedisSystem) WithBug(name string) (System, error) {
	if r.Redlock != nil {
		c, err := r.Redlock.WithBug(name)
		if err != nil {
			return nil, err
		}
		r.Redlock = &c
		return r, nil
	}
	c, err := r.Single.WithBug(name)
	if err != nil {
		return nil, err
	}
	r.Single = &c
	return r, nil
}

// Validate checks the configuration and the workload.
func (r RedisSystem) Validate() error {
	if (r.Single == nil) == (r.Redlock == nil) {
		return fmt.Errorf("redis system: set exactly one of single and redlock")
	}
	if r.TakeoverBound <= 0 {
		return fmt.Errorf("redis system: takeover bound must be positive, got %v", r.TakeoverBound)
	}
	var err error
	if r.Redlock != nil {
		err = r.Redlock.Validate()
	} else {
		err = r.Single.Validate()
	}
	if err != nil || r.Jobs != nil {
		return err
	}
	return r.Work.Validate()
}

// Quorum is how many servers must record a client as holder for it to
// hold the lock: 1 for a single Redis, a majority for Redlock.
func (r RedisSystem) Quorum() int {
	if r.Redlock != nil {
		return r.Redlock.Quorum()
	}
	return 1
}

func (r RedisSystem) jobs(seed uint64) []workload.LockJob {
	if r.Jobs != nil {
		return r.Jobs
	}
	return r.Work.Generate(sim.NewStream(seed, "workload"))
}

func (r RedisSystem) clients() []string {
	if r.Jobs == nil {
		return r.Work.ClientNames()
	}
	seen := map[string]bool{}
	var out []string
	for _, j := range r.Jobs {
		if !seen[j.Client] {
			seen[j.Client] = true
			out = append(out, j.Client)
		}
	}
	sort.Strings(out)
	return out
}

// Build adds the servers, the storage and the clients.
func (r RedisSystem) Build(w *sim.World, seed uint64) error {
	if r.Redlock != nil {
		return r.Redlock.AddNodes(w, r.clients(), r.jobs(seed))
	}
	return r.Single.AddNodes(w, r.clients(), r.jobs(seed))
}

// Checkers are the lock checkers. The storage is unfenced: Redis gives no
// token.
func (r RedisSystem) Checkers(s *Spec) []checker.Checker {
	return []checker.Checker{
		checker.RedisLinearizable{Timeout: s.LinTimeout()},
		checker.MutualExclusion{},
		checker.LostUpdates{},
		checker.StorageSafety{Quorum: r.Quorum()},
		checker.Takeover{From: healTime(s), Bound: r.TakeoverBound},
	}
}
