package live

import (
	"time"

	"github.com/faultline-sim/faultline/checker"
)

// Judgers are the checkers the simulated lock scenarios run (scenarios.Locks
// with its service judges), as the same values of package checker, on the
// same facts:
//
//   - checker.LockLinearizable: the lock service's history (each server's
//     lock for Redis and Redlock, the recipe's lock for ZooKeeper), lease
//     expiry included as a server-side operation;
//   - checker.MutualExclusion: critical-section beliefs, in real time;
//     against fenced storage overlapping beliefs are harmless (Fenced);
//   - checker.LostUpdates and checker.StorageSafety: the protected
//     storage, fenced or not, against the holders the lock servers record
//     (a majority of the five for Redlock).
func Judgers(sc *Scenario, linTimeout time.Duration) []checker.Checker {
	return []checker.Checker{
		checker.LockLinearizable{Timeout: linTimeout},
		checker.MutualExclusion{Fenced: sc.Fenced},
		checker.LostUpdates{},
		checker.StorageSafety{Quorum: sc.Quorum(), Fenced: sc.Fenced},
	}
}

// Judge runs Judgers on a live history through checker.RunAll, the one
// place simulated results are made too (a checker that saw no evidence is
// unknown, never ok).
func Judge(sc *Scenario, h *checker.History, linTimeout time.Duration) []checker.Result {
	return checker.RunAll(h, Judgers(sc, linTimeout))
}
