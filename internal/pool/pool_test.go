package pool

import (
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRunsEveryIndexOnceAndReportsProgress(t *testing.T) {
	const n = 200
	var runs [n]atomic.Int32
	var last atomic.Int64
	var badTotal atomic.Bool
	started := Run(n, 3, nil, func(done, total int) {
		badTotal.CompareAndSwap(false, total != n)
		for { // a maximum kept by compare-and-swap: workers report at once
			l := last.Load()
			if int64(done) <= l || last.CompareAndSwap(l, int64(done)) {
				break
			}
		}
	}, func(_, i int) { runs[i].Add(1) })
	require.False(t, badTotal.Load(), "progress names the total")
	require.Equal(t, n, started)
	for i := range runs {
		require.Equal(t, int32(1), runs[i].Load(), "index %d", i)
	}
	require.Equal(t, int64(n), last.Load(), "progress reaches the total")
}

// A stopped pool has run exactly a prefix of the indexes, each to the end.
func TestAStoppedPoolRunsAPrefix(t *testing.T) {
	const n = 1000
	var runs [n]atomic.Int32
	var finished atomic.Int64
	started := Run(n, 4, func() bool { return finished.Load() >= 10 }, nil, func(_, i int) {
		runs[i].Add(1)
		finished.Add(1)
	})
	require.GreaterOrEqual(t, started, 10)
	require.Less(t, started, n)
	for i := range runs {
		want := int32(0)
		if i < started {
			want = 1
		}
		require.Equal(t, want, runs[i].Load(), "index %d of %d started", i, started)
	}
}

func TestNoWorkRunsNothing(t *testing.T) {
	require.Zero(t, Run(0, 0, nil, nil, func(int, int) { t.Fatal("ran") }))
}
