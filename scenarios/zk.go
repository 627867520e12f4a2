package scenarios

import (
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/protocol/lockmgr"
	"github.com/faultline-sim/faultline/protocol/zklock"
	"github.com/faultline-sim/faultline/workload"
)

// oneLockJobs are three clients, one job each on lock-1, asking in turn:
// client-1 gets the lock, the others queue behind it.
func oneLockJobs() []workload.LockJob {
	var jobs []workload.LockJob
	for c := 1; c <= 3; c++ {
		jobs = append(jobs, workload.LockJob{ID: workload.ClientName(c) + "-j1", Client: workload.ClientName(c),
			At: time.Duration(1+5*(c-1)) * time.Millisecond, Locks: []string{"lock-1"}})
	}
	return jobs
}

// zkPartition is Z1 scripted: as soon as client-1 enters its critical
// section it is cut off from ZooKeeper (not from the storage) for 500ms.
// Its work (250ms between read and write) outlasts its session (150ms):
// the session expires, client-2's watch fires, client-2 holds the lock,
// and client-1, still believing, writes.
func zkPartition(fenced bool) Locks {
	c := zklock.Default()
	c.Work = 250 * time.Millisecond
	c.FencedStorage = fenced
	return zkLocks(c, workload.Locks{}, oneLockJobs(), 2*time.Second)
}

// zkLocks is the ZooKeeper recipe as a lock system. A crashed holder's
// lock must reach the next client within the session timeout and a retry
// bound: the expiry's notification, a getChildren, or a lost session of
// its own and a new node.
func zkLocks(c zklock.Config, work workload.Locks, jobs []workload.LockJob, wait time.Duration) Locks {
	return Locks{Lock: c, Judges: ZKJudges, Work: work, Jobs: jobs, WaitBound: wait, TakeoverBound: c.SessionTimeout + 200*time.Millisecond}
}

func zkPartitionFaults() faults.Schedule {
	return faults.Schedule{Triggers: []faults.Trigger{{On: "cs-enter", Node: workload.ClientName(1), Do: []faults.Action{
		{Kind: faults.Partition, Groups: [][]string{{workload.ClientName(1)}, {zklock.ServerName}}},
		{At: ms(500), Kind: faults.Heal},
	}}}}
}

// pauseHolder pauses client-1 for 300ms as it enters its critical section
// (a stop-the-world GC pause): its 150ms lease runs out, client-2 gets the
// lock, and client-1 resumes to handle its read's answer and write.
func pauseHolder() faults.Schedule {
	return faults.Schedule{Triggers: []faults.Trigger{{On: "cs-enter", Node: workload.ClientName(1), Do: []faults.Action{
		{Kind: faults.Pause, Node: workload.ClientName(1), Duration: ms(300)},
	}}}}
}

func zkWork() workload.Locks {
	return workload.Locks{Clients: 5, Locks: 2, JobsPerClient: 4, MaxLocksPerJob: 1, Interval: 80 * time.Millisecond, Start: time.Millisecond}
}

// zkNemesis is the random mix of the ZooKeeper fault scenarios: pauses,
// clock jumps, crashes and partitions of the server, the storage and the
// clients. Clock jumps change nothing: ZooKeeper, like this simulation of
// it, times sessions on monotonic clocks.
func zkNemesis(targets []string) *faults.Nemesis {
	n := swarm(targets)
	n.CrashRate, n.Downtime, n.NoRestart = 2, ms(100), 0.2
	n.PartitionRate, n.PartitionLength = 2, ms(150)
	n.PauseRate, n.PauseLength, n.ClockRate, n.ClockJump = 3, ms(150), 2, ms(200)
	return n
}

func zkFaults(name, desc string, expect checker.Verdict, fenced bool) Spec {
	c := zklock.Default()
	c.FencedStorage = fenced
	sys := zkLocks(c, zkWork(), nil, time.Second)
	s := Spec{Name: name, Description: desc, Expect: expect, System: sys, Network: defaultNetwork, MaxTime: 4 * time.Second}
	s.Nemesis = zkNemesis(append([]string{zklock.ServerName, zklock.StorageName}, sys.Work.ClientNames()...))
	s.Liveness = &Liveness{At: 1200 * time.Millisecond, Bound: time.Second}
	return s
}

func init() {
	register(func() Spec {
		return Spec{Name: "zk-lock-partition", Description: "ZooKeeper lock, Z1: the holder is cut off from ZooKeeper inside a long critical section; its session expires, the next waiter's watch fires and it takes the lock; the stale holder still writes: unfenced storage corrupted",
			Expect: checker.Violation, System: zkPartition(false), Faults: zkPartitionFaults(), Network: defaultNetwork, MaxTime: 3 * time.Second}
	})
	register(func() Spec {
		return Spec{Name: "zk-lock-fenced", Description: "as zk-lock-partition against fenced storage, tokens being the lock nodes' czxids: the stale holder's write is rejected",
			Expect: checker.OK, System: zkPartition(true), Faults: zkPartitionFaults(), Network: defaultNetwork, MaxTime: 3 * time.Second}
	})
	register(func() Spec {
		return zkFaults("zk-lock-faults", "ZooKeeper lock: 5 clients, 2 locks, unfenced storage, under random pauses, clock jumps, crashes and partitions; then heal", checker.Violation, false)
	})
	register(func() Spec {
		return zkFaults("zk-lock-fenced-faults", "as zk-lock-faults against fenced storage (czxid tokens): no stale token ever accepted", checker.OK, true)
	})
	register(func() Spec {
		sys := managerLocks(lockmgr.Default(), workload.Locks{}, oneLockJobs(), time.Second, time.Second)
		s := lockSpec("lockmgr-pause", "lock manager, Kleppmann's pause: the holder pauses 300ms inside its critical section, past its 150ms lease; the next client gets the lock; the stale holder resumes and writes: unfenced storage corrupted", checker.Violation, sys)
		s.Faults = pauseHolder()
		return s
	})
	register(func() Spec {
		m := lockmgr.Default()
		m.FencedStorage = true
		sys := managerLocks(m, workload.Locks{}, oneLockJobs(), time.Second, time.Second)
		s := lockSpec("lockmgr-fenced", "as lockmgr-pause against fenced storage, tokens from the manager's counter: the stale holder's write is rejected", checker.OK, sys)
		s.Faults = pauseHolder()
		return s
	})
}
