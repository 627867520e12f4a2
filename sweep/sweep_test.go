package sweep

import (
	"testing"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/internal/scenariotest"
	"github.com/stretchr/testify/require"
)

func TestParseRange(t *testing.T) {
	from, to, err := ParseRange("1-10000")
	require.NoError(t, err)
	require.Equal(t, [2]uint64{1, 10000}, [2]uint64{from, to})
	from, to, err = ParseRange("7")
	require.NoError(t, err)
	require.Equal(t, [2]uint64{7, 7}, [2]uint64{from, to})
	for in, want := range map[string]string{
		"9-1":          "start 9 is after end 1",
		"a-5":          `"a" is not a non-negative integer`,
		"1-":           `"" is not a non-negative integer`,
		"-3":           `"" is not a non-negative integer`,
		"":             "bad seed range",
		"1-1000000000": "more than",
	} {
		_, _, err := ParseRange(in)
		require.ErrorContains(t, err, want, in)
	}
}

func TestResultsAreTheSameForAnyWorkerCount(t *testing.T) {
	spec := scenariotest.Get(t, "2pc-bank-faults")
	for _, bug := range []string{"", "commit-on-partial-votes"} {
		one, err := Sweep(spec, Options{From: 1, To: 40, Workers: 1, Bug: bug})
		require.NoError(t, err)
		two, err := Sweep(spec, Options{From: 1, To: 40, Workers: 2, Bug: bug})
		require.NoError(t, err)
		require.Equal(t, one.Runs, two.Runs)
		require.Equal(t, one.Counts, two.Counts)
		require.Equal(t, one.Checks, two.Checks)
		require.Equal(t, 40, len(one.Runs))
		for i, r := range one.Runs {
			require.Equal(t, uint64(i+1), r.Seed)
		}
	}
}

func TestReportedFailuresAreReplayedAndDeterministic(t *testing.T) {
	spec := scenariotest.Get(t, "2pc-bank-faults")
	res, err := Sweep(spec, Options{From: 1, To: 30, Bug: "commit-on-partial-votes", Verify: 3})
	require.NoError(t, err)
	require.Greater(t, res.Counts[checker.Violation], 3)
	require.Len(t, res.Checks, 3)
	for _, c := range res.Checks {
		require.True(t, c.Reproduced, "seed %d", c.Seed)
		require.True(t, c.Deterministic, "seed %d", c.Seed)
		require.Len(t, c.TraceHash, 16)
	}
	require.Equal(t, res.Seeds(checker.Violation, 3), []uint64{res.Checks[0].Seed, res.Checks[1].Seed, res.Checks[2].Seed})
	require.Positive(t, res.ByChecker["atomicity"])
}

func TestBadInputIsAnErrorBeforeAnyRun(t *testing.T) {
	spec := scenariotest.Get(t, "2pc-bank")
	_, err := Sweep(spec, Options{From: 1, To: 5, Bug: "nope"})
	require.ErrorContains(t, err, `no planted bug "nope"`)
	_, err = Sweep(spec, Options{From: 5, To: 1})
	require.Error(t, err)
}
