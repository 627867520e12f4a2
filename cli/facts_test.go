package cli

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFactsListsTheVocabulary(t *testing.T) {
	code, out, _ := simrun("facts")
	require.Equal(t, 0, code)
	require.Regexp(t, `(?m)^votes-in +the coordinator has every vote`, out)
	require.Regexp(t, `(?m)^    all-yes +bool$`, out)
	require.Regexp(t, `(?m)^    via +enum: coordinator, peer,`, out)
	require.Regexp(t, `(?m)^    key \| lock +string$`, out)

	code, out, _ = simrun("facts", "--json")
	require.Equal(t, 0, code)
	var kinds []struct {
		Kind  string `json:"kind"`
		Attrs []struct {
			Name   string   `json:"name"`
			Type   string   `json:"type"`
			Values []string `json:"values"`
		} `json:"attrs"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &kinds))
	found := false
	for _, k := range kinds {
		if k.Kind == "cs-leave" {
			found = true
			require.Equal(t, "why", k.Attrs[2].Name)
			require.Contains(t, k.Attrs[2].Values, "lease-ending")
		}
	}
	require.True(t, found)
}

func TestListJSONHasScenariosCheckersAndFacts(t *testing.T) {
	code, out, _ := simrun("list", "--json")
	require.Equal(t, 0, code)
	var l struct {
		Scenarios []struct {
			Name        string   `json:"name"`
			Description string   `json:"description"`
			Expect      string   `json:"expect"`
			BySweep     bool     `json:"expect_by_sweep"`
			PlantedBugs []string `json:"planted_bugs"`
			Checkers    []struct {
				Name  string   `json:"name"`
				Class string   `json:"class"`
				Needs []string `json:"needs"`
			} `json:"checkers"`
		} `json:"scenarios"`
		Facts []struct {
			Kind string `json:"kind"`
		} `json:"facts"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &l))
	require.GreaterOrEqual(t, len(l.Facts), 41)
	byName := map[string]int{}
	for i, s := range l.Scenarios {
		byName[s.Name] = i
	}
	s := l.Scenarios[byName["2pc-coordinator-crash"]]
	require.Equal(t, "blocked", s.Expect)
	require.Contains(t, s.PlantedBugs, "commit-on-partial-votes")
	require.Equal(t, "atomicity", s.Checkers[0].Name)
	require.Equal(t, "safety", s.Checkers[0].Class)
	require.Contains(t, s.Checkers[0].Needs, "vote")
	require.True(t, l.Scenarios[byName["3pc-faults"]].BySweep)
	mutex := l.Scenarios[byName["lockmgr-contention"]].Checkers[1]
	require.Equal(t, "mutex", mutex.Name)
	require.Equal(t, []string{"cs-enter"}, mutex.Needs)
}

// The trigger of the typo tests, spelled right, is accepted and fires: the
// coordinator crashes with every vote yes and the participants block.
func TestAWellSpelledTriggerFires(t *testing.T) {
	f := triggerFile(t, "votes-in", "all-yes")
	code, out, errOut := simrun("run", "2pc-coordinator-crash-restart", "--seed", "1", "--faults", f)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "verdict    blocked")
}

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
