package live

import (
	"strings"
	"time"

	"github.com/faultline-sim/faultline/checker"
)

// Judge runs on a live history the checkers the simulated lock scenarios
// run on theirs (scenarios.LockSystem, RedisSystem and ZKSystem.Check):
// the same functions of package checker, on the same facts.
//
//   - checker.LockLinearizable: the lock service's history (each server's
//     lock for Redis and Redlock, the recipe's lock for ZooKeeper), lease
//     expiry included as a server-side operation;
//   - checker.MutualExclusion: critical-section beliefs, in real time;
//   - checker.LostUpdates and checker.StorageSafety: the protected
//     storage, fenced or not, against the holders the lock servers record
//     (a majority of the five for Redlock).
//
// Against fenced storage two overlapping beliefs are harmless — the
// storage refuses the stale one, which StorageSafety checks — so, as the
// simulated fenced scenarios do, the mutual-exclusion result is then
// reported ok with the overlaps kept in its evidence.
func Judge(sc *Scenario, h *checker.History, linTimeout time.Duration) []checker.Result {
	mutex := checker.MutualExclusion(h)
	if sc.Fenced && mutex.Verdict == checker.Violation {
		mutex.Verdict = checker.OK
		mutex.Message = "beliefs overlapped, harmless with fenced storage (see storage): " + strings.TrimSpace(mutex.Message)
	}
	return []checker.Result{
		checker.LockLinearizable(h, linTimeout),
		mutex,
		checker.LostUpdates(h),
		checker.StorageSafety(h, sc.Quorum(), sc.Fenced),
	}
}
