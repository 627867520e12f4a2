package compare

import (
	"encoding/json"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// A stopped grid reports whole seeds for every cell: the rows equal those
// of a grid run over just the seeds covered.
func TestStoppedGridCoversWholeSeeds(t *testing.T) {
	o := Options{Protocols: []string{"2pc", "3pc"}, Classes: []string{"none", "crash"}, Seeds: 50, Workers: 2}
	var done atomic.Int64
	o.Progress = func(int, int) { done.Add(1) }
	o.Stop = func() bool { return done.Load() >= 9 }
	rows, err := Run(o)
	require.NoError(t, err)
	covered := rows[0].Runs
	require.GreaterOrEqual(t, covered, 2)
	require.Less(t, covered, 50)
	for _, r := range rows {
		require.Equal(t, covered, r.Runs)
	}
	want, err := Run(Options{Protocols: o.Protocols, Classes: o.Classes, Seeds: covered, Workers: 1})
	require.NoError(t, err)
	require.Equal(t, want, rows)
}

// With nothing committed, latency has no value: null in JSON, not 0.
func TestMetricWithoutSamplesIsNullNotZero(t *testing.T) {
	rows, err := Run(Options{Protocols: []string{"2pc"}, Classes: []string{"coordinator-crash", "none"}, Seeds: 2})
	require.NoError(t, err)
	crash, none := rows[0], rows[1]
	require.Zero(t, crash.LatencySamples, "2PC commits nothing under a coordinator crash")
	require.Empty(t, crash.LatencyDecilesMs)
	require.Positive(t, none.LatencySamples)
	require.Len(t, none.LatencyDecilesMs, 11)
	var doc map[string]any
	b, err := json.Marshal(crash)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &doc))
	require.Nil(t, doc["commit_latency_p50_ms"])
	require.Nil(t, doc["commit_latency_p99_ms"])
	require.Contains(t, doc, "commit_latency_p50_ms")
	require.Equal(t, "2pc", doc["protocol"])
	require.NotNil(t, doc["messages_per_txn"], "transactions began, so per-transaction metrics have values")
	b, err = json.Marshal(none)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &doc))
	require.Equal(t, none.LatencyP50Ms, doc["commit_latency_p50_ms"])
}
