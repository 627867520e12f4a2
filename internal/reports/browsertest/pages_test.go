package browsertest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// chartProbe reads a sweep or compare page: its charts and tables.
const chartProbe = `Object.assign(` + common + `, {
  charts: [...document.querySelectorAll("figure.chart")].map(f => ({metric: f.dataset.metric, svg: !!f.querySelector("svg"), text: f.textContent.slice(0, 200), width: f.getBoundingClientRect().width})),
  cells: [...document.querySelectorAll("table.data td")].map(td => td.textContent),
  h1: document.querySelector("h1").textContent
})`

type chartPage struct {
	layout
	Charts []struct {
		Metric string
		SVG    bool
		Text   string
		Width  float64
	}
	Cells []string
	H1    string
}

func decodeCharts(t *testing.T, p page) chartPage {
	var c chartPage
	decodePage(t, p, &c)
	return c
}

func TestCompareReportHasAChartForEveryMetric(t *testing.T) {
	ctx, dir := simrunIn(t, 0, "compare", "--seeds", "1-3", "--out", "cmp")
	for _, f := range []string{"compare.txt", "compare.md", "compare.json", "compare.html"} {
		_, err := os.Stat(filepath.Join(dir, "cmp", f))
		require.NoError(t, err, "--out writes %s", f)
	}
	c := decodeCharts(t, open(t, ctx, filepath.Join(dir, "cmp", "compare.html"), "compare", chartProbe))
	metrics := map[string]bool{}
	for _, ch := range c.Charts {
		metrics[ch.Metric] = ch.SVG || strings.Contains(ch.Text, "—")
		require.Greater(t, ch.Width, 100.0, "chart %s is drawn", ch.Metric)
	}
	for _, m := range []string{"Messages per transaction", "Durable writes per transaction", "Commit latency p50", "Commit latency p99",
		"Lock hold time, mean", "Lock hold time, p99", "Time uncertain per transaction", "Time blocked per transaction",
		"Transactions decided", "Transactions committed", "Runs with a blocked participant",
		"Unsafe runs (atomicity, conservation, ballots)", "Runs undecided after healing"} {
		require.True(t, metrics[m], "a chart for %s", m)
	}
	for _, class := range []string{"none", "coordinator-crash", "crash", "partition", "lossy", "mixed"} {
		require.True(t, metrics["Commit latency distribution, faults: "+class], "latency distribution for %s", class)
	}
	require.Contains(t, c.Cells, "—", "2PC under a coordinator crash commits nothing: its latency is —, not 0")
}

func TestSweepReport(t *testing.T) {
	ctx, dir := simrunIn(t, 1, "sweep", "3pc-faults", "--seeds", "1-120", "--html", "sweep.html")
	c := decodeCharts(t, open(t, ctx, filepath.Join(dir, "sweep.html"), "sweep-3pc-faults", chartProbe))
	got := map[string]bool{}
	for _, ch := range c.Charts {
		got[ch.Metric] = ch.SVG
	}
	for _, m := range []string{"verdicts", "violations", "first-detection", "detections"} {
		require.True(t, got[m], "sweep chart %s", m)
	}
	require.Contains(t, c.H1, "3pc-faults")
}

func TestPorcupinePictureNamesLocksAndClients(t *testing.T) {
	ctx, dir := simrunIn(t, 1, "run", "lockmgr-contention", "--seed", "1", "--bug", "grant-held", "--viz-dir", ".")
	file := filepath.Join(dir, "porcupine-lockmgr-contention-seed1-lock-linear.html")
	p := open(t, ctx, file, "porcupine-lockmgr-contention", `Object.assign(`+common+`, {text: document.body.innerText})`)
	require.Empty(t, p.Errors, "script errors")
	text := p.Probe["text"].(string)
	for _, lock := range []string{"lock-1: client-", "lock-2: client-", "lock-3: client-"} {
		require.Contains(t, text, lock, "every operation names its lock")
	}
	for _, row := range []string{"\nclient-1\n", "\nclient-4\n", "\nclient-8"} {
		require.Contains(t, text, row, "every row is named by a label box")
	}
}
