package shrink

import (
	"testing"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/internal/scenariotest"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/stretchr/testify/require"
)

// shrunk shrinks seed of spec with the planted bug and fails the test on
// an error: a run with a violation to shrink, as the tests here expect.
func shrunk(t *testing.T, spec scenarios.Spec, seed uint64, bug string) *Result {
	t.Helper()
	res, err := Shrink(spec, seed, bug, 0)
	require.NoError(t, err)
	return res
}

// The 3PC split found by random search shrinks to the partition alone.
func TestShrinksTheThreePCSplitToOnePartition(t *testing.T) {
	res := shrunk(t, scenariotest.Get(t, "3pc-faults"), 83, "")
	require.Greater(t, len(res.Original.Actions), 10)
	require.Contains(t, res.Checkers, "atomicity")
	require.Equal(t, checker.Violation, res.Outcome.Verdict)
	var kinds []faults.Kind
	for _, a := range res.Minimal.Actions {
		kinds = append(kinds, a.Kind)
	}
	require.Len(t, kinds, 2, "one fault and the liveness phase's heal-all: %v", kinds)
	require.Contains(t, []faults.Kind{faults.Isolate, faults.Partition, faults.Cut}, kinds[0])
	require.Equal(t, faults.HealAll, kinds[1])
	require.True(t, res.Outcome.OwnFaults)
}

// Every fault left is needed: removing any one of them makes the run pass.
func TestEveryRemainingFaultIsNeeded(t *testing.T) {
	spec := scenariotest.Get(t, "2pc-bank-faults")
	res := shrunk(t, spec, 42, "presume-abort-on-restart")
	require.Less(t, len(res.Minimal.Actions)+len(res.Minimal.Triggers), len(res.Original.Actions)+len(res.Original.Triggers))
	for i, a := range res.Minimal.Actions {
		if a.Kind == faults.HealAll {
			continue
		}
		fewer := res.Minimal
		fewer.Actions = append(append([]faults.Action(nil), res.Minimal.Actions[:i]...), res.Minimal.Actions[i+1:]...)
		out, err := scenarios.Run(spec, scenarios.Options{Seed: 42, Bug: "presume-abort-on-restart", Schedule: &fewer, NoTrace: true})
		require.NoError(t, err)
		for _, r := range out.Results {
			if r.Verdict == checker.Violation {
				require.NotContains(t, res.Checkers, r.Checker, "removing %s still fails", a)
			}
		}
	}
}

func TestNothingToShrinkIsAnError(t *testing.T) {
	spec := scenariotest.Get(t, "2pc-bank")
	_, err := Shrink(spec, 1, "", 0)
	require.ErrorContains(t, err, "no violation to shrink")
}
