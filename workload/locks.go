package workload

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Locks configures the lock workload: clients run jobs, each needing one or
// more locks, taken in the job's own order (not sorted), so two jobs can
// wait for each other: deadlock is possible by design.
type Locks struct {
	Clients        int
	Locks          int
	JobsPerClient  int
	MaxLocksPerJob int           // each job needs 1..MaxLocksPerJob distinct locks
	Interval       time.Duration // mean gap between the starts of one client's jobs
	Start          time.Duration // earliest job start
}

// DefaultLocks is the workload of lockmgr-contention: many clients, few
// locks, so requests queue, are refused, and sometimes deadlock.
func DefaultLocks() Locks {
	return Locks{Clients: 8, Locks: 3, JobsPerClient: 5, MaxLocksPerJob: 2, Interval: 40 * time.Millisecond, Start: time.Millisecond}
}

// Validate reports an impossible setting, naming the field.
func (l Locks) Validate() error {
	switch {
	case l.Clients < 1:
		return fmt.Errorf("lock workload: clients must be at least 1, got %d", l.Clients)
	case l.Locks < 1:
		return fmt.Errorf("lock workload: locks must be at least 1, got %d", l.Locks)
	case l.JobsPerClient < 0:
		return fmt.Errorf("lock workload: jobs per client %d is negative", l.JobsPerClient)
	case l.MaxLocksPerJob < 1 || l.MaxLocksPerJob > l.Locks:
		return fmt.Errorf("lock workload: max locks per job must be in 1..%d, got %d", l.Locks, l.MaxLocksPerJob)
	case l.Interval <= 0:
		return fmt.Errorf("lock workload: interval must be positive, got %v", l.Interval)
	case l.Start < 0:
		return fmt.Errorf("lock workload: start %v is negative", l.Start)
	}
	return nil
}

// LockName is the name of lock i (from 1).
func LockName(i int) string { return fmt.Sprintf("lock-%d", i) }

// ClientNames lists the clients in order.
func (l Locks) ClientNames() []string {
	out := make([]string, l.Clients)
	for i := range out {
		out[i] = ClientName(i + 1)
	}
	return out
}

// LockNames lists the locks in order.
func (l Locks) LockNames() []string {
	out := make([]string, l.Locks)
	for i := range out {
		out[i] = LockName(i + 1)
	}
	return out
}

// LockJob is one unit of work: take Locks in this order, update the
// resource each protects, release.
type LockJob struct {
	ID     string
	Client string
	At     time.Duration // earliest start
	Locks  []string
}

func (j LockJob) String() string {
	return fmt.Sprintf("%s %s at %v: %v", j.ID, j.Client, j.At, j.Locks)
}

// Generate draws the jobs from r, in start order per client.
func (l Locks) Generate(r *rand.Rand) []LockJob {
	var out []LockJob
	for c := 0; c < l.Clients; c++ {
		at := l.Start
		for j := 0; j < l.JobsPerClient; j++ {
			at += cappedGap(r, l.Interval)
			n := 1 + r.IntN(l.MaxLocksPerJob)
			perm := r.Perm(l.Locks)[:n]
			locks := make([]string, n)
			for i, p := range perm {
				locks[i] = LockName(p + 1)
			}
			out = append(out, LockJob{ID: fmt.Sprintf("c%d-j%d", c+1, j+1), Client: ClientName(c + 1), At: at, Locks: locks})
		}
	}
	return out
}
