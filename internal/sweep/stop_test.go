package sweep

import (
	"sync/atomic"
	"testing"

	"github.com/faultline-sim/faultline/internal/scenariotest"
	"github.com/stretchr/testify/require"
)

// A stopped sweep covers a prefix of its range, every seed of it run, and
// says so; the counts are those of that prefix.
func TestStoppedSweepCoversAPrefixOfTheRange(t *testing.T) {
	spec := scenariotest.Get(t, "2pc-bank-faults")
	var done atomic.Int64
	res, runs := rows(t, spec, Options{From: 5, To: 1000, Workers: 2,
		Progress: func(int, int) { done.Add(1) },
		Stop:     func() bool { return done.Load() >= 10 }})
	require.True(t, res.Stopped)
	require.GreaterOrEqual(t, res.Total, 10)
	require.Less(t, res.Total, 996)
	require.Len(t, runs, res.Total)
	require.Equal(t, uint64(5), res.From)
	require.Equal(t, res.From+uint64(res.Total)-1, res.To)
	total := 0
	for i, r := range runs {
		require.Equal(t, uint64(5+i), r.Seed, "every seed of the prefix ran")
		require.NotEmpty(t, r.Verdict)
	}
	for _, n := range res.Counts {
		total += n
	}
	require.Equal(t, res.Total, total)

	full, fullRuns := rows(t, spec, Options{From: 5, To: res.To, Workers: 1})
	require.False(t, full.Stopped)
	require.Equal(t, fullRuns, runs, "the prefix is what a sweep of just those seeds gives")
	require.Equal(t, full.Counts, res.Counts)

	none, err := Sweep(spec, Options{From: 5, To: 10, Stop: func() bool { return true }})
	require.NoError(t, err)
	require.True(t, none.Stopped)
	require.Zero(t, none.Total)
}
