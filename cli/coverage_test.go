package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCoverageListsWhatNeverOccurred(t *testing.T) {
	code, out, stderr := simrun("coverage", "2pc-coordinator-crash", "--seeds", "1-2", "--universe-seeds", "1")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "scenario  2pc-coordinator-crash (protocol 2pc), seeds 1-2 (2 runs)")
	require.Contains(t, out, "  vote yes=true ")
	require.Regexp(t, `never     fact values: .*decide via=termination`, out)

	code, out, _ = simrun("coverage", "2pc-coordinator-crash", "--seeds", "1-2", "--universe-seeds", "1", "--json")
	require.Equal(t, 0, code)
	var j coverageJSON
	require.NoError(t, json.Unmarshal([]byte(out), &j))
	require.Equal(t, 2, j.Runs)
	require.Contains(t, j.NeverValues, "decide via=termination")

	for _, args := range [][]string{
		{"coverage", "2pc-bank"},
		{"coverage", "no-such", "--seeds", "1-2"},
		{"coverage", "2pc-bank", "--seeds", "3-1"},
		{"coverage", "2pc-bank", "--seeds", "1-2", "--universe-seeds", "0"},
		{"coverage", "2pc-bank", "--seeds", "1-2", "--bug", "nope"},
	} {
		code, _, stderr := simrun(args...)
		require.Equal(t, 2, code, "%v", args)
		require.Equal(t, 1, strings.Count(strings.TrimSpace(stderr), "\n")+1, "one line: %s", stderr)
	}
}
