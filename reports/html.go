package reports

import (
	"fmt"
	"html"
	"io"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/sim"
)

// HTMLOptions bounds the space-time diagram of a run.
type HTMLOptions struct {
	From, To  time.Duration // true-time window; To 0 = the end
	MaxEvents int           // at most this many events are drawn (0: 6000)
}

const (
	laneWidth = 130
	rowHeight = 16
	topMargin = 60
	leftPad   = 110
)

// RunHTML writes one self-contained HTML page for a traced run: the
// verdicts, the fault schedule, and a space-time (Lamport) diagram drawn
// from the trace — one vertical lane per node, time flowing down one event
// per row, an arrow per delivered message, a cross per lost one, and
// crashes, restarts, pauses, faults and observations marked where they
// happened. Every mark's tooltip is the event's canonical trace line.
func RunHTML(w io.Writer, o *scenarios.Outcome, opt HTMLOptions) error {
	if o.Trace == nil {
		return fmt.Errorf("the run has no trace to draw")
	}
	if opt.MaxEvents <= 0 {
		opt.MaxEvents = 6000
	}
	t := o.Trace
	names := t.Names()
	var rows []int // trace indices drawn, in order
	truncated := false
	for i := 0; i < t.Len(); i++ {
		e := t.At(i)
		if e.Time < opt.From || (opt.To > 0 && e.Time > opt.To) {
			continue
		}
		if len(rows) == opt.MaxEvents {
			truncated = true
			break
		}
		rows = append(rows, i)
	}
	lane := func(id sim.NodeID) int { return leftPad + int(id)*laneWidth + laneWidth/2 }
	y := func(row int) int { return topMargin + row*rowHeight }
	width := leftPad + len(names)*laneWidth + 40
	height := topMargin + len(rows)*rowHeight + 40

	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s seed %d</title>\n", html.EscapeString(o.Scenario), o.Seed)
	b.WriteString(`<style>
body{font-family:system-ui,sans-serif;margin:20px;color:#222}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
.ok{color:#1a7f37}.violation{color:#cf222e;font-weight:bold}.blocked{color:#9a6700;font-weight:bold}.unknown{color:#6e7781}
pre{background:#f6f8fa;padding:8px;overflow:auto;max-height:240px}
svg text{font-size:11px;font-family:ui-monospace,monospace}
</style></head><body>
`)
	fmt.Fprintf(&b, "<h1>%s — seed %d</h1>\n", html.EscapeString(o.Scenario), o.Seed)
	fmt.Fprintf(&b, "<p>protocol <b>%s</b>", html.EscapeString(o.Protocol))
	if o.Bug != "" {
		fmt.Fprintf(&b, ", planted bug <b>%s</b>", html.EscapeString(o.Bug))
	}
	fmt.Fprintf(&b, "; verdict <span class=\"%s\">%s</span> (scenario expects %s); %d events, %s simulated; trace hash <code>%s</code></p>\n",
		o.Verdict, o.Verdict, o.Expect, o.Events, secs(o.SimTime), o.TraceHash)
	b.WriteString("<table><tr><th>checker</th><th>verdict</th><th>finding</th></tr>\n")
	for _, r := range o.Results {
		fmt.Fprintf(&b, "<tr><td>%s</td><td class=\"%s\">%s</td><td>%s", html.EscapeString(r.Checker), r.Verdict, r.Verdict, html.EscapeString(r.Message))
		if r.Verdict != checker.OK && len(r.Evidence) > 0 {
			b.WriteString("<pre>")
			for _, e := range r.Evidence {
				b.WriteString(html.EscapeString(firstLines(e, 12)) + "\n")
			}
			b.WriteString("</pre>")
		}
		b.WriteString("</td></tr>\n")
	}
	b.WriteString("</table>\n")
	fmt.Fprintf(&b, "<h2>Fault schedule</h2><pre>%s</pre>\n", html.EscapeString(o.Schedule.String()))
	fmt.Fprintf(&b, "<h2>Space-time diagram</h2><p>%d events", len(rows))
	if truncated || opt.From > 0 || opt.To > 0 {
		fmt.Fprintf(&b, " (of %d; window %s to %s", t.Len(), secs(opt.From), secs(opt.To))
		if truncated {
			fmt.Fprintf(&b, ", cut at %d events: narrow the window", opt.MaxEvents)
		}
		b.WriteString(")")
	}
	b.WriteString(". One row per event, time flowing down; hover over a mark for its trace line.</p>\n")
	fmt.Fprintf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\">\n", width, height)
	b.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#0969da"/></marker></defs>` + "\n")
	for i, n := range names {
		x := lane(sim.NodeID(i))
		fmt.Fprintf(&b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-weight=\"bold\">%s</text>\n", x, topMargin-20, html.EscapeString(n))
		fmt.Fprintf(&b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#d0d7de\"/>\n", x, topMargin-10, x, height-20)
	}
	sendRow := map[uint64]int{}
	lastTime := time.Duration(-1)
	for row, i := range rows {
		e := t.At(i)
		line := html.EscapeString(t.Format(i))
		yy := y(row)
		if e.Time != lastTime && row%4 == 0 {
			fmt.Fprintf(&b, "<text x=\"4\" y=\"%d\" fill=\"#6e7781\">%s</text>\n", yy+4, secs(e.Time))
			lastTime = e.Time
		}
		switch e.Kind {
		case sim.EvSend:
			sendRow[e.ID] = row
			if e.Drop == sim.NotDropped {
				fmt.Fprintf(&b, "<circle cx=\"%d\" cy=\"%d\" r=\"2.5\" fill=\"#0969da\"><title>%s</title></circle>\n", lane(e.Node), yy, line)
			}
		case sim.EvDeliver:
			if sr, ok := sendRow[e.ID]; ok {
				fmt.Fprintf(&b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#0969da\" stroke-width=\"1\" marker-end=\"url(#arrow)\"><title>%s</title></line>\n",
					lane(e.Node), y(sr), lane(e.Peer), yy, line)
			}
			fmt.Fprintf(&b, "<text x=\"%d\" y=\"%d\" fill=\"#0969da\">%s</text>\n", lane(e.Peer)+6, yy+4, html.EscapeString(short(fmt.Sprint(e.Payload), 18)))
		case sim.EvDrop:
			x := lane(e.Node)
			if sr, ok := sendRow[e.ID]; ok && e.Drop != sim.DropPartitioned && e.Drop != sim.DropLost && e.Peer >= 0 && int(e.Peer) < len(names) {
				x = lane(e.Peer)
				fmt.Fprintf(&b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#cf222e\" stroke-dasharray=\"4 3\"><title>%s</title></line>\n", lane(e.Node), y(sr), x, yy, line)
			}
			fmt.Fprintf(&b, "<text x=\"%d\" y=\"%d\" fill=\"#cf222e\" text-anchor=\"middle\">✕<title>%s</title></text>\n", x, yy+4, line)
		case sim.EvTimer:
			fmt.Fprintf(&b, "<circle cx=\"%d\" cy=\"%d\" r=\"3\" fill=\"none\" stroke=\"#6e7781\"><title>%s</title></circle>\n", lane(e.Node), yy, line)
		case sim.EvCrash:
			fmt.Fprintf(&b, "<rect x=\"%d\" y=\"%d\" width=\"24\" height=\"6\" fill=\"#cf222e\"><title>%s</title></rect><text x=\"%d\" y=\"%d\" fill=\"#cf222e\">crash</text>\n", lane(e.Node)-12, yy-3, line, lane(e.Node)+14, yy+4)
		case sim.EvRestart, sim.EvStart:
			fmt.Fprintf(&b, "<rect x=\"%d\" y=\"%d\" width=\"24\" height=\"6\" fill=\"#1a7f37\"><title>%s</title></rect>\n", lane(e.Node)-12, yy-3, line)
		case sim.EvPause, sim.EvResume:
			fmt.Fprintf(&b, "<rect x=\"%d\" y=\"%d\" width=\"24\" height=\"6\" fill=\"#9a6700\"><title>%s</title></rect><text x=\"%d\" y=\"%d\" fill=\"#9a6700\">%s</text>\n", lane(e.Node)-12, yy-3, line, lane(e.Node)+14, yy+4, e.Kind)
		case sim.EvFault:
			fmt.Fprintf(&b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#cf222e\" stroke-width=\"0.6\"/><text x=\"%d\" y=\"%d\" fill=\"#cf222e\">⚡ %s<title>%s</title></text>\n",
				leftPad, yy, width-40, yy, leftPad+4, yy-2, html.EscapeString(short(fmt.Sprint(e.Payload), 90)), line)
		case sim.EvObserve:
			fmt.Fprintf(&b, "<circle cx=\"%d\" cy=\"%d\" r=\"3.5\" fill=\"#8250df\"><title>%s</title></circle><text x=\"%d\" y=\"%d\" fill=\"#8250df\">%s</text>\n",
				lane(e.Node), yy, line, lane(e.Node)+6, yy+4, html.EscapeString(short(fmt.Sprint(e.Payload), 18)))
		}
	}
	b.WriteString("</svg>\n</body></html>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func short(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}
