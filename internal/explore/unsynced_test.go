package explore

import (
	"testing"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/internal/scenariotest"
	"github.com/faultline-sim/faultline/protocol/twopc"
	"github.com/stretchr/testify/require"
)

// With unsynced writes lost, a sync is an effect boundary: a participant
// crashed between its write and its sync loses the write. Every crash
// point's run must lose them too — it did not (the storage setting was
// left out of each point's plan), and a crash then kept a write whose
// record the boundaries of the lossy run had put after the crash.
func TestCrashPointsLoseUnsyncedWritesLikeTheirBaseRun(t *testing.T) {
	spec := scenariotest.Get(t, "2pc-bank")
	spec.Faults.Unsynced = "lose"
	o := Options{Seed: 1, RestartAfter: 30 * time.Millisecond, PerKind: 2, Nodes: []string{"participant-1"}}
	res, err := CrashPoints(spec, o)
	require.NoError(t, err)
	require.Zero(t, res.Counts[checker.Violation], "the correct 2PC loses nothing it promised")
	for _, r := range res.Runs {
		require.Equal(t, "lose", r.Faults.Unsynced)
	}
	o.Bug = twopc.BugVoteBeforeSync
	bad, err := CrashPoints(spec, o)
	require.NoError(t, err)
	require.Positive(t, bad.Counts[checker.Violation], "a yes vote before its record is synced")
}
