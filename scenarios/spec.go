package scenarios

import (
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/sim"
)

// Liveness is the final phase of a run: at At every fault is healed (links
// mended and reset, clocks reset, crashed nodes restarted) and every
// transaction must then be decided within Bound.
type Liveness struct {
	At    time.Duration
	Bound time.Duration
}

// Spec is one scenario.
type Spec struct {
	Name        string
	Description string
	// Expect is the verdict this scenario is meant to produce. For a
	// scenario with random faults (a Nemesis) that expects a violation, it
	// means a sweep finds violations, not that every seed does.
	Expect checker.Verdict

	System   System // the protocol under test with its workload
	Network  faults.LinkSpec
	Faults   faults.Schedule // fixed actions and triggers
	Nemesis  *faults.Nemesis // random faults drawn from the seed, added to Faults
	Liveness *Liveness

	MaxTime    time.Duration
	MaxEvents  int
	MinBlocked time.Duration // shorter uncertainty at the end is "in flight", not blocked
	// Checks names the checkers to run, from those the system offers (a
	// file's checkers section); nil runs them all.
	Checks []string

	linTimeout time.Duration // SetLinTimeout's, or per run Options.LinTimeout
}

// SetLinTimeout bounds each linearizability search of every run of s
// whose Options leave LinTimeout 0: how a tool that runs a scenario many
// times (shrink, crash points, replay) passes the bound down.
func (s *Spec) SetLinTimeout(d time.Duration) { s.linTimeout = d }

// LinTimeout is the bound on each linearizability search of this run.
func (s *Spec) LinTimeout() time.Duration {
	if s.linTimeout > 0 {
		return s.linTimeout
	}
	return checker.LinearizabilityTimeout
}

// System is what a scenario puts in the world — protocol nodes and the
// workload driving them — and how the resulting history is judged. Each
// family of protocols (atomic commit over the bank workload, locks over a
// protected resource, ...) is one System implementation.
type System interface {
	// Protocol is the short name of the protocol under test, e.g. "2pc".
	Protocol() string
	// PlantedBugs lists the bugs WithBug can enable.
	PlantedBugs() []string
	// WithBug returns the system with a planted bug turned on.
	WithBug(name string) (System, error)
	// Validate reports an impossible configuration, naming the field.
	Validate() error
	// Build adds every node. Workload draws come from the seed's
	// "workload" stream only.
	Build(w *sim.World, seed uint64) error
	// Checkers lists what judges a finished run of spec s, each with its
	// options (bounds from the spec's liveness phase, fencing, quorum).
	Checkers(s *Spec) []checker.Checker
}

// Options are the per-run choices.
type Options struct {
	Seed     uint64
	NoTrace  bool             // skip storing the trace (faster; the trace hash is kept)
	Bug      string           // enable a planted bug of the protocol by name
	Schedule *faults.Schedule // run this fault plan instead of the scenario's (replay)
	// LinTimeout bounds each linearizability search (0: the checker's
	// default). A search that runs out is "unknown", never ok.
	LinTimeout time.Duration
	// Watch, if set, sees the world once it is built and its faults are
	// installed, before it runs: how a tool watches a run (explore lists
	// the effect boundaries of a fault-free run with it).
	Watch func(w *sim.World)
}

// Outcome is everything a run produced.
type Outcome struct {
	Scenario string
	Seed     uint64
	Protocol string
	Bug      string
	Expect   checker.Verdict
	// BySweep: the expectation is about a sweep (see Spec.ExpectsBySweep).
	BySweep bool
	// OwnFaults: the run used a fault schedule given in Options, not the
	// one its seed draws, so the seed alone does not reproduce it.
	OwnFaults bool
	Schedule  faults.Schedule // the fault plan as run
	Stop      sim.StopReason
	Events    int
	SimTime   time.Duration
	Results   []checker.Result
	Verdict   checker.Verdict
	Trace     *sim.Trace // nil with NoTrace
	TraceHash string     // every run, NoTrace too: a hash of the canonical trace, kept as the run goes
	Messages  int        // sent by every node
	Writes    int        // durable writes by every node
	History   *checker.History

	spec Spec // as run, without the bug: what a run file records
}

// Checkers are the system's checkers that Checks selects: what judges a
// run of s.
func (s *Spec) Checkers() []checker.Checker {
	all := s.System.Checkers(s)
	if s.Checks == nil {
		return all
	}
	var out []checker.Checker
	for _, c := range all {
		if slices.Contains(s.Checks, c.Name()) {
			out = append(out, c)
		}
	}
	return out
}

// ExpectsBySweep reports whether the expected verdict is one that random
// search must find over many seeds rather than one every seed gives.
func (s Spec) ExpectsBySweep() bool { return s.Nemesis != nil && s.Expect == checker.Violation }

// AsExpected reports whether one run's verdict fits the expectation.
func (o *Outcome) AsExpected() bool {
	return o.Verdict == o.Expect || (o.BySweep && o.Verdict == checker.OK)
}

// Plan returns the fault schedule a seed gives: the fixed part, the drawn
// part, and the liveness phase's heal-all.
func (s Spec) Plan(seed uint64) faults.Schedule {
	var drawn faults.Schedule
	if s.Nemesis != nil {
		drawn = s.Nemesis.Generate(sim.NewStream(seed, "faults"))
	}
	plan := faults.Schedule{Triggers: s.Faults.Triggers}
	if n := len(s.Faults.Actions) + len(drawn.Actions); n > 0 || s.Liveness != nil {
		// One array for the three parts: a sweep plans every seed.
		plan.Actions = make([]faults.Action, 0, n+1)
		plan.Actions = append(append(plan.Actions, s.Faults.Actions...), drawn.Actions...)
	}
	plan.Unsynced = drawn.Unsynced
	if s.Faults.Unsynced != "" {
		plan.Unsynced = s.Faults.Unsynced
	}
	if s.Liveness != nil {
		plan.Actions = append(plan.Actions, faults.Action{At: faults.Duration(s.Liveness.At), Kind: faults.HealAll})
	}
	faults.SortActions(plan.Actions)
	return plan
}

// Validate checks the spec once, naming what is wrong.
func (s Spec) Validate() error {
	if s.System == nil {
		return fmt.Errorf("scenario %s: no system under test", s.Name)
	}
	if err := s.System.Validate(); err != nil {
		return fmt.Errorf("scenario %s: %v", s.Name, err)
	}
	if s.Nemesis != nil {
		if err := s.Nemesis.Validate(); err != nil {
			return fmt.Errorf("scenario %s: %v", s.Name, err)
		}
	}
	if s.MaxTime <= 0 && s.MaxEvents <= 0 {
		return fmt.Errorf("scenario %s: needs a time or event limit", s.Name)
	}
	if s.Liveness != nil && s.MaxTime > 0 && s.MaxTime < s.Liveness.At+s.Liveness.Bound {
		return fmt.Errorf("scenario %s: time limit %v ends before the liveness deadline", s.Name, s.MaxTime)
	}
	return nil
}

// Run runs the scenario once. A returned error means the inputs were bad
// (unknown bug, invalid schedule); a panic inside the simulated run is not
// an input error and comes back as a "crash" violation with the stack.
func Run(s Spec, o Options) (out *Outcome, err error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	sys := s.System
	var kernelBugs []string
	if strings.HasPrefix(o.Bug, "kernel/") {
		kernelBugs = []string{o.Bug} // the simulator's own, not the protocol's
	} else if o.Bug != "" {
		if sys, err = sys.WithBug(o.Bug); err != nil {
			return nil, err
		}
	}
	var plan faults.Schedule
	if o.Schedule != nil {
		plan = *o.Schedule
	} else {
		plan = s.Plan(o.Seed)
	}
	out = &Outcome{spec: s, Scenario: s.Name, Seed: o.Seed, Protocol: sys.Protocol(), Bug: o.Bug, Expect: s.Expect, BySweep: s.ExpectsBySweep(),
		OwnFaults: o.Schedule != nil, Schedule: plan}

	w, err := sim.New(sim.Config{Seed: o.Seed, Network: s.Network.Sim(), MaxTime: s.MaxTime, MaxEvents: s.MaxEvents, NoTrace: o.NoTrace, Bugs: kernelBugs})
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	if err := sys.Build(w, o.Seed); err != nil {
		return nil, fmt.Errorf("scenario %s: %v", s.Name, err)
	}
	if err := plan.Install(w); err != nil {
		return nil, fmt.Errorf("scenario %s: %v", s.Name, err)
	}
	if o.Watch != nil {
		o.Watch(w)
	}

	defer func() {
		if r := recover(); r != nil {
			out.Verdict = checker.Violation
			out.Results = append(out.Results, checker.Result{Checker: "crash", Class: checker.ClassSafety, Verdict: checker.Violation,
				Message:  fmt.Sprintf("the simulated run panicked at %s: %v", sim.FormatTime(w.Now()), r),
				Evidence: []string{string(debug.Stack())}})
			out.Events, out.SimTime, out.TraceHash = -1, w.Now(), w.TraceHash()
			err = nil
		}
	}()
	res := w.Run()
	out.Stop, out.Events, out.SimTime = res.Stop, res.Events, res.Time
	h := checker.FromWorld(w)
	out.History = h
	if o.LinTimeout > 0 {
		s.linTimeout = o.LinTimeout
	}
	s.System = sys
	out.Results = checker.RunAll(h, s.Checkers())
	out.Verdict = checker.Combine(out.Results)
	for i := range h.Names {
		out.Messages += w.Sent(sim.NodeID(i))
		out.Writes += w.Store(sim.NodeID(i)).Writes()
	}
	out.TraceHash = w.TraceHash()
	if !o.NoTrace {
		out.Trace = w.Trace()
	}
	return out, nil
}
