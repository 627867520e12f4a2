package pool

import (
	"math"
	"os"
	"runtime/debug"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// While runs go on, the collector works to a budget instead of a
// percentage, and afterwards the settings are back as they were, also
// when Runs overlap.
func TestRunsCollectByBudgetAndRestore(t *testing.T) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("GOGC or GOMEMLIMIT is set in the environment; the pool keeps the user's settings")
	}
	before := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(before) })
	limitBefore := debug.SetMemoryLimit(-1)
	require.EqualValues(t, math.MaxInt64, limitBefore, "no limit set outside a run")

	var mu sync.Mutex
	var inside []int
	var limits []int64
	Run(4, 2, nil, nil, func(_, i int) {
		if i == 0 {
			// A Run started inside another (compare inside a sweep would
			// be one) shares the budget and must not restore early.
			Run(1, 1, nil, nil, func(int, int) {})
		}
		p := debug.SetGCPercent(-1) // reads it (and keeps it off)
		l := debug.SetMemoryLimit(-1)
		mu.Lock()
		inside, limits = append(inside, p), append(limits, l)
		mu.Unlock()
	})
	for i := range inside {
		require.Equal(t, -1, inside[i], "the percentage is off while runs go on")
		require.Less(t, limits[i], int64(math.MaxInt64), "a memory budget is set")
		require.GreaterOrEqual(t, limits[i], int64(gcBudget))
	}
	require.Equal(t, 100, debug.SetGCPercent(100), "the percentage is back")
	require.EqualValues(t, math.MaxInt64, debug.SetMemoryLimit(-1), "the limit is back")
}

func TestAUsersGCSettingsAreKept(t *testing.T) {
	t.Setenv("GOGC", "150")
	before := debug.SetGCPercent(150)
	t.Cleanup(func() { debug.SetGCPercent(before) })
	var inside int
	Run(1, 1, nil, nil, func(int, int) { inside = debug.SetGCPercent(150) })
	require.Equal(t, 150, inside)
}
