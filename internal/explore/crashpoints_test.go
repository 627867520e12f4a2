package explore

import (
	"strings"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/internal/scenariotest"
	"github.com/faultline-sim/faultline/protocol/twopc"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/stretchr/testify/require"
)

// crashPoints runs spec's crash points and fails the test on an error,
// which every test here but the one about bad input expects none of.
func crashPoints(t *testing.T, spec scenarios.Spec, o Options) *Result {
	t.Helper()
	res, err := CrashPoints(spec, o)
	require.NoError(t, err)
	return res
}

func TestCorrectTwoPCSurvivesEveryCrashPoint(t *testing.T) {
	res := crashPoints(t, scenariotest.Get(t, "2pc-bank"), Options{Seed: 1, RestartAfter: 30 * time.Millisecond, PerKind: 8})
	require.Greater(t, res.Points, 200)
	require.Greater(t, res.Boundaries, res.Distinct, "timers and records share their effect's point")
	require.GreaterOrEqual(t, res.Distinct, res.Points)
	require.Equal(t, res.Points, res.Counts[checker.OK], "%v", res.Counts)
	kinds := map[string]bool{}
	for _, r := range res.Runs {
		kinds[r.Point.Node+"/"+r.Point.Kind] = true
	}
	// The old crash points at observations are still there, and now also
	// the writes and sends with no observation beside them.
	for _, k := range []string{"coordinator/observe begin", "coordinator/observe votes-in", "coordinator/put decision/",
		"coordinator/send Prepare", "coordinator/send Decision", "participant-1/put prepared/", "participant-1/send Vote",
		"participant-2/write balance/", "participant-2/send Ack"} {
		require.True(t, kinds[k], "no crash point %s", k)
	}
}

// The planted recovery bug is found without any randomness: some crash
// point after a yes vote, followed by a restart, breaks atomicity.
func TestCrashPointsFindThePlantedRecoveryBug(t *testing.T) {
	res := crashPoints(t, scenariotest.Get(t, "2pc-bank"), Options{Seed: 1, Bug: "presume-abort-on-restart", RestartAfter: 30 * time.Millisecond, PerKind: 8})
	require.Positive(t, res.Counts[checker.Violation])
	found := false
	for _, r := range res.Runs {
		if r.Verdict == checker.Violation {
			require.Contains(t, r.Point.Node, "participant-", "only a participant's restart triggers this bug")
			found = found || r.Failures[0].Checker == "atomicity"
		}
	}
	require.True(t, found)
}

// Without a restart the coordinator's crash points after the votes are in
// leave 2PC blocked, as the seed article says; 3PC is never blocked.
func TestCoordinatorCrashPointsBlockTwoPCNotThreePC(t *testing.T) {
	for name, wantBlocked := range map[string]bool{"2pc-bank": true, "3pc-bank": false} {
		spec := scenariotest.Get(t, name)
		spec.Liveness = nil // no heal-all: a crashed coordinator stays down
		res := crashPoints(t, spec, Options{Seed: 1, PerKind: 3, Nodes: []string{"coordinator"}})
		require.Zero(t, res.Counts[checker.Violation], name)
		require.Equal(t, wantBlocked, res.Counts[checker.Blocked] > 0, "%s: %v", name, res.Counts)
	}
}

func TestUnknownNodeIsAnError(t *testing.T) {
	spec := scenariotest.Get(t, "2pc-bank")
	_, err := CrashPoints(spec, Options{Seed: 1, Nodes: []string{"nobody"}})
	require.ErrorContains(t, err, `no node "nobody"`)
}

// survives runs a node's crash points and requires every one to pass
// every checker; it returns the result for further checks.
func survives(t *testing.T, scenario, node string, restart time.Duration, perKind, minPoints int) *Result {
	t.Helper()
	res := crashPoints(t, scenariotest.Get(t, scenario), Options{Seed: 1, RestartAfter: restart, PerKind: perKind, Nodes: []string{node}})
	require.Greater(t, res.Points, minPoints, scenario)
	require.Equal(t, res.Points, res.Counts[checker.OK], "%s %s restart %v: %v", scenario, node, restart, res.Counts)
	return res
}

// Regression: crash points of the lock manager once broke the lock
// history — a grant logged but unanswered was granted again, a release
// could be split from its logged answer, and the checker had no place for
// a grant no client ever heard of. With and without a restart, every
// manager crash point now passes every checker.
func TestLockManagerSurvivesItsCrashPoints(t *testing.T) {
	survives(t, "lockmgr-contention", "lock-manager", 0, 6, 10)
	survives(t, "lockmgr-contention", "lock-manager", 30*time.Millisecond, 6, 10)
}

// Regression: a store crash between applying a compare-and-set and logging
// its answer made the resend fail against its own write; one between the
// logged answer and the write made the restart re-apply the write without
// recording it, and the checker judged the stock by the write before.
func TestOptimisticStoreSurvivesItsCrashPoints(t *testing.T) {
	survives(t, "optimistic-inventory", "store", 30*time.Millisecond, 6, 5)
}

// Regression: a participant's finish was three durable writes (the new
// balances, the outcome, the prepared record's removal). A crash after the
// balances re-applied them after the restart; one after the outcome left
// the participant in doubt forever. Now one atomic write, in every commit
// protocol.
func TestParticipantsFinishInOneWrite(t *testing.T) {
	for _, name := range []string{"2pc-bank", "3pc-bank", "paxoscommit-bank"} {
		res := survives(t, name, "participant-1", 30*time.Millisecond, 4, 10)
		writes := 0
		for _, r := range res.Runs {
			if strings.HasPrefix(r.Point.Kind, "write ") {
				writes++
			}
		}
		require.Positive(t, writes, name)
	}
}

// Regression: the lock services' storage wrote a cell and then logged its
// answer; a crash between them applied the resent write twice.
func TestStorageWritesAndLogsItsAnswerAtOnce(t *testing.T) {
	survives(t, "lockmgr-contention", "storage", 30*time.Millisecond, 8, 10)
}

// Regression: the ZooKeeper server wrote a request's sequence counter,
// zxid and node one by one; a crash between them left a counter without
// its node or a node without its zxid, and a closed session's record
// could be cut from its deletion. Each request and each session expiry is
// now one atomic step (sim.Env.Atomic).
func TestZooKeeperAppliesEachTransactionAtOnce(t *testing.T) {
	survives(t, "zk-lock-fenced", "zookeeper", 30*time.Millisecond, 10, 30)
}

// With unsynced writes lost, a sync is an effect boundary: a participant
// crashed between its write and its sync loses the write. Every crash
// point's run must lose them too — it did not (the storage setting was
// left out of each point's plan), and a crash then kept a write whose
// record the boundaries of the lossy run had put after the crash.
func TestCrashPointsLoseUnsyncedWritesLikeTheirBaseRun(t *testing.T) {
	spec := scenariotest.Get(t, "2pc-bank")
	spec.Faults.Unsynced = "lose"
	o := Options{Seed: 1, RestartAfter: 30 * time.Millisecond, PerKind: 2, Nodes: []string{"participant-1"}}
	res := crashPoints(t, spec, o)
	require.Zero(t, res.Counts[checker.Violation], "the correct 2PC loses nothing it promised")
	for _, r := range res.Runs {
		require.Equal(t, "lose", r.Faults.Unsynced)
	}
	o.Bug = twopc.BugVoteBeforeSync
	bad := crashPoints(t, spec, o)
	require.Positive(t, bad.Counts[checker.Violation], "a yes vote before its record is synced")
}
