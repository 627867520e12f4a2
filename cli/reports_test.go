package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// --chrome-trace and --html work on run, replay and shrink, and a bad file
// is a one-line error with exit 2.
func TestChromeTraceAndHTMLOnRunReplayAndShrink(t *testing.T) {
	dir := t.TempDir()
	runFile := filepath.Join(dir, "run.json")
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"run", "2pc-coordinator-crash", "--seed", "1", "--save", runFile}, 0},
		{[]string{"replay", runFile}, 0},
		{[]string{"shrink", "3pc-faults", "--seed", "83"}, 1},
	} {
		trace, page := filepath.Join(dir, c.args[0]+".trace.json"), filepath.Join(dir, c.args[0]+".html")
		var out, errb bytes.Buffer
		code := run(append(c.args, "--chrome-trace", trace, "--html", page), &out, &errb)
		require.Equal(t, c.code, code, "%v: %s", c.args, errb.String())
		data, err := os.ReadFile(trace)
		require.NoError(t, err)
		var doc struct {
			TraceEvents []map[string]any `json:"traceEvents"`
		}
		require.NoError(t, json.Unmarshal(data, &doc), c.args[0])
		require.NotEmpty(t, doc.TraceEvents)
		html, err := os.ReadFile(page)
		require.NoError(t, err)
		require.Contains(t, string(html), `<script id="run-data"`)
	}
	var out, errb bytes.Buffer
	code := run([]string{"run", "2pc-bank", "--seed", "1", "--chrome-trace", filepath.Join(dir, "no", "such", "dir", "t.json")}, &out, &errb)
	require.Equal(t, 2, code)
	require.Equal(t, 0, strings.Count(strings.TrimSpace(errb.String()), "\n"), errb.String())
	require.Contains(t, errb.String(), "--chrome-trace")
}
