package reports

import (
	"fmt"
	"html"
	"io"
	"strings"

	"github.com/faultline-sim/faultline/internal/compare"
	"gonum.org/v1/plot/plotter"
)

// compareMetric is one chart of the comparison: a value per row, and
// whether the row has samples for it.
type compareMetric struct {
	title, unit string
	value       func(r compare.Row) (float64, bool)
}

var compareMetrics = []compareMetric{
	{"Messages per transaction", "messages", func(r compare.Row) (float64, bool) { return r.MessagesPerTxn, r.Txns > 0 }},
	{"Durable writes per transaction", "writes", func(r compare.Row) (float64, bool) { return r.WritesPerTxn, r.Txns > 0 }},
	{"Commit latency p50", "ms (simulated)", func(r compare.Row) (float64, bool) { return r.LatencyP50Ms, r.LatencySamples > 0 }},
	{"Commit latency p99", "ms (simulated)", func(r compare.Row) (float64, bool) { return r.LatencyP99Ms, r.LatencySamples > 0 }},
	{"Lock hold time, mean", "ms", func(r compare.Row) (float64, bool) { return r.LockHoldMeanMs, r.LockHoldSamples > 0 }},
	{"Lock hold time, p99", "ms", func(r compare.Row) (float64, bool) { return r.LockHoldP99Ms, r.LockHoldSamples > 0 }},
	{"Time uncertain per transaction", "ms", func(r compare.Row) (float64, bool) { return r.UncertainMsPerTxn, r.Txns > 0 }},
	{"Time blocked per transaction", "ms", func(r compare.Row) (float64, bool) { return r.BlockedMsPerTxn, r.Txns > 0 }},
	{"Transactions decided", "%", func(r compare.Row) (float64, bool) { return 100 * r.DecidedFraction, r.Txns > 0 }},
	{"Transactions committed", "%", func(r compare.Row) (float64, bool) { return 100 * r.CommittedFraction, r.Txns > 0 }},
	{"Runs with a blocked participant", "runs", func(r compare.Row) (float64, bool) { return float64(r.BlockedRuns), r.Runs > 0 }},
	{"Unsafe runs (atomicity, conservation, ballots)", "runs", func(r compare.Row) (float64, bool) { return float64(r.SafetyViolations), r.Runs > 0 }},
	{"Runs undecided after healing", "runs", func(r compare.Row) (float64, bool) { return float64(r.LivenessFailures), r.Runs > 0 }},
}

// CompareHTML writes the comparison as one self-contained page: the table
// and a chart per metric (a bar per protocol, grouped by fault class), and
// the commit latency distribution of each fault class.
func CompareHTML(w io.Writer, rows []compare.Row, seeds int) error {
	var protocols, classes []string
	seen := map[string]bool{}
	for _, r := range rows {
		if !seen["p "+r.Protocol] {
			seen["p "+r.Protocol] = true
			protocols = append(protocols, r.Protocol)
		}
		if !seen["c "+r.FaultClass] {
			seen["c "+r.FaultClass] = true
			classes = append(classes, r.FaultClass)
		}
	}
	cell := map[string]compare.Row{}
	for _, r := range rows {
		cell[r.Protocol+" "+r.FaultClass] = r
	}
	var b strings.Builder
	b.WriteString(pageHead("Protocol comparison"))
	fmt.Fprintf(&b, "<h1>Protocol comparison over seeds 1-%d</h1>\n<p class=\"summary\">The same workload and fault schedule per seed for every protocol; %d protocols × %d fault classes. A metric with no samples (nothing committed, no lock held) shows %s, never 0.</p>\n",
		seeds, len(protocols), len(classes), NoSamples)
	head, cells := compareCells(rows)
	b.WriteString(`<div class="scroll"><table class="data"><tr>`)
	for _, h := range head {
		fmt.Fprintf(&b, "<th>%s</th>", html.EscapeString(h))
	}
	b.WriteString("</tr>\n")
	for i, line := range cells {
		fmt.Fprintf(&b, "<tr data-unsafe=\"%d\">", rows[i].SafetyViolations)
		for _, c := range line {
			fmt.Fprintf(&b, "<td>%s</td>", html.EscapeString(c))
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</table></div>\n")
	fmt.Fprintf(&b, "<pre class=\"legend\">%s</pre>\n<h2>Charts</h2>\n<div class=\"charts\">\n", html.EscapeString(compareLegend))
	for _, m := range compareMetrics {
		var ss []series
		for _, p := range protocols {
			s := series{Name: p}
			for _, c := range classes {
				v, has := m.value(cell[p+" "+c])
				s.Values, s.Has = append(s.Values, v), append(s.Has, has)
			}
			ss = append(ss, s)
		}
		svg, err := barSVG(m.title, m.unit, classes, ss)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "<figure class=\"chart\" data-metric=\"%s\">%s</figure>\n", html.EscapeString(m.title), svg)
	}
	for _, c := range classes {
		var ls []line
		var none []string
		for _, p := range protocols {
			r := cell[p+" "+c]
			if len(r.LatencyDecilesMs) == 0 {
				none = append(none, p)
				continue
			}
			var pts plotter.XYs
			for q, v := range r.LatencyDecilesMs {
				pts = append(pts, plotter.XY{X: float64(10 * q), Y: v})
			}
			ls = append(ls, line{Name: p, Points: pts})
		}
		title := "Commit latency distribution, faults: " + c
		fmt.Fprintf(&b, "<figure class=\"chart\" data-metric=\"%s\">", html.EscapeString(title))
		if len(ls) == 0 {
			fmt.Fprintf(&b, "<p><b>%s</b>: %s nothing committed under any protocol</p>", html.EscapeString(title), NoSamples)
		} else {
			svg, err := linesSVG(title, "percentile", "ms (simulated)", ls)
			if err != nil {
				return err
			}
			b.WriteString(svg)
		}
		if len(none) > 0 && len(ls) > 0 {
			fmt.Fprintf(&b, "<figcaption>%s nothing committed: %s</figcaption>", NoSamples, html.EscapeString(strings.Join(none, ", ")))
		}
		b.WriteString("</figure>\n")
	}
	b.WriteString("</div>\n</body></html>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// pageHead opens a report page with the shared style.
func pageHead(title string) string {
	return fmt.Sprintf("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s</title>\n<style>%s\n%s</style></head><body>\n",
		html.EscapeString(title), pageCSS, chartCSS)
}

const chartCSS = `.charts{display:flex;flex-wrap:wrap;gap:8px}
.chart{margin:0;border:1px solid #ddd;padding:4px;max-width:100%}
.chart svg{max-width:100%;height:auto}
.scroll{max-width:100%;overflow-x:auto}
table.data{table-layout:auto;width:100%;font-size:12px}
table.data td{text-align:right}
table.data td,table.data th{overflow-wrap:normal}
pre.legend{font-size:12px;max-height:none}`
