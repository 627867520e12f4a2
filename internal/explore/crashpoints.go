package explore

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/sim"
)

// Point is one crash point: a node right after one effect of one of its
// handler runs in the fault-free run.
type Point struct {
	Node string `json:"node"`
	// Kind is the effect's kind as sampled: "put <key prefix>", "delete
	// <key prefix>", "send <message type>", "observe <fact kind>",
	// "timer-set" or "timer-cancel".
	Kind   string `json:"kind"`
	Index  int    `json:"index"`  // 0 for the node's first effect of that kind
	Run    int    `json:"run"`    // the node's handler run, from 1
	Effect int    `json:"effect"` // the effect within the run after which it crashes, from 1
	// Records are the kinds of the facts the node recorded after the
	// effect and before the crash (see Result.Distinct).
	Records []string `json:"records,omitempty"`
	At      string   `json:"at"` // when the base run reached it (true time)
}

func (p Point) String() string {
	recorded := ""
	if len(p.Records) > 0 {
		recorded = "recorded " + strings.Join(p.Records, ", ") + "; "
	}
	return fmt.Sprintf("crash %s after its %s #%d (%srun %d effect %d, at %s in the fault-free run)",
		p.Node, p.Kind, p.Index+1, recorded, p.Run, p.Effect, p.At)
}

// Action is the fault that realizes the point.
func (p Point) Action(restartAfter time.Duration) faults.Action {
	a := faults.Action{Kind: faults.EffectCrash, Node: p.Node, Run: p.Run, Effect: faults.EffectRef(p.Effect)}
	if restartAfter > 0 {
		d := faults.Duration(restartAfter)
		a.RestartAfter = &d
	}
	return a
}

// Options bound an exploration.
type Options struct {
	Seed         uint64
	Bug          string
	RestartAfter time.Duration // 0: no restart (a liveness phase's heal-all still restarts)
	PerKind      int           // at most this many points per node and effect kind (0: 10)
	Nodes        []string      // only these nodes (empty: every node)
	// Progress, if set, is called after each crash point's run; Stop, if
	// set, is polled before each: once true, the result holds the points
	// run so far (Result.Stopped).
	Progress func(done, total int)
	Stop     func() bool
}

// Outcome is one crash point's run.
type Outcome struct {
	Point    Point            `json:"point"`
	Verdict  checker.Verdict  `json:"verdict"`
	Failures []checker.Result `json:"failures,omitempty"`
	Faults   faults.Schedule  `json:"-"`
}

// Result is a whole exploration.
type Result struct {
	Scenario string
	// Boundaries counts the effect boundaries of the fault-free run (of the
	// chosen nodes, before any liveness phase): one after every effect.
	Boundaries int
	// Distinct counts the boundaries that leave a state of their own. Only
	// durable writes and sends change what survives a crash or what others
	// see; a timer dies with the node and an observation is the test's
	// record of what the node just did. So the effects from one write or
	// send up to the next are one crash point, crashed after the last of
	// them: a crash never falls between an act and its record, and a
	// protocol records an act after doing it, wherever that is.
	Distinct int
	Points   int // crash points run: Distinct after per-kind sampling
	Counts   map[checker.Verdict]int
	Runs     []Outcome // in point order
	Base     faults.Schedule
	Stopped  bool // cut short by Options.Stop: Runs has the first len(Runs) of Points
}

// boundary is one effect of the fault-free run.
type boundary struct {
	node     sim.NodeID
	run, eff int
	real     bool
	kind     string
	at       time.Duration
}

// segment is the effects of one handler run from one real effect (or the
// run's start) up to the next: one distinct crash point, after its last.
type segment struct {
	node    sim.NodeID
	run     int
	kind    string // the real effect's kind, else the first observation's
	named   bool   // kind is final: a real effect's or an observation's
	records []string
	eff     int // the last effect
	at      time.Duration
}

// segments cuts the fault-free run's effects into distinct crash points,
// in the order they happened.
func segments(found []boundary) []segment {
	type nodeRun struct {
		node sim.NodeID
		run  int
	}
	var segs []segment
	open := map[nodeRun]int{} // each run's current segment
	for _, b := range found {
		k := nodeRun{b.node, b.run}
		fact, observed := strings.CutPrefix(b.kind, "observe ")
		i, ok := open[k]
		switch {
		case !ok || b.real:
			segs = append(segs, segment{node: b.node, run: b.run, kind: b.kind, named: b.real || observed})
			i = len(segs) - 1
			open[k] = i
		case observed && !segs[i].named:
			segs[i].kind, segs[i].named = b.kind, true // a run that sets a timer, then records
		case observed:
			segs[i].records = append(segs[i].records, fact)
		}
		segs[i].eff, segs[i].at = b.eff, b.at
	}
	return segs
}

// CrashPoints runs the scenario once without its random faults, lists the
// effect boundaries of its handlers, samples them per node and effect
// kind, and runs the scenario once per sampled point with a crash there.
func CrashPoints(spec scenarios.Spec, o Options) (*Result, error) {
	if o.PerKind <= 0 {
		o.PerKind = 10
	}
	if o.RestartAfter < 0 {
		return nil, fmt.Errorf("restart delay %v is negative", o.RestartAfter)
	}
	spec.Nemesis = nil // systematic, not random: only the scenario's own faults stay
	base := spec.Plan(o.Seed)
	var found []boundary
	watch := func(w *sim.World) {
		w.OnEffect(func(e sim.Effect) {
			if e.Kind != sim.EffReturn {
				found = append(found, boundary{node: e.Node, run: e.Run, eff: e.Index, real: e.Kind.Real(), kind: effectKind(e), at: w.Now()})
			}
		})
	}
	first, err := scenarios.Run(spec, scenarios.Options{Seed: o.Seed, Bug: o.Bug, Schedule: &base, NoTrace: true, Watch: watch})
	if err != nil {
		return nil, err
	}
	names := first.History.Names
	only := map[string]bool{}
	for _, n := range o.Nodes {
		known := false
		for _, m := range names {
			known = known || m == n
		}
		if !known {
			return nil, fmt.Errorf("scenario %s has no node %q", spec.Name, n)
		}
		only[n] = true
	}
	res := &Result{Scenario: spec.Name, Counts: map[checker.Verdict]int{}, Base: base}
	healAt, healed := base.LivenessStart()
	chosen := func(node sim.NodeID, at time.Duration) bool {
		return (len(only) == 0 || only[names[node]]) && !(healed && at >= healAt)
	}
	for _, b := range found {
		if chosen(b.node, b.at) {
			res.Boundaries++
		}
	}
	byKind := map[string][]Point{}
	var keys []string
	for _, sg := range segments(found) {
		if !chosen(sg.node, sg.at) {
			continue
		}
		res.Distinct++
		node := names[sg.node]
		key := node + "\x00" + sg.kind
		if _, ok := byKind[key]; !ok {
			keys = append(keys, key)
		}
		byKind[key] = append(byKind[key], Point{Node: node, Kind: sg.kind, Index: len(byKind[key]), Run: sg.run, Effect: sg.eff,
			Records: sg.records, At: fmt.Sprintf("%.6fs", sg.at.Seconds())})
	}
	sort.Strings(keys) // node, then kind
	var points []Point
	for _, k := range keys {
		points = append(points, sample(byKind[k], o.PerKind)...)
	}
	res.Points = len(points)
	for i, p := range points {
		if o.Stop != nil && o.Stop() {
			res.Stopped = true
			break
		}
		plan := faults.Schedule{Actions: append(append([]faults.Action(nil), base.Actions...), p.Action(o.RestartAfter)), Triggers: base.Triggers, Unsynced: base.Unsynced}
		faults.SortActions(plan.Actions)
		out, err := scenarios.Run(spec, scenarios.Options{Seed: o.Seed, Bug: o.Bug, Schedule: &plan, NoTrace: true})
		if err != nil {
			return nil, err
		}
		run := Outcome{Point: p, Verdict: out.Verdict, Faults: plan}
		for _, r := range out.Results {
			if r.Verdict != checker.OK {
				r.Stuck, r.Visualize = nil, nil
				run.Failures = append(run.Failures, r)
			}
		}
		res.Counts[out.Verdict]++
		res.Runs = append(res.Runs, run)
		if o.Progress != nil {
			o.Progress(i+1, len(points))
		}
	}
	return res, nil
}

// sample keeps at most n of a kind's points, spread evenly over the run
// from the first to the last, so that late phases (recovery, the last
// transactions) are crashed as well as the first.
func sample(ps []Point, n int) []Point {
	if len(ps) <= n {
		return ps
	}
	if n == 1 {
		return ps[:1]
	}
	out := make([]Point, n)
	for i := range out {
		out[i] = ps[i*(len(ps)-1)/(n-1)]
	}
	return out
}

// effectKind is the kind a boundary is sampled by: durable writes by key
// prefix (a log record is not a balance), sends by message type,
// observations by fact kind.
func effectKind(e sim.Effect) string {
	switch e.Kind {
	case sim.EffPut, sim.EffDelete, sim.EffWrite:
		prefix := e.Key
		if i := strings.IndexByte(prefix, '/'); i >= 0 {
			prefix = prefix[:i+1]
		}
		return e.Kind.String() + " " + prefix
	case sim.EffSend:
		return "send " + typeName(e.Msg)
	case sim.EffObserve:
		if f, ok := e.Fact.(interface{ Kind() string }); ok {
			return "observe " + f.Kind()
		}
		return "observe " + typeName(e.Fact)
	}
	return e.Kind.String()
}

func typeName(v any) string {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return "nil"
	}
	if t.Name() != "" {
		return t.Name()
	}
	return t.String()
}
