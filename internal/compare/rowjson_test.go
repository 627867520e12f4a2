package compare

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every float metric of a Row is null in JSON while the count it is taken
// over is zero, under its own json key, and a number once it is not: a
// metric added without an over tag, or a key renamed, fails here.
func TestRowJSONNullsEveryMetricWithoutSamples(t *testing.T) {
	var r Row
	v := reflect.ValueOf(&r).Elem()
	var metrics []string
	for i := range v.NumField() {
		if f := v.Type().Field(i); f.Type.Kind() == reflect.Float64 {
			v.Field(i).SetFloat(1.5)
			metrics = append(metrics, f.Tag.Get("json"))
		}
	}
	require.Len(t, metrics, 10)
	doc := func() map[string]any {
		b, err := json.Marshal(r)
		require.NoError(t, err)
		var m map[string]any
		require.NoError(t, json.Unmarshal(b, &m))
		return m
	}
	m := doc()
	for _, k := range metrics {
		require.Contains(t, m, k)
		require.Nil(t, m[k], "%s has no samples", k)
	}
	r.Txns, r.LatencySamples, r.LockHoldSamples = 3, 2, 1
	m = doc()
	for _, k := range metrics {
		require.Equal(t, 1.5, m[k], k)
	}
	r.LatencySamples = 0
	m = doc()
	require.Nil(t, m["commit_latency_p50_ms"])
	require.Nil(t, m["commit_latency_p99_ms"])
	require.Equal(t, 1.5, m["lock_hold_p99_ms"])
	require.Equal(t, 1.5, m["messages_per_txn"])
}
