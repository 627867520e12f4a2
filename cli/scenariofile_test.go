package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/faultline-sim/faultline/protocol/lockkit/kittest" // leasebox, a family member registered from outside
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/stretchr/testify/require"
)

// Every built-in run from its file in the repository gives the trace of
// the same built-in run by name, seeds 1 to 5.
func TestABuiltinByPathRunsAsByName(t *testing.T) {
	for _, name := range scenarios.BuiltinNames() {
		byName, err := loadScenario(name)
		require.NoError(t, err)
		byPath, err := loadScenario(filepath.Join("..", "scenarios", "builtin", name+".yaml"))
		require.NoError(t, err, name)
		for seed := uint64(1); seed <= 5; seed++ {
			a, err := scenarios.Run(byName, scenarios.Options{Seed: seed})
			require.NoError(t, err)
			b, err := scenarios.Run(byPath, scenarios.Options{Seed: seed})
			require.NoError(t, err)
			require.Equal(t, a.TraceHash, b.TraceHash, "%s seed %d", name, seed)
		}
	}
}

func runJSON(t *testing.T, wantCode int, args ...string) map[string]any {
	t.Helper()
	code, out, errOut := simrun(append(args, "--json")...)
	require.Equal(t, wantCode, code, errOut)
	var j map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &j), out)
	return j
}

// The README's walk-through: copy a built-in, give it five participants
// and let the crashed coordinator restart after 200ms; the participants it
// left uncertain are then resolved.
func TestShowEditRun(t *testing.T) {
	code, shown, errOut := simrun("show", "2pc-coordinator-crash")
	require.Equal(t, 0, code, errOut)
	edited := strings.Replace(shown, "participants: 3", "participants: 5", 1)
	edited = strings.Replace(edited, "      do:\n        - {kind: crash, node: coordinator}\n",
		"      do:\n        - {kind: crash, node: coordinator}\n        - {at: 200ms, kind: restart, node: coordinator}\n", 1)
	edited = strings.Replace(edited, "expect: blocked", "expect: ok", 1)
	require.NotEqual(t, shown, edited)
	require.Equal(t, 3, strings.Count(edited, "participants: 5")+strings.Count(edited, "200ms, kind: restart")+strings.Count(edited, "expect: ok"))
	path := filepath.Join(t.TempDir(), "my.yaml")
	require.NoError(t, os.WriteFile(path, []byte(edited), 0o644))

	before := runJSON(t, 0, "run", "2pc-coordinator-crash", "--seed", "3")
	require.Equal(t, "blocked", before["verdict"])
	after := runJSON(t, 0, "run", path, "--seed", "3")
	require.Equal(t, "ok", after["verdict"], "the restarted coordinator resolves what it left in doubt")
	require.Equal(t, path, after["scenario"])

	code, out, _ := simrun("run", path, "--seed", "3", "--trace")
	require.Equal(t, 0, code)
	require.Contains(t, out, "participant-5", "five participants")
	require.Contains(t, out, "restart coordinator")
}

func TestShowPrintsAFamilyMembersScenarioToo(t *testing.T) {
	code, out, errOut := simrun("show", "leasebox-faults")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "protocol: leasebox")
	path := filepath.Join(t.TempDir(), "lb.yaml")
	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(out, "ttl: 200ms", "ttl: 150ms", 1)), 0o644))
	j := runJSON(t, 0, "run", path, "--seed", "1")
	require.Equal(t, "ok", j["verdict"])

	code, _, errOut = simrun("show", "no-such")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, `unknown scenario "no-such"`)
}

func TestABadScenarioFileExitsTwoNamingFileLineAndField(t *testing.T) {
	_, shown, _ := simrun("show", "redlock-pause")
	dir := t.TempDir()
	cases := map[string]struct{ old, new, want string }{
		"unknown key":                {"expect: violation", "expect: violation\nexpected: ok", ":6: expected: unknown key"},
		"wrong type":                 {"instances: 5", "instances: five", ":9: system.params.instances: want a whole number"},
		"unknown protocol parameter": {"instances: 5", "instance: 5", ":9: system.params.instance: unknown parameter of redlock (did you mean \"instances\"?"},
		"unknown fact in a trigger":  {"on: storage-read", "on: storage-red", ":31: faults.triggers[0].on: \"on\": unknown fact kind \"storage-red\""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".yaml")
			require.NoError(t, os.WriteFile(path, []byte(strings.Replace(shown, c.old, c.new, 1)), 0o644))
			for _, cmd := range [][]string{{"run", path, "--seed", "1"}, {"sweep", path, "--seeds", "1-2"}, {"shrink", path, "--seed", "1"}, {"crashpoints", path}} {
				code, _, errOut := simrun(cmd...)
				require.Equal(t, 2, code, cmd)
				require.Contains(t, errOut, path+c.want, cmd)
				require.Equal(t, 1, strings.Count(errOut, "\n"), "one line: %s", errOut)
			}
		})
	}
	code, _, errOut := simrun("run", filepath.Join(dir, "absent.yaml"), "--seed", "1")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "no such file")
}

// A run saved from a file replays from the run file alone, the scenario
// file gone.
func TestSaveFromAFileThenReplayWithoutIt(t *testing.T) {
	dir := t.TempDir()
	_, shown, _ := simrun("show", "redlock-pause")
	path := filepath.Join(dir, "mine.yaml")
	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(shown, "ttl: 100ms", "ttl: 90ms", 1)), 0o644))
	runFile := filepath.Join(dir, "run.json")
	code, _, errOut := simrun("run", path, "--seed", "2", "--save", runFile)
	require.Equal(t, 1, code, errOut)
	require.NoError(t, os.Remove(path))
	code, out, errOut := simrun("replay", runFile)
	require.Equal(t, 1, code, errOut)
	require.Contains(t, out, "identical to the saved run")
}
