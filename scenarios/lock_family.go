package scenarios

import (
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/protocol/lockkit"
	"github.com/faultline-sim/faultline/workload"
)

// RegisterLock adds a lock service to the lock family. It gets the
// family's two standard scenarios, both expected ok and judged by the
// family's checkers (Locks) and the service's judges:
//
//   - NAME-contention: 4 clients taking 2 locks, one per job, no faults;
//   - NAME-faults: the same under random crashes (with restarts),
//     partitions, loss and duplication of servers, storage and clients
//     (lockNemesis), then heal.
//
// A lock service package joins with one line in an init function,
//
//	scenarios.RegisterLock(myservice.Default(), scenarios.LeaseJudges)
//
// and simrun run, sweep, shrink and crashpoints then run it by name.
// Takeover is judged against 300ms and progress after healing against
// 500ms, so the service's leases should be shorter than about 250ms.
func RegisterLock(p lockkit.Protocol, judges LockJudges) {
	work := workload.Locks{Clients: 4, Locks: 2, JobsPerClient: 5, MaxLocksPerJob: 1, Interval: 40 * time.Millisecond, Start: time.Millisecond}
	sys := Locks{Lock: p, Judges: judges, Work: work, WaitBound: 500 * time.Millisecond, TakeoverBound: 300 * time.Millisecond}
	name := p.Name()
	registerProtocol(name, protocolEntry{family: familyLocks, def: p, judges: judges})
	Register(func() Spec {
		return Spec{Name: name + "-contention", Description: name + ": 4 clients, 2 locks, no faults; one holder at a time, storage intact",
			Expect: checker.OK, System: sys, Network: defaultNetwork, MaxTime: 2 * time.Second}
	})
	Register(func() Spec {
		s := Spec{Name: name + "-faults", Description: name + ": 4 clients, 2 locks, under random crashes, partitions, loss and duplication; then heal",
			Expect: checker.OK, System: sys, Network: defaultNetwork, MaxTime: 4 * time.Second}
		s.Nemesis = lockNemesis(append(append(p.Servers(), lockkit.NodeName), work.ClientNames()...))
		s.Liveness = &Liveness{At: 1200 * time.Millisecond, Bound: time.Second}
		return s
	})
}
