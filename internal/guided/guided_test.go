package guided

import (
	"testing"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/internal/scenariotest"
	"github.com/faultline-sim/faultline/protocol/twopc"
	"github.com/faultline-sim/faultline/sim"
	"github.com/stretchr/testify/require"
)

// search runs a guided search of the registered scenario name and fails
// the test on an error.
func search(t *testing.T, name string, o Options) *Result {
	t.Helper()
	res, err := Search(scenariotest.Get(t, name), o)
	require.NoError(t, err)
	return res
}

func TestSearchFindsSendBeforeLogAndIsDeterministic(t *testing.T) {
	found := search(t, "2pc-bank-faults", Options{Bug: twopc.BugSendBeforeLog, Budget: 300, Seed: 3})
	require.True(t, found.Found, "send-before-log within 300 runs")
	require.Equal(t, "atomicity", found.Outcome.Results[0].Checker)
	t.Logf("found after %d runs; corpus %d, coverage %d", found.Runs, found.Corpus, found.Coverage)

	// The correct protocol: nothing to find, a corpus that grows, and the
	// same search twice is the same search.
	a := search(t, "2pc-bank-faults", Options{Budget: 40, Seed: 3})
	require.False(t, a.Found)
	require.Equal(t, 40, a.Runs)
	require.Greater(t, a.Corpus, 10)
	b := search(t, "2pc-bank-faults", Options{Budget: 40, Seed: 3})
	require.Equal(t, a, b)
}

func TestMutantsAreValidSchedulesKeepingTheHeal(t *testing.T) {
	s := scenariotest.Get(t, "2pc-bank-faults")
	w, err := sim.New(sim.Config{})
	require.NoError(t, err)
	require.NoError(t, s.System.Build(w, 1))
	known := func(n string) bool { _, ok := w.Lookup(n); return ok }
	r := newRand(7)
	plan := s.Plan(1)
	kinds := map[faults.Kind]bool{}
	for i := 0; i < 500; i++ {
		plan = mutate(r, s, plan)
		require.NoError(t, plan.Validate(known), "mutant %d", i)
		heal := 0
		for _, a := range plan.Actions {
			kinds[a.Kind] = true
			if a.Kind == faults.HealAll {
				heal++
			}
		}
		require.Equal(t, 1, heal, "mutant %d", i)
	}
	require.True(t, kinds[faults.MidCrash], "mutation moves crashes inside handlers")
}

func TestSearchNeedsRandomFaults(t *testing.T) {
	_, err := Search(scenariotest.Get(t, "2pc-bank"), Options{Budget: 5})
	require.ErrorContains(t, err, "draws no random faults")
}
