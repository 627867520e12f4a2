package kittest

import (
	"testing"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/internal/explore"
	"github.com/faultline-sim/faultline/internal/scenariotest"
	"github.com/faultline-sim/faultline/internal/shrink"
	"github.com/faultline-sim/faultline/internal/sweep"
	"github.com/stretchr/testify/require"
)

// sweepFaults sweeps the lease box's random-fault scenario on two workers
// and fails the test on an error; the sweep and shrink tests start so.
func sweepFaults(t *testing.T, o sweep.Options) *sweep.Result {
	t.Helper()
	o.Workers = 2
	res, err := sweep.Sweep(scenariotest.Get(t, "leasebox-faults"), o)
	require.NoError(t, err)
	return res
}

// Sweep: the lease box survives random crashes, partitions, loss and
// duplication; with volatile leases a restarted server hands out held
// locks, and random search finds it.
func TestSweepFindsTheVolatileLeases(t *testing.T) {
	ok := sweepFaults(t, sweep.Options{From: 1, To: 200, Verify: -1})
	require.Equal(t, 200, ok.Counts[checker.OK], "the correct lease box: %v", ok.Counts)

	bad := sweepFaults(t, sweep.Options{From: 1, To: 200, Verify: 2, Bug: BugVolatileLeases})
	require.Positive(t, bad.Counts[checker.Violation], "volatile leases not found in 200 seeds")
	require.Positive(t, bad.ByChecker["lock-linear"]+bad.ByChecker["mutex"]+bad.ByChecker["storage"], "%v", bad.ByChecker)
}

// Shrink: of a failing seed's random faults one crash of the server is
// enough, and shrink finds that one.
func TestShrinkKeepsOnlyTheServerCrash(t *testing.T) {
	res := sweepFaults(t, sweep.Options{From: 1, To: 100, Verify: -1, Bug: BugVolatileLeases})
	seeds := res.Seeds(checker.Violation, 1)
	require.NotEmpty(t, seeds)

	min, err := shrink.Shrink(scenariotest.Get(t, "leasebox-faults"), seeds[0], BugVolatileLeases, 300)
	require.NoError(t, err)
	require.Equal(t, checker.Violation, min.Outcome.Verdict)
	var kept []faults.Action
	for _, a := range min.Minimal.Actions {
		if a.Kind != faults.HealAll {
			kept = append(kept, a)
		}
	}
	require.Less(t, len(kept), len(min.Original.Actions), "nothing removed")
	require.Len(t, kept, 1, "minimal schedule %v", min.Minimal)
	require.Equal(t, faults.Crash, kept[0].Kind)
	require.Equal(t, ServerName, kept[0].Node)
}

// Crash points: the correct lease box survives a crash (and a restart
// 20ms later) at every effect boundary of its fault-free run; with
// volatile leases crashing the server after a grant loses the lease.
func TestCrashPointsCatchTheVolatileLeases(t *testing.T) {
	s := scenariotest.Get(t, "leasebox-contention")
	o := explore.Options{Seed: 1, RestartAfter: 20 * time.Millisecond, Nodes: []string{ServerName}}
	ok, err := explore.CrashPoints(s, o)
	require.NoError(t, err)
	require.Positive(t, ok.Counts[checker.OK])
	require.Zero(t, ok.Counts[checker.Violation], "%v", ok.Counts)

	o.Bug = BugVolatileLeases
	bad, err := explore.CrashPoints(s, o)
	require.NoError(t, err)
	require.Positive(t, bad.Counts[checker.Violation], "%v", bad.Counts)
}
