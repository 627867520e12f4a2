package reports

import (
	"strings"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/internal/compare"
	"github.com/faultline-sim/faultline/internal/scenariotest"
	"github.com/faultline-sim/faultline/internal/sweep"
	"github.com/stretchr/testify/require"
)

func TestCompareReportsMarkMetricsWithoutSamples(t *testing.T) {
	rows, err := compare.Run(compare.Options{Protocols: []string{"2pc", "paxoscommit"}, Classes: []string{"none", "coordinator-crash"}, Seeds: 2})
	require.NoError(t, err)
	var text, md strings.Builder
	CompareText(&text, rows, 2)
	CompareMarkdown(&md, rows, 2)
	for _, out := range []string{text.String(), md.String()} {
		var crashLine string
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, "2pc") && strings.Contains(l, "coordinator-crash") {
				crashLine = l
			}
		}
		require.Equal(t, 2, strings.Count(crashLine, NoSamples), "p50 and p99 of 2PC under a coordinator crash: %q", crashLine)
		require.NotContains(t, crashLine, " 0.0  ")
	}

	var page strings.Builder
	require.NoError(t, CompareHTML(&page, rows, 2))
	html := page.String()
	// A chart per metric, and a latency distribution per fault class.
	require.Equal(t, len(compareMetrics)+2, strings.Count(html, `<figure class="chart"`))
	require.Equal(t, len(compareMetrics)+2, strings.Count(html, "<svg"), "every class has a protocol that committed")
	require.True(t, strings.Contains(html, NoSamples+" 2pc"), "the p50 chart says which protocol has no samples")
	require.True(t, strings.Contains(html, "nothing committed: 2pc"))
	require.False(t, strings.Contains(html, "<?xml"), "SVG inline, no prolog")
	for _, ref := range []string{`src="`, `href="http`, "url(http", "@import"} {
		require.False(t, strings.Contains(html, ref), "self-contained: no %s", ref)
	}

	var again strings.Builder
	require.NoError(t, CompareHTML(&again, rows, 2))
	require.Equal(t, html, again.String(), "charts are byte-identical across runs")
}

func TestSweepHTMLChartsDetections(t *testing.T) {
	spec := scenariotest.Get(t, "3pc-faults")
	res, err := sweep.Sweep(spec, sweep.Options{From: 80, To: 90, Verify: -1})
	require.NoError(t, err)
	require.Positive(t, res.Counts["violation"])
	var b strings.Builder
	require.NoError(t, SweepHTML(&b, res, time.Second))
	page := b.String()
	for _, m := range []string{"verdicts", "violations", "first-detection", "detections"} {
		require.Contains(t, page, `data-metric="`+m+`"><svg`)
	}
	require.Contains(t, page, "simrun run 3pc-faults --seed 83")
	require.Contains(t, page, "simrun shrink 3pc-faults --seed 83")

	clean, err := sweep.Sweep(spec, sweep.Options{From: 1, To: 3})
	require.NoError(t, err)
	b.Reset()
	require.NoError(t, SweepHTML(&b, clean, time.Second))
	require.Contains(t, b.String(), "no seeds to first detection ("+NoSamples+")")
}
