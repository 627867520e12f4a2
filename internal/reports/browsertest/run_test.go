package browsertest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// runProbe reads the run page: highlighted events and labels, spans, and
// whether each lies inside the first viewport.
const runProbe = `Object.assign(` + common + `, (function(){
  const inView = (el) => { const r = el.getBoundingClientRect(); return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth; };
  const topInView = (el) => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight && r.left >= 0 && r.right <= innerWidth; };
  const svg = document.getElementById("diagram");
  return {
    ready: document.body.dataset.ready || "",
    caption: document.getElementById("caption").textContent,
    hl: [...svg.querySelectorAll("g.ev.hl")].map(g => ({line: g.querySelector("title").textContent, inView: inView(g)})),
    hlLabels: [...svg.querySelectorAll("text.hlt")].map(x => ({text: x.firstChild.textContent, inView: inView(x)})),
    spans: [...svg.querySelectorAll("rect.span")].map(r => ({cls: r.getAttribute("class").replace("span ", ""), title: r.querySelector("title").textContent, topInView: topInView(r), top: r.getBoundingClientRect().top, bottom: r.getBoundingClientRect().bottom})),
    spanLabels: [...svg.querySelectorAll("text.sl")].map(x => ({text: x.firstChild.textContent, inView: inView(x)})),
    lines: [0, 1, 2, 3, 10, 100, 1000].map(i => window.faultlineTraceLine(i)),
    findings: document.querySelectorAll("#findings tr.finding").length
  };
})())`

// label is a text label of the diagram and whether it lies inside the
// first viewport.
type label struct {
	Text   string
	InView bool
}

type runPage struct {
	layout
	Height  float64
	Ready   string
	Caption string
	HL      []struct {
		Line   string
		InView bool
	}
	HLLabels []label
	Spans    []struct {
		Cls, Title string
		TopInView  bool
		Top        float64
		Bottom     float64
	}
	SpanLabels []label
	Lines      []string
	Findings   float64
}

func decode(t *testing.T, p page) runPage {
	var r runPage
	decodePage(t, p, &r)
	require.Equal(t, "1", r.Ready, "the page's script ran to the end")
	return r
}

// runReport writes a report with simrun args (the file named last of
// them, in a fresh directory), expects exit status code, and loads it.
func runReport(t *testing.T, code int, shot string, args ...string) (runPage, string) {
	ctx, dir := simrunIn(t, code, args...)
	return decode(t, open(t, ctx, filepath.Join(dir, args[len(args)-1]), shot, runProbe)), dir
}

// traceLines is the run's canonical trace, as simrun run --trace prints it.
func traceLines(t *testing.T, dir string, args ...string) []string {
	_, out := sim(t, dir, append(args, "--trace")...)
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "scenario ") {
			break
		}
		lines = append(lines, l)
	}
	return lines
}

func checkLines(t *testing.T, r runPage, trace []string) {
	for k, i := range []int{0, 1, 2, 3, 10, 100, 1000} {
		if i < len(trace) {
			require.Equal(t, trace[i], r.Lines[k], "the page rebuilds trace line %d exactly", i)
		}
	}
}

func hlInView(t *testing.T, r runPage, want string) {
	for _, h := range r.HL {
		if strings.Contains(h.Line, want) {
			require.True(t, h.InView, "highlighted %q inside the first viewport", h.Line)
			return
		}
	}
	t.Fatalf("no highlighted event %q; highlighted: %+v", want, r.HL)
}

func labelInView(t *testing.T, labels []label, want string) {
	for _, l := range labels {
		if strings.Contains(l.Text, want) && l.InView {
			return
		}
	}
	t.Fatalf("no label %q inside the first viewport among %+v", want, labels)
}

func TestRunReport3PCSplitOpensOnBothConflictingDecisions(t *testing.T) {
	r, dir := runReport(t, 1, "run-3pc-partition-seed1", "run", "3pc-partition", "--seed", "1", "--html", "r.html")
	st, err := os.Stat(filepath.Join(dir, "r.html"))
	require.NoError(t, err)
	require.Less(t, st.Size(), int64(3<<20), "a 33,507-event run's page stays under 3 MB")
	t.Logf("3pc-partition --seed 1: %d bytes, page height %.0f px; %s", st.Size(), r.Height, r.Caption)
	hlInView(t, r, "participant-1 decide c2-t1 abort")
	hlInView(t, r, "participant-2 decide c2-t1 commit")
	labelInView(t, r.HLLabels, "decide c2-t1 abort")
	labelInView(t, r.HLLabels, "decide c2-t1 commit")
	require.Contains(t, r.Caption, "of 33,507 trace events")
	require.Less(t, r.Height, 2.5*viewH, "opens within about two screens")
	checkLines(t, r, traceLines(t, dir, "run", "3pc-partition", "--seed", "1"))
}

func TestRunReport2PCBlockedSpanInFirstViewport(t *testing.T) {
	r, dir := runReport(t, 0, "run-2pc-coordinator-crash-seed1", "run", "2pc-coordinator-crash", "--seed", "1", "--html", "r.html")
	blocked, down := 0, 0
	for _, s := range r.Spans {
		switch s.Cls {
		case "blocked":
			blocked++
			require.True(t, s.TopInView, "blocked span starts inside the first viewport: %+v", s)
			require.Greater(t, s.Bottom-s.Top, 100.0, "the 3-second block is drawn as a long span")
		case "down":
			down++
		}
	}
	require.Equal(t, 2, blocked, "both uncertain participants")
	require.Equal(t, 1, down, "the crashed coordinator's lane is greyed")
	labelInView(t, r.SpanLabels, "blocked c2-t1 holding acct-1.3")
	labelInView(t, r.SpanLabels, "blocked c2-t1 holding acct-2.1")
	hlInView(t, r, "vote c2-t1 yes")
	checkLines(t, r, traceLines(t, dir, "run", "2pc-coordinator-crash", "--seed", "1"))
}

func TestRunReportRedisPauseOverlappingBeliefsAndStaleWrite(t *testing.T) {
	r, dir := runReport(t, 1, "run-redis-lock-pause-seed1", "run", "redis-lock-pause", "--seed", "1", "--html", "r.html")
	var beliefs [][2]float64
	pause := false
	for _, s := range r.Spans {
		switch s.Cls {
		case "belief":
			if s.TopInView && len(beliefs) < 2 {
				require.LessOrEqual(t, s.Bottom, float64(viewH), "belief ends inside the first viewport: %+v", s)
				beliefs = append(beliefs, [2]float64{s.Top, s.Bottom})
			}
		case "pause":
			pause = true
		}
	}
	require.Len(t, beliefs, 2)
	require.Less(t, max(beliefs[0][0], beliefs[1][0]), min(beliefs[0][1], beliefs[1][1]), "the two beliefs overlap in true time")
	require.True(t, pause, "the 200ms pause is a span")
	hlInView(t, r, "storage storage-write lock-1 from=client-1")
	labelInView(t, r.SpanLabels, "believes it holds lock-1")
	held := false
	for _, s := range r.Spans {
		held = held || (s.Cls == "holder" && strings.Contains(s.Title, "really held by client-2") && s.TopInView)
	}
	require.True(t, held, "the lock service's true holder client-2 is drawn in the first viewport")
	require.Contains(t, r.Caption, "of 203 trace events")
	checkLines(t, r, traceLines(t, dir, "run", "redis-lock-pause", "--seed", "1"))
}

func TestRunReportOKRun(t *testing.T) {
	r, dir := runReport(t, 0, "run-2pc-bank-seed1", "run", "2pc-bank", "--seed", "1", "--html", "r.html")
	require.Zero(t, r.Findings)
	require.Empty(t, r.HL)
	require.Contains(t, r.Caption, "Window 0.000000000s to ")
	checkLines(t, r, traceLines(t, dir, "run", "2pc-bank", "--seed", "1"))
}

func TestShrinkReport(t *testing.T) {
	r, _ := runReport(t, 1, "shrink-3pc-faults-seed83", "shrink", "3pc-faults", "--seed", "83", "--html", "s.html")
	require.NotEmpty(t, r.HL)
	for _, h := range r.HL {
		require.True(t, h.InView, "highlighted %q inside the first viewport", h.Line)
	}
	labelInView(t, r.HLLabels, "decide")
}

// navProbe clicks through the page's navigation and reports what each
// view shows: every finding's link, the whole run, the row mode.
const navProbe = `(function(){
  const cap = () => document.getElementById("caption").textContent;
  const hl = () => document.querySelectorAll("#diagram g.ev.hl").length;
  const out = {findings: []};
  document.querySelectorAll("[data-show]").forEach(a => {
    a.click();
    out.findings.push({caption: cap(), hl: hl(), current: document.querySelector("#findings tr.current") ? document.querySelector("#findings tr.current").dataset.f : ""});
  });
  let t0 = performance.now();
  document.getElementById("whole").click();
  out.whole = {caption: cap(), ms: performance.now() - t0, marks: document.querySelectorAll("#diagram g.ev").length, height: document.getElementById("diagram").getAttribute("height")};
  document.getElementById("zoomout").click();
  document.querySelector("[data-show]").click();
  document.getElementById("mode").click();
  out.rows = {caption: cap(), hl: hl()};
  return out;
})()`

func TestRunReportNavigatesToEveryFindingAndTheWholeRun(t *testing.T) {
	ctx, dir := simrunIn(t, 1, "run", "3pc-partition", "--seed", "1", "--html", "r.html")
	p := open(t, ctx, filepath.Join(dir, "r.html"), "run-3pc-partition-seed1-rows", navProbe)
	require.Empty(t, p.Errors)
	var nav struct {
		Findings []struct {
			Caption, Current string
			HL               int
		}
		Whole struct {
			Caption string
			MS      float64
			Marks   int
			Height  string
		}
		Rows struct {
			Caption string
			HL      int
		}
	}
	remarshal(t, p.Probe, &nav)
	require.Len(t, nav.Findings, 2)
	require.Equal(t, 3, nav.Findings[0].HL, "atomicity: the three decisions about c2-t1")
	require.Equal(t, "0", nav.Findings[0].Current)
	require.Contains(t, nav.Findings[0].Caption, "Highlighted: the events finding 1 names")
	require.Equal(t, "1", nav.Findings[1].Current)
	require.Contains(t, nav.Whole.Caption, "Window 0.000000000s to 3.000000000s: 33,507 of 33,507 trace events")
	require.Positive(t, nav.Whole.Marks)
	t.Logf("whole-run view of 3pc-partition: %d marks drawn in %.0f ms, %s px tall", nav.Whole.Marks, nav.Whole.MS, nav.Whole.Height)
	require.Contains(t, nav.Rows.Caption, "One row per event")
	require.Equal(t, 3, nav.Rows.HL, "the row mode keeps the finding highlighted")
}
