package scenarios

import (
	"fmt"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/protocol/lockmgr"
	"github.com/faultline-sim/faultline/protocol/optimistic"
	"github.com/faultline-sim/faultline/workload"
)

// lockNemesis is the random-fault mix of lockmgr-contention: crashes of
// the manager, the storage and clients, every partition shape, lossy and
// duplicating links. It leaves out slow links, pauses and clock jumps on
// purpose: under those a correct but unfenced lock lets a stale holder's
// write land after its lease (Kleppmann's counterexamples), which is the
// subject of the fencing scenarios, not a bug of this protocol.
func lockNemesis(targets []string) *faults.Nemesis {
	n := swarm(targets)
	n.CrashRate, n.Downtime, n.NoRestart = 4, ms(80), 0.2
	n.PartitionRate, n.PartitionLength = 3, ms(80)
	n.LossRate, n.LossLength, n.Loss, n.Duplicate = 2, ms(100), 0.3, 0.2
	return n
}

// swarm is a random-fault plan over the first second of a run on the
// default network, faults striking targets; swarm mode lets each seed
// pick its own mix of the kinds given rates.
func swarm(targets []string) *faults.Nemesis {
	return &faults.Nemesis{Targets: targets, Start: 0, Stop: ms(1000), Base: defaultNetwork, Swarm: true}
}

// inventoryNemesis adds slow links to the lock mix: optimistic locking
// makes no timing assumption, so delays can only slow it down.
func inventoryNemesis(targets []string) *faults.Nemesis {
	n := lockNemesis(targets)
	n.SlowRate, n.SlowLength, n.SlowBy = 2, ms(100), ms(20)
	return n
}

func contentionWork() workload.Locks {
	w := workload.DefaultLocks()
	w.JobsPerClient, w.Interval = 8, 100*time.Millisecond
	return w
}

// managerLocks is the lock manager as a lock system.
func managerLocks(m lockmgr.Config, work workload.Locks, jobs []workload.LockJob, wait, takeover time.Duration) Locks {
	return Locks{Lock: m, Judges: LeaseJudges, Work: work, Jobs: jobs, WaitBound: wait, TakeoverBound: takeover}
}

func lockSpec(name, desc string, expect checker.Verdict, sys Locks) Spec {
	return Spec{Name: name, Description: desc, Expect: expect, System: sys, Network: defaultNetwork, MaxTime: 3 * time.Second}
}

// deadlockJobs are two clients taking two locks in opposite order, each
// pausing after its first lock so both first locks are held when the
// second requests arrive.
func deadlockJobs() []workload.LockJob {
	return []workload.LockJob{
		{ID: "c1-j1", Client: workload.ClientName(1), At: time.Millisecond, Locks: []string{"lock-1", "lock-2"}},
		{ID: "c2-j1", Client: workload.ClientName(2), At: time.Millisecond, Locks: []string{"lock-2", "lock-1"}},
	}
}

func init() {
	register(func() Spec {
		sys := managerLocks(lockmgr.Default(), contentionWork(), nil, 500*time.Millisecond, 300*time.Millisecond)
		s := lockSpec("lockmgr-contention", "lock manager: 8 clients, 3 locks, jobs needing 1-2 locks in random order, under random crashes, partitions, loss and duplication; then heal", checker.OK, sys)
		s.Nemesis = lockNemesis(append([]string{lockmgr.ManagerName, lockmgr.StorageName}, sys.Work.ClientNames()...))
		s.Liveness = &Liveness{At: 1200 * time.Millisecond, Bound: time.Second}
		s.MaxTime = 4 * time.Second
		return s
	})
	register(func() Spec {
		var jobs []workload.LockJob
		for c := 1; c <= 3; c++ {
			for j := 1; j <= 2; j++ {
				jobs = append(jobs, workload.LockJob{ID: fmt.Sprintf("c%d-j%d", c, j), Client: workload.ClientName(c),
					At: time.Duration(c+10*(j-1)) * time.Millisecond, Locks: []string{"lock-1"}})
			}
		}
		sys := managerLocks(lockmgr.Default(), workload.Locks{}, jobs, time.Second, 200*time.Millisecond)
		s := lockSpec("lockmgr-crash", "the holder crashes inside its critical section and stays down; its lease frees the lock and the next client proceeds", checker.OK, sys)
		s.Faults = faults.Schedule{Triggers: []faults.Trigger{{On: "cs-enter", Node: workload.ClientName(1), Do: []faults.Action{{Kind: faults.Crash, Node: workload.ClientName(1)}}}}}
		return s
	})
	register(func() Spec {
		m := lockmgr.Default()
		m.Think = 10 * time.Millisecond
		sys := managerLocks(m, workload.Locks{}, deadlockJobs(), 500*time.Millisecond, time.Second)
		return lockSpec("lockmgr-deadlock", "two clients take two locks in opposite order; the manager finds the wait-for cycle, refuses the victim, and both finish", checker.OK, sys)
	})
	register(func() Spec {
		m := lockmgr.TimeoutOnly(60 * time.Millisecond)
		m.Think = 10 * time.Millisecond
		sys := managerLocks(m, workload.Locks{}, deadlockJobs(), 500*time.Millisecond, time.Second)
		return lockSpec("lockmgr-deadlock-timeout", "as lockmgr-deadlock without cycle detection: only the 60ms wait timeout ends the deadlock, later and often for both clients", checker.OK, sys)
	})
	register(func() Spec {
		sys := InventorySystem{Store: optimistic.Default(), Work: workload.DefaultInventory()}
		return Spec{Name: "optimistic-inventory", Description: "optimistic locking: 6 clients sell 2 items from a versioned store with compare-and-set, re-reading on conflict; no overselling",
			Expect: checker.OK, System: sys, Network: defaultNetwork, MaxTime: 3 * time.Second}
	})
	register(func() Spec {
		sys := InventorySystem{Store: optimistic.Default(), Work: workload.DefaultInventory()}
		sys.Work.Interval = 100 * time.Millisecond
		s := Spec{Name: "optimistic-inventory-faults", Description: "optimistic inventory under random crashes of store and clients, partitions, delays, loss and duplication; then heal",
			Expect: checker.OK, System: sys, Network: defaultNetwork, MaxTime: 3 * time.Second}
		s.Nemesis = inventoryNemesis(append([]string{optimistic.StoreName}, sys.Work.ClientNames()...))
		s.Liveness = &Liveness{At: 1200 * time.Millisecond, Bound: time.Second}
		s.MaxTime = 4 * time.Second
		return s
	})
}
