package reports

import (
	"fmt"
	"html"
	"io"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/internal/sweep"
	"gonum.org/v1/plot/plotter"
)

// SweepHTML writes a sweep as one self-contained page: verdict counts, each
// checker's violations, how many seeds it took each checker to first find
// one and how its findings accumulate over the range (charts drawn with
// gonum/plot), and the first failing seeds with the commands that
// reproduce and shrink them.
func SweepHTML(w io.Writer, r *sweep.Result, elapsed time.Duration) error {
	var b strings.Builder
	b.WriteString(pageHead("sweep " + r.Scenario))
	fmt.Fprintf(&b, "<h1>Sweep of %s", html.EscapeString(r.Scenario))
	if r.Bug != "" {
		fmt.Fprintf(&b, " with planted bug %s", html.EscapeString(r.Bug))
	}
	fmt.Fprintf(&b, "</h1>\n<p class=\"summary\">seeds %d-%d: %d runs in %.1fs (wall time); scenario expects %s.", r.From, r.To, sweepTotal(r), elapsed.Seconds(), r.Expect)
	if r.Stopped {
		b.WriteString(" <b>Interrupted</b>: only these seeds ran.")
	}
	b.WriteString("</p>\n")
	verdicts := []checker.Verdict{checker.OK, checker.Blocked, checker.Violation, checker.Unknown}
	b.WriteString(`<table class="data" id="verdicts"><tr>`)
	for _, v := range verdicts {
		fmt.Fprintf(&b, "<th>%s</th>", v)
	}
	b.WriteString("</tr><tr>")
	for _, v := range verdicts {
		fmt.Fprintf(&b, "<td class=\"%s\">%d</td>", v, r.Counts[v])
	}
	b.WriteString("</tr></table>\n<div class=\"charts\">\n")

	vs := series{Name: "runs"}
	var vnames []string
	for _, v := range verdicts {
		vnames = append(vnames, string(v))
		vs.Values, vs.Has = append(vs.Values, float64(r.Counts[v])), append(vs.Has, sweepTotal(r) > 0)
	}
	svg, err := barSVG("Verdicts", "runs", vnames, []series{vs})
	if err != nil {
		return err
	}
	fmt.Fprintf(&b, "<figure class=\"chart\" data-metric=\"verdicts\">%s</figure>\n", svg)

	checkers := r.Violated()
	if len(checkers) == 0 {
		fmt.Fprintf(&b, "<figure class=\"chart\" data-metric=\"violations\"><p><b>Violations by checker</b>: none in %d runs, so no seeds to first detection (%s).</p></figure>\n", sweepTotal(r), NoSamples)
	} else {
		// First detection and the running count, per checker, in seed
		// order: the sweep counts each checker's violations per stretch
		// of the seeds it ran (sweep.Detection), not per seed.
		first := map[string]int{}
		cum := map[string]plotter.XYs{}
		count := map[string]int{}
		for c, d := range r.Detections {
			first[c] = d.Index + 1 // seeds run up to it
			for k, found := range d.Found {
				if found == 0 {
					continue
				}
				count[c] += found
				// seeds run by the stretch's end
				end := max(min(((k+1)*r.Planned+sweep.Buckets-1)/sweep.Buckets, sweepTotal(r)), first[c])
				cum[c] = append(cum[c], plotter.XY{X: float64(end), Y: float64(count[c])})
			}
		}
		byC, firstS := series{Name: "violations"}, series{Name: "seeds"}
		var ls []line
		for _, c := range checkers {
			byC.Values, byC.Has = append(byC.Values, float64(r.ByChecker[c])), append(byC.Has, true)
			_, ok := first[c]
			firstS.Values, firstS.Has = append(firstS.Values, float64(first[c])), append(firstS.Has, ok)
			pts := append(plotter.XYs{{X: 0, Y: 0}}, cum[c]...)
			pts = append(pts, plotter.XY{X: float64(sweepTotal(r)), Y: float64(count[c])})
			ls = append(ls, line{Name: c, Points: pts})
		}
		for _, ch := range []struct {
			metric, title, unit string
			s                   series
		}{
			{"violations", "Violations by checker", "runs", byC},
			{"first-detection", "Seeds run until each checker's first violation", "seeds", firstS},
		} {
			svg, err := barSVG(ch.title, ch.unit, checkers, []series{ch.s})
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, "<figure class=\"chart\" data-metric=\"%s\">%s</figure>\n", ch.metric, svg)
		}
		svg, err := linesSVG("Violations found as the sweep goes", "seeds run", "violations so far", ls)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "<figure class=\"chart\" data-metric=\"detections\">%s</figure>\n", svg)
	}
	b.WriteString("</div>\n")
	if rows := failingSeeds(r); len(rows) > 0 {
		fmt.Fprintf(&b, "<h2>First failing seeds (%d of %d)</h2>\n<table id=\"failing\"><colgroup><col style=\"width:24em\"><col><col style=\"width:12em\"></colgroup><tr><th>reproduce</th><th>first finding</th><th>replays</th></tr>\n", len(rows), r.Counts[checker.Violation])
		for _, f := range rows {
			det := map[replay]string{replayNotRun: "not re-run", replayOK: "same trace hash " + f.TraceHash,
				replayFailed: "DID NOT REPRODUCE", replayDiverged: "NOT DETERMINISTIC"}[f.Replay]
			fmt.Fprintf(&b, "<tr><td><code>%s</code></td><td>%s</td><td>%s</td></tr>\n", html.EscapeString(f.Reproduce), html.EscapeString(f.Finding), html.EscapeString(det))
		}
		fmt.Fprintf(&b, "</table>\n<p>Shrink the first to its essential faults: <code>%s --html shrunk.html</code></p>\n", html.EscapeString(shrinkCommand(r, rows[0].Seed)))
	}
	b.WriteString("</body></html>\n")
	_, err = io.WriteString(w, b.String())
	return err
}

// sweepTotal and sweepRun are the only places the reports read how many
// seeds a sweep ran and its kept runs.
func sweepTotal(r *sweep.Result) int { return r.Total }

func sweepRun(r *sweep.Result, seed uint64) (sweep.Run, bool) { return r.Run(seed) }
