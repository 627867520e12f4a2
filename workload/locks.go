package workload

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/faultline-sim/faultline/fields"
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
	f := &fields.Check{Of: "lock workload"}
	f.AtLeast("clients", l.Clients, 1).AtLeast("locks", l.Locks, 1).Count("jobs per client", l.JobsPerClient)
	f.That(l.MaxLocksPerJob >= 1 && l.MaxLocksPerJob <= l.Locks, "max locks per job must be in 1..%d, got %d", l.Locks, l.MaxLocksPerJob)
	f.Positive("interval", l.Interval).NotNegative("start", l.Start)
	return f.Err()
}

// LockName is the name of lock i (from 1).
func LockName(i int) string { return fmt.Sprintf("lock-%d", i) }

// ClientNames lists the clients in order.
func (l Locks) ClientNames() []string { return Names(l.Clients, ClientName) }

// LockNames lists the locks in order.
func (l Locks) LockNames() []string { return Names(l.Locks, LockName) }

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
	arrivals(r, l.Clients, l.JobsPerClient, l.Start, l.Interval, func(c, j int, at time.Duration) {
		n := 1 + r.IntN(l.MaxLocksPerJob)
		perm := r.Perm(l.Locks)[:n]
		locks := make([]string, n)
		for i, p := range perm {
			locks[i] = LockName(p + 1)
		}
		out = append(out, LockJob{ID: fmt.Sprintf("c%d-j%d", c, j), Client: ClientName(c), At: at, Locks: locks})
	})
	return out
}
