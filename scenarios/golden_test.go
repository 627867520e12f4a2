package scenarios_test

import (
	"encoding/json"
	"os"
	"testing"

	_ "github.com/faultline-sim/faultline/protocol/lockkit/kittest" // the lease box's two scenarios
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/stretchr/testify/require"
)

// goldenFile holds every registered scenario's trace hashes for seeds 1-5,
// recorded on main before the scenarios became files: the file-based
// scenarios must reproduce them bit for bit.
const goldenFile = "testdata/trace-hashes.json"

func goldenHashes(t *testing.T) map[string][]string {
	got := map[string][]string{}
	for _, s := range scenarios.All() {
		for seed := uint64(1); seed <= 5; seed++ {
			out, err := scenarios.Run(s, scenarios.Options{Seed: seed})
			require.NoError(t, err, s.Name)
			got[s.Name] = append(got[s.Name], out.TraceHash)
		}
	}
	return got
}

func TestTraceHashesMatchTheGoldenFile(t *testing.T) {
	got := goldenHashes(t)
	if os.Getenv("FAULTLINE_UPDATE_GOLDEN") == "1" {
		b, err := json.MarshalIndent(got, "", "  ")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(goldenFile, append(b, '\n'), 0o644))
		return
	}
	data, err := os.ReadFile(goldenFile)
	require.NoError(t, err)
	var want map[string][]string
	require.NoError(t, json.Unmarshal(data, &want))
	require.Equal(t, want, got)
}
