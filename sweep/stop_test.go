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
	res, err := Sweep(spec, Options{From: 5, To: 1000, Workers: 2,
		Progress: func(int, int) { done.Add(1) },
		Stop:     func() bool { return done.Load() >= 10 }})
	require.NoError(t, err)
	require.True(t, res.Stopped)
	require.GreaterOrEqual(t, len(res.Runs), 10)
	require.Less(t, len(res.Runs), 996)
	require.Equal(t, uint64(5), res.From)
	require.Equal(t, res.From+uint64(len(res.Runs))-1, res.To)
	total := 0
	for i, r := range res.Runs {
		require.Equal(t, uint64(5+i), r.Seed, "every seed of the prefix ran")
		require.NotEmpty(t, r.Verdict)
	}
	for _, n := range res.Counts {
		total += n
	}
	require.Equal(t, len(res.Runs), total)

	full, err := Sweep(spec, Options{From: 5, To: res.To, Workers: 1})
	require.NoError(t, err)
	require.False(t, full.Stopped)
	require.Equal(t, full.Runs, res.Runs, "the prefix is what a sweep of just those seeds gives")

	none, err := Sweep(spec, Options{From: 5, To: 10, Stop: func() bool { return true }})
	require.NoError(t, err)
	require.True(t, none.Stopped)
	require.Empty(t, none.Runs)
}
