package live

import (
	"time"

	"github.com/faultline-sim/faultline/checker"
)

// Judgers are the lock family's judges, checker.LockFamily, which the
// simulated lock scenarios (scenarios.Locks) run too, on the same facts.
// The service history is checker.LockLinearizable for every live recipe:
// each server's lock for Redis and Redlock, the recipe's lock for
// ZooKeeper, lease expiry included as a server-side operation. Storage
// safety counts a majority of the five servers for Redlock.
func Judgers(sc *Scenario, linTimeout time.Duration) []checker.Checker {
	return checker.LockFamily(checker.LockLinearizable{Timeout: linTimeout}, sc.Fenced, sc.Quorum())
}

// Judge runs Judgers on a live history through checker.RunAll, the one
// place simulated results are made too (a checker that saw no evidence is
// unknown, never ok).
func Judge(sc *Scenario, h *checker.History, linTimeout time.Duration) []checker.Result {
	return checker.RunAll(h, Judgers(sc, linTimeout))
}
