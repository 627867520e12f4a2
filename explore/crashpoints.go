package explore

import (
	"fmt"
	"sort"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/scenarios"
)

// Point is one crash point.
type Point struct {
	Node  string `json:"node"`
	Kind  string `json:"kind"`  // observation kind, e.g. "vote"
	Index int    `json:"index"` // 0 for the node's first observation of that kind
	At    string `json:"at"`    // when the base run reached it (true time)
}

func (p Point) String() string {
	return fmt.Sprintf("crash %s after its %s #%d (at %s in the fault-free run)", p.Node, p.Kind, p.Index+1, p.At)
}

// Trigger is the fault that realizes the point.
func (p Point) Trigger(restartAfter time.Duration) faults.Trigger {
	do := []faults.Action{{Kind: faults.Crash, Node: p.Node}}
	if restartAfter > 0 {
		do = append(do, faults.Action{At: faults.Duration(restartAfter), Kind: faults.Restart, Node: p.Node})
	}
	return faults.Trigger{On: p.Kind, Node: p.Node, Skip: p.Index, Do: do}
}

// Options bound an exploration.
type Options struct {
	Seed         uint64
	Bug          string
	RestartAfter time.Duration // 0: no restart (a liveness phase's heal-all still restarts)
	PerKind      int           // at most this many points per node and kind (0: 10)
	Nodes        []string      // only these nodes (empty: every node that records observations)
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
	Points   int
	Counts   map[checker.Verdict]int
	Runs     []Outcome // in point order
	Base     faults.Schedule
	Stopped  bool // cut short by Options.Stop: Runs has the first len(Runs) of Points
}

// CrashPoints runs the scenario once without its random faults, lists its
// crash points, and runs the scenario once per point.
func CrashPoints(spec scenarios.Spec, o Options) (*Result, error) {
	if o.PerKind <= 0 {
		o.PerKind = 10
	}
	if o.RestartAfter < 0 {
		return nil, fmt.Errorf("restart delay %v is negative", o.RestartAfter)
	}
	spec.Nemesis = nil // systematic, not random: only the scenario's own faults stay
	base := spec.Plan(o.Seed)
	first, err := scenarios.Run(spec, scenarios.Options{Seed: o.Seed, Bug: o.Bug, Schedule: &base, NoTrace: true})
	if err != nil {
		return nil, err
	}
	only := map[string]bool{}
	for _, n := range o.Nodes {
		known := false
		for _, m := range first.History.Names {
			known = known || m == n
		}
		if !known {
			return nil, fmt.Errorf("scenario %s has no node %q", spec.Name, n)
		}
		only[n] = true
	}
	var points []Point
	seen := map[string]int{}
	for _, ob := range first.History.Observations {
		f, ok := ob.Data.(obs.Fact)
		if !ok {
			continue
		}
		node := first.History.Names[ob.Node]
		if len(only) > 0 && !only[node] {
			continue
		}
		key := node + "\x00" + f.Kind()
		i := seen[key]
		seen[key]++
		if i < o.PerKind {
			points = append(points, Point{Node: node, Kind: f.Kind(), Index: i, At: fmt.Sprintf("%.6fs", ob.Time.Seconds())})
		}
	}
	sort.SliceStable(points, func(i, j int) bool {
		if points[i].Node != points[j].Node {
			return points[i].Node < points[j].Node
		}
		if points[i].Kind != points[j].Kind {
			return points[i].Kind < points[j].Kind
		}
		return points[i].Index < points[j].Index
	})
	res := &Result{Scenario: spec.Name, Points: len(points), Counts: map[checker.Verdict]int{}, Base: base}
	for i, p := range points {
		if o.Stop != nil && o.Stop() {
			res.Stopped = true
			break
		}
		plan := faults.Schedule{Actions: base.Actions, Triggers: append(append([]faults.Trigger(nil), base.Triggers...), p.Trigger(o.RestartAfter))}
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
