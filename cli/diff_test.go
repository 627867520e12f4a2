package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline-sim/faultline/protocol/twopc"
	"github.com/stretchr/testify/require"
)

// sweepRows runs a small sweep writing its rows and returns the file.
func sweepRows(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	code, _, stderr := simrun(append([]string{"sweep", "2pc-bank-faults", "--seeds", "1-30", "--workers", "2", "--rows", path}, args...)...)
	require.Contains(t, []int{0, 1}, code, stderr)
	return path
}

// A planted bug that breaks isolation makes the new sweep worse: seeds
// change verdict, isolation fires newly; the other way round nothing got
// worse and isolation stops firing; a sweep against itself is no change.
func TestDiffReportsWhatGotWorseAndBetter(t *testing.T) {
	dir := t.TempDir()
	good := sweepRows(t, dir, "good.jsonl")
	bad := sweepRows(t, dir, "bad.jsonl", "--bug", twopc.BugRecoverWithoutLocks)

	first, err := os.ReadFile(good)
	require.NoError(t, err)
	var row map[string]any
	require.NoError(t, json.Unmarshal([]byte(strings.SplitN(string(first), "\n", 2)[0]), &row))
	require.Equal(t, []any{}, row["violated"], "every row carries its set of violated checkers")

	code, out, stderr := simrun("diff", good, bad)
	require.Equal(t, 1, code, out+stderr)
	require.Contains(t, out, "compared  30 seeds in both")
	require.Contains(t, out, "newly firing    isolation on ")
	require.Regexp(t, `seed \d+ +WORSE  ok -> violation \+isolation`, out)

	code, out, _ = simrun("diff", bad, good)
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "stopped firing  isolation")
	require.Regexp(t, `seed \d+ +better violation -> ok -isolation`, out)

	code, out, _ = simrun("diff", good, good, "--json")
	require.Equal(t, 0, code, out)
	var d sweepDiff
	require.NoError(t, json.Unmarshal([]byte(out), &d))
	require.Equal(t, 30, d.Compared)
	require.Empty(t, d.Changed)
}

// A new checker firing on a seed that already was a violation is worse
// even though the verdict stays: that is the finer verdict.
func TestDiffCountsANewCheckerOnAFailingSeedAsWorse(t *testing.T) {
	dir := t.TempDir()
	old := fileIn(t, dir, "old.jsonl", `{"seed":1,"verdict":"violation","violated":["mutex"]}
{"seed":2,"verdict":"ok","violated":[]}
{"seed":3,"verdict":"violation","violated":["mutex","storage"]}
`)
	cur := fileIn(t, dir, "new.jsonl", `{"seed":1,"verdict":"violation","violated":["mutex","storage"]}
{"seed":2,"verdict":"ok","violated":[]}
{"seed":3,"verdict":"violation","violated":["storage"]}
{"seed":4,"verdict":"ok","violated":[]}
`)
	code, out, _ := simrun("diff", old, cur, "--json")
	require.Equal(t, 1, code, out)
	var d sweepDiff
	require.NoError(t, json.Unmarshal([]byte(out), &d))
	require.Equal(t, 1, d.Worse)
	require.Equal(t, 1, d.Better)
	require.Equal(t, 1, d.OnlyNew)
	require.Equal(t, []string{"storage"}, d.Changed[0].Added)
	require.Equal(t, []string{"mutex"}, d.Changed[1].Removed)
	require.Empty(t, d.Newly, "storage fired in the old sweep too")
	require.Empty(t, d.Stopped, "mutex still fires")
}

func TestDiffRejectsBadInputNamingFileAndLine(t *testing.T) {
	dir := t.TempDir()
	good := fileIn(t, dir, "good.jsonl", `{"seed":1,"verdict":"ok","violated":[]}`+"\n")
	for _, c := range []struct{ body, want string }{
		{`{"seed":1,"verdict":"ok"}` + "\n" + `{"seed":2,"verdict":"fine"}`, `bad.jsonl:2: field "verdict": unknown verdict "fine"`},
		{`{"verdict":"ok"}`, `bad.jsonl:1: no "seed"`},
		{`{"seed":1,"verdict":"ok"}` + "\n" + `{"seed":1,"verdict":"ok"}`, "bad.jsonl:2: seed 1 appears twice"},
		{`{"seed":1,"verdict":"ok"`, "bad.jsonl:1: unexpected EOF"},
		{"{\n  \"scenario\": \"2pc-bank\",", "bad.jsonl:1: not a rows line"},
		{"", "bad.jsonl: no rows"},
		{`{"seed":1,"verdict":"ok","verdicts":[]}`, `bad.jsonl:1: json: unknown field "verdicts"`},
	} {
		bad := fileIn(t, dir, "bad.jsonl", c.body)
		code, _, stderr := simrun("diff", good, bad)
		require.Equal(t, 2, code, c.body)
		require.Contains(t, stderr, c.want)
		require.Equal(t, 1, strings.Count(strings.TrimSpace(stderr), "\n")+1, "one line: %s", stderr)
	}
	code, _, stderr := simrun("diff", good)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "want two rows files")
	code, _, stderr = simrun("diff", good, filepath.Join(dir, "missing.jsonl"))
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "missing.jsonl")
}
