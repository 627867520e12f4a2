package cli

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBugsListsTheCatalogWithItsMeans(t *testing.T) {
	code, out, _ := simrun("bugs")
	require.Equal(t, 0, code)
	for _, want := range []string{"send-before-log", "simrun crashpoints 2pc-bank --per-kind 3 --restart-after 30ms --nodes coordinator --bug send-before-log",
		"simrun sweep 2pc-bank-faults --seeds 1-50 --bug vote-before-sync --unsynced lose", "kernel/cut-ignored", "planted bugs"} {
		require.Contains(t, out, want)
	}
	code, out, _ = simrun("list", "--json")
	require.Equal(t, 0, code)
	var j struct {
		Bugs []struct {
			Bug   string `json:"bug"`
			Means struct {
				Scenario string `json:"scenario"`
			} `json:"means"`
		} `json:"planted_bugs"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &j))
	require.GreaterOrEqual(t, len(j.Bugs), 24)
}

func TestUnsyncedFlagLosesWritesAndRefusesNonsense(t *testing.T) {
	code, out, _ := simrun("run", "redlock-restart-aof", "--seed", "1", "--bug", "aof-everysec")
	require.Equal(t, 0, code, "writes are kept by default: the late fsync costs nothing")
	code, out, _ = simrun("run", "redlock-restart-aof", "--seed", "1", "--bug", "aof-everysec", "--unsynced", "lose", "--viz-dir", t.TempDir())
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "mutex         violation")
	code, _, errOut := simrun("sweep", "2pc-bank-faults", "--seeds", "1-2", "--unsynced", "sometimes")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, `sweep: --unsynced "sometimes": want keep, lose or torn`)
}
