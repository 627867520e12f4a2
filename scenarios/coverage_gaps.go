package scenarios

import (
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/protocol/redislock"
	"github.com/faultline-sim/faultline/protocol/twopc"
	"github.com/faultline-sim/faultline/protocol/zklock"
	"github.com/faultline-sim/faultline/workload"
)

// Scenarios added because `simrun coverage` found mechanisms no scenario
// ran: cooperative 2PC never met a random fault (a restarted coordinator's
// presumed abort, a peer aborting a transaction it never voted on), the
// ZooKeeper client never left a critical section on a suspended
// connection (Curator's LeaveOnSuspend was off everywhere), and a
// replicated Redis never lost its master under random faults (a demoted
// master, a failed extend after a failover).
func init() {
	register(func() Spec {
		coop := twopc.Cooperative()
		coop.UnilateralAbort = 0.05
		s := commitSpec(coop, "2pc-coop-faults", "cooperative 2PC under the random faults of 2pc-bank-faults (same schedule per seed); uncertain participants ask their peers, a peer that never voted aborts; then heal and check every transfer is decided", checker.OK)
		s.Nemesis = commitNemesis(workload.DefaultBank())
		s.Liveness = healPhase
		return s
	})
	register(func() Spec {
		c := zklock.Default()
		c.FencedStorage, c.LeaveOnSuspend = true, true
		sys := zkLocks(c, zkWork(), nil, time.Second)
		s := Spec{Name: "zk-lock-suspend-faults", Description: "as zk-lock-fenced-faults with Curator's advice on: a client whose connection is suspended leaves its critical section (cs-leave why=suspended); fenced storage, no stale token accepted",
			Expect: checker.OK, System: sys, Network: defaultNetwork, MaxTime: 4 * time.Second}
		s.Nemesis = zkNemesis(append([]string{zklock.ServerName, zklock.StorageName}, sys.Work.ClientNames()...))
		s.Liveness = &Liveness{At: 1200 * time.Millisecond, Bound: time.Second}
		return s
	})
	register(func() Spec {
		cfg := single(func(c *redislock.Config) {
			c.Replica, c.TTL, c.Work = true, 200*time.Millisecond, 60*time.Millisecond
		})
		w := oneLock(3, 8, 50*time.Millisecond)
		s := redisSpec("redis-failover-faults", "a Redis master with a replica and failover, 3 clients, unfenced storage, under the random faults of redis-lock-faults: a failover loses keys, a restarted master comes back as a replica; then heal",
			checker.Violation, redisLocks(cfg, w, nil, 400*time.Millisecond), faults.Schedule{})
		s.Nemesis = redisFaultsNemesis(cfg, w.ClientNames())
		s.Liveness = &Liveness{At: 1200 * time.Millisecond, Bound: time.Second}
		s.MaxTime = 3 * time.Second
		return s
	})
}
