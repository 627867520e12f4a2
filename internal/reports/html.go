package reports

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/scenarios"
)

// HTMLOptions chooses what the run page opens on.
type HTMLOptions struct {
	From, To time.Duration // open on this true-time window (To 0: the end) instead of the first finding
	Rows     bool          // one row per event instead of time-scaled lanes
}

//go:embed runview.js
var runViewJS string

//go:embed page.css
var pageCSS string

// RunHTML writes one self-contained HTML page for a traced run: the
// verdicts, each finding linked to the events it names, the fault schedule,
// and a space-time diagram drawn in the browser from the whole trace — a
// lane per node, time-scaled with idle stretches compressed, arrows for
// delivered messages, crosses for lost ones, and spans for intervals
// (crashed-down, paused, partitioned, clock faults, uncertain or blocked
// participants with their locks, lock beliefs against the true holder,
// leases). It opens on the first violation, or the first blocked
// participant, with the events the checker names highlighted.
func RunHTML(w io.Writer, o *scenarios.Outcome, opt HTMLOptions) error {
	if o.Trace == nil {
		return fmt.Errorf("the run has no trace to draw")
	}
	if opt.From < 0 || opt.To < 0 || (opt.To > 0 && opt.To < opt.From) {
		return fmt.Errorf("bad window %v to %v", opt.From, opt.To)
	}
	if opt.From > o.SimTime {
		return fmt.Errorf("window starts at %v, after the run ended at %v", opt.From, o.SimTime)
	}
	v := buildRunView(o, opt)
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("run view: %w", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s seed %d: %s</title>\n<style>%s</style></head><body>\n",
		html.EscapeString(o.Scenario), o.Seed, o.Verdict, pageCSS)
	fmt.Fprintf(&b, "<h1>%s — seed %d — <span class=\"%s\">%s</span></h1>\n", html.EscapeString(o.Scenario), o.Seed, o.Verdict, o.Verdict)
	fmt.Fprintf(&b, "<p class=\"summary\">protocol <b>%s</b>", html.EscapeString(o.Protocol))
	if o.Bug != "" {
		fmt.Fprintf(&b, ", planted bug <b>%s</b>", html.EscapeString(o.Bug))
	}
	fmt.Fprintf(&b, "; scenario expects %s; %s simulated; %s trace events (%s of them handled events: deliveries, timers, starts, faults); %d messages; trace hash <code>%s</code>; reproduce <code>%s</code></p>\n",
		o.Expect, secs(o.SimTime), thousands(o.Trace.Len()), thousands(o.Events), o.Messages, o.TraceHash, html.EscapeString(Reproduce(o.Scenario, o.Seed, o.Bug)))
	writeFindings(&b, o, v)
	b.WriteString(`<div id="nav"><button id="prev">◀ previous finding</button><button id="next">next finding ▶</button><button id="whole">whole run</button><button id="zoomout">zoom out ×4</button><button id="mode">time-scaled / one row per event</button> <span id="caption"></span></div>` + "\n")
	b.WriteString(`<div id="wrap"><div id="lanes"></div><svg id="diagram" xmlns="http://www.w3.org/2000/svg"></svg></div>` + "\n")
	b.WriteString(`<p class="legend">Legend: <span class="sw blocked"></span>blocked (uncertain to the end) <span class="sw uncertain"></span>uncertain <span class="sw belief"></span>client believes it holds a lock <span class="sw holder"></span>lock service's true holder <span class="sw lease"></span>lease (server clock) <span class="sw pause"></span>paused <span class="sw down"></span>crashed, down <span class="sw partition"></span>cut off by a partition <span class="sw clock"></span>clock fault; ● observation, ○ timer, → delivered message, ✕ lost message. Hover for the canonical trace line; click the diagram to zoom in.</p>` + "\n")
	fmt.Fprintf(&b, "<details><summary>Fault schedule</summary><pre>%s</pre></details>\n", html.EscapeString(o.Schedule.String()))
	fmt.Fprintf(&b, "<script id=\"run-data\" type=\"application/json\">%s</script>\n<script>%s</script>\n</body></html>\n", data, runViewJS)
	_, err = io.WriteString(w, b.String())
	return err
}

// writeFindings writes the table of findings — every result that is not
// ok, each linked to its events — and the checkers that passed on one line.
func writeFindings(b *strings.Builder, o *scenarios.Outcome, v runView) {
	var okNames []string
	for _, r := range o.Results {
		if r.Verdict == checker.OK {
			okNames = append(okNames, r.Checker)
		}
	}
	if len(v.Findings) == 0 {
		fmt.Fprintf(b, "<p>Every checker passed: %s.</p>\n", html.EscapeString(strings.Join(okNames, ", ")))
		return
	}
	b.WriteString(`<table id="findings"><colgroup><col style="width:2.5em"><col style="width:9em"><col style="width:6.5em"><col><col style="width:9em"></colgroup>` + "\n<tr><th>#</th><th>checker</th><th>verdict</th><th>finding</th><th>events</th></tr>\n")
	for i, f := range v.Findings {
		fmt.Fprintf(b, "<tr class=\"finding\" data-f=\"%d\" id=\"finding-%d\"><td>%d</td><td>%s</td><td class=\"%s\">%s</td><td>%s", i, i+1, i+1, html.EscapeString(f.Checker), f.Verdict, f.Verdict, html.EscapeString(f.Message))
		if len(f.Evidence) > 0 {
			fmt.Fprintf(b, "<details><summary>evidence (%d)</summary><pre>", len(f.Evidence))
			for _, e := range f.Evidence {
				b.WriteString(html.EscapeString(firstLines(e, 12)) + "\n")
			}
			b.WriteString("</pre></details>")
		}
		link := fmt.Sprintf("show %d events", len(f.Events))
		if len(f.Events) == 0 {
			link = "names no event (final state): whole run"
		}
		fmt.Fprintf(b, "</td><td><a href=\"#finding-%d\" data-show=\"%d\">%s</a><br><small>%s–%s</small></td></tr>\n", i+1, i, link, secs(time.Duration(f.From)), secs(time.Duration(f.To)))
	}
	b.WriteString("</table>\n")
	if len(okNames) > 0 {
		fmt.Fprintf(b, "<p class=\"summary\">ok: %s</p>\n", html.EscapeString(strings.Join(okNames, ", ")))
	}
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
