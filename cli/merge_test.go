package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMain lets a test start this binary as simrun in a process of its
// own (env SIMRUN_AS_MAIN=1), as the shards of a cluster sweep are.
func TestMain(m *testing.M) {
	if os.Getenv("SIMRUN_AS_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// simrunProcess starts simrun as a separate process writing stdout to out.
func simrunProcess(t *testing.T, out string, args ...string) *exec.Cmd {
	t.Helper()
	f, err := os.Create(out)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "SIMRUN_AS_MAIN=1")
	cmd.Stdout = f
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return cmd
}

func withoutElapsed(t *testing.T, js string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(js), &m), js)
	delete(m, "elapsed_seconds")
	return m
}

// Three shard processes, merged, print what one sweep of the range
// prints (but for the elapsed time): counts, the first failing seeds
// across shards, reproduce commands and determinism checks.
func TestMergedShardsEqualOneSweep(t *testing.T) {
	dir := t.TempDir()
	args := []string{"sweep", "2pc-bank-faults", "--seeds", "3-70", "--bug", "commit-on-partial-votes", "--json", "--workers", "1"}
	var files []string
	var procs []*exec.Cmd
	for i := 0; i < 3; i++ {
		files = append(files, filepath.Join(dir, fmt.Sprintf("shard-%d.json", i)))
		procs = append(procs, simrunProcess(t, files[i], append(args, "--shard", fmt.Sprintf("%d/3", i))...))
	}
	for _, p := range procs {
		var exit *exec.ExitError
		require.ErrorAs(t, p.Wait(), &exit) // the planted bug is found: exit 1
		require.Equal(t, 1, exit.ExitCode())
	}
	code, whole, _ := simrun(args...)
	require.Equal(t, 1, code)
	// Merge in another order than the shards' to show it does not matter.
	code, merged, errs := simrun("merge", files[2], files[0], files[1])
	require.Equal(t, 1, code, errs)
	w, m := withoutElapsed(t, whole), withoutElapsed(t, merged)
	require.Equal(t, w, m)
	require.Greater(t, w["violation"], float64(20), "the listed seeds should be cut to the first 20 across shards")
	require.Len(t, w["determinism_checks"], 20)

	one, err := os.ReadFile(files[1])
	require.NoError(t, err)
	require.Contains(t, string(one), `"shard": "1/3"`)
}

func TestMergeRefusesShardsThatDoNotFit(t *testing.T) {
	dir := t.TempDir()
	write := func(name, shard, scenario string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(fmt.Sprintf(`{"scenario": %q, "from": 1, "to": 9, "shard": %q, "expect": "ok"}`, scenario, shard)), 0o644))
		return p
	}
	a, b, b2 := write("a.json", "0/2", "x"), write("b.json", "1/2", "x"), write("b2.json", "1/2", "x")
	other, three := write("o.json", "1/2", "y"), write("t.json", "1/3", "x")
	stopped := filepath.Join(dir, "s.json")
	require.NoError(t, os.WriteFile(stopped, []byte(`{"scenario": "x", "from": 1, "to": 4, "shard": "1/2", "expect": "ok", "stopped": true}`), 0o644))
	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"scenario": "x", "runz": 3}`), 0o644))
	for _, c := range []struct {
		files []string
		want  string
	}{
		{[]string{a}, "shards [1] of 2 are missing"},
		{[]string{a, b, b2}, "b.json and " + b2 + " are both shard 1/2"},
		{[]string{a, other}, "o.json is a sweep of y seeds 1-9"},
		{[]string{a, three}, "t.json is shard 1/3, but " + a + " is one of 2 shards"},
		{[]string{a, bad}, "bad.json: not the JSON of simrun sweep --json"},
		{[]string{a, stopped}, "s.json was interrupted (its seeds stop at 4)"},
		{nil, "no shard files"},
	} {
		code, _, errs := simrun(append([]string{"merge"}, c.files...)...)
		require.Equal(t, 2, code, c.want)
		require.Contains(t, errs, c.want)
	}
	code, out, _ := simrun("merge", a, b)
	require.Equal(t, 0, code)
	require.Contains(t, out, `"runs": 0`)
}
