package shrink

import (
	"fmt"
	"sort"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/scenarios"
)

// Result is a shrunk failing run.
type Result struct {
	Original faults.Schedule
	Minimal  faults.Schedule
	Outcome  *scenarios.Outcome // the run with the minimal schedule
	Checkers []string           // the violated checkers that had to stay violated
	Runs     int                // runs tried
}

// unit is one removable piece of a schedule.
type unit struct {
	action  *faults.Action
	trigger *faults.Trigger
}

func build(fixed []faults.Action, units []unit) faults.Schedule {
	s := faults.Schedule{Actions: append([]faults.Action(nil), fixed...)}
	for _, u := range units {
		if u.action != nil {
			s.Actions = append(s.Actions, *u.action)
		} else {
			s.Triggers = append(s.Triggers, *u.trigger)
		}
	}
	faults.SortActions(s.Actions)
	return s
}

func violated(o *scenarios.Outcome) []string {
	var out []string
	for _, r := range o.Results {
		if r.Verdict == checker.Violation {
			out = append(out, r.Checker)
		}
	}
	sort.Strings(out)
	return out
}

// Shrink runs the scenario once as given; if it fails with a violation, it
// removes faults while at least one of the originally violated checkers
// still reports a violation. maxRuns bounds the search (0: 2000).
func Shrink(spec scenarios.Spec, seed uint64, bug string, maxRuns int) (*Result, error) {
	if maxRuns <= 0 {
		maxRuns = 2000
	}
	first, err := scenarios.Run(spec, scenarios.Options{Seed: seed, Bug: bug, NoTrace: true})
	if err != nil {
		return nil, err
	}
	want := violated(first)
	if len(want) == 0 {
		return nil, fmt.Errorf("%s seed %d has no violation to shrink (verdict %s)", spec.Name, seed, first.Verdict)
	}
	res := &Result{Original: first.Schedule, Checkers: want, Runs: 1}
	var fixed []faults.Action
	var units []unit
	for i := range first.Schedule.Actions {
		a := first.Schedule.Actions[i]
		if a.Kind == faults.HealAll {
			fixed = append(fixed, a)
			continue
		}
		units = append(units, unit{action: &a})
	}
	for i := range first.Schedule.Triggers {
		t := first.Schedule.Triggers[i]
		units = append(units, unit{trigger: &t})
	}
	fails := func(us []unit) bool {
		if res.Runs >= maxRuns {
			return false
		}
		res.Runs++
		plan := build(fixed, us)
		plan.Unsynced = first.Schedule.Unsynced // a storage setting, not a fault to remove
		o, err := scenarios.Run(spec, scenarios.Options{Seed: seed, Bug: bug, Schedule: &plan, NoTrace: true})
		if err != nil {
			return false
		}
		for _, c := range violated(o) {
			for _, w := range want {
				if c == w {
					return true
				}
			}
		}
		return false
	}
	if fails(nil) {
		units = nil // the failure needs no fault at all
	} else {
		units = ddmin(units, fails)
	}
	res.Minimal = build(fixed, units)
	res.Minimal.Unsynced = first.Schedule.Unsynced
	res.Outcome, err = scenarios.Run(spec, scenarios.Options{Seed: seed, Bug: bug, Schedule: &res.Minimal})
	if err != nil {
		return nil, err
	}
	res.Runs++
	return res, nil
}

// ddmin is Zeller's delta debugging: split the failing set into n chunks,
// keep a chunk or a complement that still fails, refine otherwise, until
// no single element can be removed.
func ddmin(us []unit, fails func([]unit) bool) []unit {
	n := 2
	for len(us) >= 2 {
		chunk := (len(us) + n - 1) / n
		reduced := false
		for i := 0; i < len(us) && !reduced; i += chunk {
			end := min(i+chunk, len(us))
			part := us[i:end]
			rest := append(append([]unit(nil), us[:i]...), us[end:]...)
			switch {
			case fails(part):
				us, n, reduced = append([]unit(nil), part...), 2, true
			case n > 2 && fails(rest):
				us, n, reduced = rest, max(n-1, 2), true
			}
		}
		if reduced {
			continue
		}
		if n >= len(us) {
			break
		}
		n = min(2*n, len(us))
	}
	if len(us) == 1 && fails(nil) {
		return nil
	}
	return us
}
