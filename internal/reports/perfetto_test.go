package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/faultline-sim/faultline/internal/ci"
	"github.com/faultline-sim/faultline/internal/scenariotest"
	"github.com/faultline-sim/faultline/sim"
	"github.com/stretchr/testify/require"
)

// traceEvent is one event of the Chrome trace-event format, as read back.
type traceEvent struct {
	Ph   string         `json:"ph"`
	Name string         `json:"name"`
	Cat  string         `json:"cat"`
	Pid  *float64       `json:"pid"`
	Tid  *float64       `json:"tid"`
	Ts   *float64       `json:"ts"`
	Dur  *float64       `json:"dur"`
	ID   any            `json:"id"`
	S    string         `json:"s"`
	Bp   string         `json:"bp"`
	Args map[string]any `json:"args"`
}

// validateChromeTrace checks a trace against the format's rules as the
// Trace Event Format document and Perfetto's JSON importer state them:
// known phases with their required fields; complete (X) slices nesting
// per thread, never partly overlapping (Perfetto drops those); async b/e
// and flow s/f events paired on (cat, name, id); a flow's start and end
// each strictly inside a slice on its own thread (else Perfetto drops the
// flow); metadata events naming processes and threads.
func validateChromeTrace(data []byte) ([]traceEvent, []error) {
	var doc struct {
		DisplayTimeUnit string       `json:"displayTimeUnit"`
		TraceEvents     []traceEvent `json:"traceEvents"`
	}
	var errs []error
	bad := func(f string, a ...any) { errs = append(errs, fmt.Errorf(f, a...)) }
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, []error{fmt.Errorf("not a trace-event JSON object: %w", err)}
	}
	if doc.DisplayTimeUnit != "" && doc.DisplayTimeUnit != "ms" && doc.DisplayTimeUnit != "ns" {
		bad("displayTimeUnit %q", doc.DisplayTimeUnit)
	}
	type thread struct{ pid, tid float64 }
	type span struct{ start, end float64 }
	slices := map[thread][]span{}
	type pairKey struct {
		cat, name string
		id        string
	}
	// An async slice (b ... e) and a flow (s ... f) are each a begin and an
	// end matched by key, and are checked alike.
	asyncOpen := map[pairKey]float64{}
	flowStart := map[pairKey]float64{}
	begin := func(open map[pairKey]float64, what string, i int, key pairKey, ts float64) {
		if _, dup := open[key]; dup {
			bad("event %d: %s %v begun twice", i, what, key)
		}
		open[key] = ts
	}
	end := func(open map[pairKey]float64, what string, i int, key pairKey, ts float64) {
		start, ok := open[key]
		if !ok {
			bad("event %d: %s end %v without a begin", i, what, key)
		} else if ts < start {
			bad("event %d: %s %v ends before it begins", i, what, key)
		}
		delete(open, key)
	}
	var flows []traceEvent
	for i, e := range doc.TraceEvents {
		if e.Pid == nil || e.Tid == nil {
			bad("event %d (%s %q): no pid/tid", i, e.Ph, e.Name)
			continue
		}
		if e.Ph != "M" && (e.Ts == nil || *e.Ts < 0) {
			bad("event %d (%s %q): no or negative ts", i, e.Ph, e.Name)
			continue
		}
		if e.Name == "" {
			bad("event %d (%s): no name", i, e.Ph)
		}
		th := thread{*e.Pid, *e.Tid}
		key := pairKey{e.Cat, e.Name, fmt.Sprint(e.ID)}
		switch e.Ph {
		case "M":
			switch e.Name {
			case "process_name", "thread_name":
				if _, ok := e.Args["name"].(string); !ok {
					bad("event %d: %s without args.name", i, e.Name)
				}
			case "process_sort_index", "thread_sort_index":
				if _, ok := e.Args["sort_index"].(float64); !ok {
					bad("event %d: %s without args.sort_index", i, e.Name)
				}
			default:
				bad("event %d: unknown metadata %q", i, e.Name)
			}
		case "X":
			if e.Dur == nil || *e.Dur < 0 {
				bad("event %d: X %q without a duration", i, e.Name)
				continue
			}
			slices[th] = append(slices[th], span{*e.Ts, *e.Ts + *e.Dur})
		case "i", "I":
			if e.S != "" && e.S != "g" && e.S != "p" && e.S != "t" {
				bad("event %d: instant scope %q", i, e.S)
			}
		case "b":
			if e.ID == nil {
				bad("event %d: async b without id", i)
			}
			begin(asyncOpen, "async", i, key, *e.Ts)
		case "e":
			end(asyncOpen, "async", i, key, *e.Ts)
		case "s":
			begin(flowStart, "flow", i, key, *e.Ts)
			flows = append(flows, e)
		case "f":
			end(flowStart, "flow", i, key, *e.Ts)
			flows = append(flows, e)
		default:
			bad("event %d: phase %q not used by this exporter", i, e.Ph)
		}
	}
	for k := range asyncOpen {
		bad("async %v never ends", k)
	}
	for k := range flowStart {
		bad("flow %v never ends", k)
	}
	for th, ss := range slices {
		sort.Slice(ss, func(a, b int) bool {
			if ss[a].start != ss[b].start {
				return ss[a].start < ss[b].start
			}
			return ss[a].end > ss[b].end
		})
		var stack []span
		for _, s := range ss {
			for len(stack) > 0 && stack[len(stack)-1].end <= s.start {
				stack = stack[:len(stack)-1]
			}
			if len(stack) > 0 && s.end > stack[len(stack)-1].end {
				bad("thread %v: slice [%v, %v] overlaps [%v, %v] without nesting", th, s.start, s.end, stack[len(stack)-1].start, stack[len(stack)-1].end)
			}
			stack = append(stack, s)
		}
		slices[th] = ss
	}
	for _, f := range flows {
		ss := slices[thread{*f.Pid, *f.Tid}]
		k := sort.Search(len(ss), func(j int) bool { return ss[j].start >= *f.Ts }) - 1
		inside := false
		for ; k >= 0 && !inside; k-- {
			inside = ss[k].start < *f.Ts && *f.Ts < ss[k].end
		}
		if !inside {
			bad("flow %s %q id %v at %v on tid %v is not strictly inside a slice", f.Ph, f.Name, f.ID, *f.Ts, *f.Tid)
		}
		if f.Ph == "f" && f.Bp != "e" {
			bad("flow end %v without bp=e binds to the next slice, not its own", f.ID)
		}
	}
	return doc.TraceEvents, errs
}

func TestChromeTraceOf2PCCoordinatorCrashIsWellFormedAndComplete(t *testing.T) {
	o := scenariotest.Run(t, "2pc-coordinator-crash", 1)
	var b bytes.Buffer
	require.NoError(t, ChromeTrace(&b, o))
	evs, errs := validateChromeTrace(b.Bytes())
	require.Empty(t, errs)

	want := map[string]int{}
	for i := 0; i < o.Trace.Len(); i++ {
		e := o.Trace.At(i)
		switch e.Kind {
		case sim.EvStart, sim.EvDeliver, sim.EvTimer:
			want["X"]++
		case sim.EvObserve:
			want["observation"]++
		case sim.EvCrash:
			want["crash"]++
		}
		if e.Kind == sim.EvDeliver {
			want["flow"]++
		}
	}
	got := map[string]int{}
	threads := map[float64]string{}
	var spans []string
	for _, e := range evs {
		switch {
		case e.Ph == "X":
			got["X"]++
		case e.Ph == "s":
			got["flow"]++
		case e.Ph == "i" && e.Cat == "observation":
			got["observation"]++
			require.NotEmpty(t, e.Args["observation"], "observations carry their text")
		case e.Ph == "i" && e.Name == "crash":
			got["crash"]++
			require.Equal(t, 1.0, *e.Tid, "the coordinator crashed")
		case e.Ph == "M" && e.Name == "thread_name":
			threads[*e.Tid] = e.Args["name"].(string)
		case e.Ph == "b":
			spans = append(spans, e.Cat+" "+e.Name)
		}
	}
	require.Equal(t, want, got, "a slice per handler, a flow per delivery, an instant per observation and crash")
	require.Equal(t, o.Trace.Names(), func() []string {
		var ns []string
		for i := 1; i <= len(threads); i++ {
			ns = append(ns, threads[float64(i)])
		}
		return ns
	}(), "a track per node, in node order")
	all := strings.Join(spans, "\n")
	require.Contains(t, all, "span.blocked blocked c2-t1 holding acct-1.3")
	require.Contains(t, all, "span.blocked blocked c2-t1 holding acct-2.1")
	require.Contains(t, all, "span.down down")
}

func TestChromeTraceValidatorCatchesBrokenTraces(t *testing.T) {
	for name, doc := range map[string]string{
		"overlap":   `{"traceEvents":[{"ph":"X","name":"a","pid":1,"tid":1,"ts":0,"dur":10},{"ph":"X","name":"b","pid":1,"tid":1,"ts":5,"dur":10}]}`,
		"flow out":  `{"traceEvents":[{"ph":"X","name":"a","pid":1,"tid":1,"ts":0,"dur":10},{"ph":"s","name":"m","cat":"c","id":1,"pid":1,"tid":1,"ts":20},{"ph":"f","bp":"e","name":"m","cat":"c","id":1,"pid":1,"tid":1,"ts":5}]}`,
		"no end":    `{"traceEvents":[{"ph":"b","name":"a","cat":"c","id":1,"pid":1,"tid":1,"ts":0}]}`,
		"no ts":     `{"traceEvents":[{"ph":"i","name":"a","pid":1,"tid":1}]}`,
		"bad phase": `{"traceEvents":[{"ph":"Q","name":"a","pid":1,"tid":1,"ts":1}]}`,
	} {
		_, errs := validateChromeTrace([]byte(doc))
		require.NotEmpty(t, errs, name)
	}
	_, errs := validateChromeTrace([]byte(`{"traceEvents":[{"ph":"X","name":"a","pid":1,"tid":1,"ts":0,"dur":10},{"ph":"X","name":"b","pid":1,"tid":1,"ts":2,"dur":3},{"ph":"s","name":"m","cat":"c","id":1,"pid":1,"tid":1,"ts":3},{"ph":"f","bp":"e","name":"m","cat":"c","id":1,"pid":1,"tid":1,"ts":7}]}`))
	require.Empty(t, errs, "nested slices and a bound flow are fine")
}

func TestChromeTraceOfEveryKindOfRunIsWellFormed(t *testing.T) {
	for _, name := range []string{"3pc-partition", "redis-lock-pause", "redlock-clock-jump", "lockmgr-crash", "zk-lock-partition"} {
		o := scenariotest.Run(t, name, 1)
		var b bytes.Buffer
		require.NoError(t, ChromeTrace(&b, o))
		_, errs := validateChromeTrace(b.Bytes())
		require.Empty(t, errs, name)
	}
}

// TestChromeTraceReadByDevToolsTraceEngine has Chrome DevTools' trace
// engine read the export: it must find a track per node with that node's
// slices and every message's flow, and warn about nothing. The engine is an
// npm package: FAULTLINE_TRACE_ENGINE names a directory whose node_modules
// holds @paulirish/trace_engine (.ci/run installs it there).
func TestChromeTraceReadByDevToolsTraceEngine(t *testing.T) {
	dir := os.Getenv("FAULTLINE_TRACE_ENGINE")
	node, err := exec.LookPath("node")
	if dir == "" || err != nil {
		if ci.On() {
			t.Fatal("CI=true: FAULTLINE_TRACE_ENGINE and node are needed to check the Chrome trace with DevTools' trace engine")
		}
		t.Skip("set FAULTLINE_TRACE_ENGINE to a directory with node_modules/@paulirish/trace_engine (npm install --prefix DIR @paulirish/trace_engine@0.0.65) to check the export with DevTools' trace engine")
	}
	o := scenariotest.Run(t, "2pc-coordinator-crash", 1)
	file := filepath.Join(t.TempDir(), "trace.json")
	f, err := os.Create(file)
	require.NoError(t, err)
	require.NoError(t, ChromeTrace(f, o))
	require.NoError(t, f.Close())
	script, err := filepath.Abs("testdata/trace_engine_check.mjs")
	require.NoError(t, err)
	cmd := exec.Command(node, script, file)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	var got struct {
		Threads  map[string]int
		Flows    int
		Warnings []string
	}
	require.NoError(t, json.Unmarshal(out, &got), "%s", out)
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	evs, errs := validateChromeTrace(data)
	require.Empty(t, errs)
	slices, flows := map[string]int{}, 0
	names := o.Trace.Names()
	for _, e := range evs {
		switch e.Ph {
		case "X":
			slices[names[int(*e.Tid)-1]]++
		case "s":
			flows++
		}
	}
	require.Empty(t, got.Warnings)
	require.Positive(t, flows)
	require.Equal(t, flows, got.Flows, "every message arrow bound at both ends")
	for _, n := range names {
		require.Contains(t, got.Threads, n, "a track per node")
		require.GreaterOrEqual(t, got.Threads[n], slices[n], "%s: the engine has every slice of the node", n)
	}
	t.Logf("DevTools trace engine read %d tracks, %d flows, no warnings: %s", len(got.Threads), got.Flows, out)
}
