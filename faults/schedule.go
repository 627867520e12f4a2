package faults

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/internal/strictjson"
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
)

// Trigger fires actions when a node records a matching observation.
type Trigger struct {
	On    string            `json:"on"`             // observation kind, e.g. "votes-in"
	Node  string            `json:"node,omitempty"` // only observations recorded by this node
	Where map[string]string `json:"where,omitempty"`
	Skip  int               `json:"skip,omitempty"`  // let this many matches pass first
	Times int               `json:"times,omitempty"` // fire at most this often (0 = once)
	Do    []Action          `json:"do"`              // At is the delay after the match
}

func (t Trigger) String() string {
	var conds []string
	if t.Node != "" {
		conds = append(conds, "node="+t.Node)
	}
	for _, k := range slices.Sorted(maps.Keys(t.Where)) {
		conds = append(conds, k+"="+t.Where[k])
	}
	if t.Skip > 0 {
		conds = append(conds, fmt.Sprintf("skip=%d", t.Skip))
	}
	if t.Times > 1 {
		conds = append(conds, fmt.Sprintf("times=%d", t.Times))
	}
	acts := make([]string, len(t.Do))
	for i, a := range t.Do {
		acts[i] = a.String()
		if a.At > 0 {
			acts[i] = fmt.Sprintf("after %v: %s", a.At, acts[i])
		}
	}
	return fmt.Sprintf("on %s [%s] do %s", t.On, strings.Join(conds, " "), strings.Join(acts, "; "))
}

func (t Trigger) matches(w *sim.World, o sim.Observation) bool {
	f, ok := o.Data.(obs.Fact)
	if !ok || f.Kind() != t.On {
		return false
	}
	if t.Node != "" && w.NameOf(o.Node) != t.Node {
		return false
	}
	for k, v := range t.Where {
		if got, ok := obs.AttrOf(f, k); !ok || got != v {
			return false
		}
	}
	return true
}

// validateFact checks the trigger's kind and conditions against the fact
// vocabulary: a typo in either would otherwise never match, and the run
// would go ahead as if the fault had been planned and found harmless.
func (t Trigger) validateFact() error {
	if t.On == "" {
		return fmt.Errorf(`"on" is missing`)
	}
	k, err := obs.Lookup(t.On)
	if err != nil {
		return fmt.Errorf(`"on": %w`, err)
	}
	if err := k.CheckWhere(t.Where); err != nil {
		return fmt.Errorf(`"where": %w`, err)
	}
	return nil
}

// Schedule is a fault plan: timed actions plus triggers.
type Schedule struct {
	Actions  []Action  `json:"actions"`
	Triggers []Trigger `json:"triggers,omitempty"`
	// Unsynced is the storage fault: what a crash does to writes not yet
	// synced — "" or "keep" (nothing lost), "lose" (all of them), "torn"
	// (a seeded subset). See sim.SetUnsynced.
	Unsynced string `json:"unsynced,omitempty"`
}

// Validate checks every action and trigger against the nodes of a world.
func (s Schedule) Validate(known func(string) bool) error {
	if _, err := sim.ParseUnsynced(s.Unsynced); err != nil {
		return err
	}
	for i, a := range s.Actions {
		if err := a.Validate(known); err != nil {
			return fmt.Errorf("action %d: %w", i+1, err)
		}
	}
	for i, t := range s.Triggers {
		if err := t.validateFact(); err != nil {
			return fmt.Errorf("trigger %d: %w", i+1, err)
		}
		if t.Node != "" && !known(t.Node) {
			return fmt.Errorf("trigger %d: unknown node %q", i+1, t.Node)
		}
		if t.Skip < 0 || t.Times < 0 {
			return fmt.Errorf("trigger %d: negative skip or times", i+1)
		}
		if len(t.Do) == 0 {
			return fmt.Errorf("trigger %d: no action", i+1)
		}
		for j, a := range t.Do {
			if err := a.Validate(known); err != nil {
				return fmt.Errorf("trigger %d action %d: %w", i+1, j+1, err)
			}
		}
	}
	return nil
}

// Install validates the schedule against the world's nodes, queues its
// timed actions and hooks its triggers. Triggers stop at the first
// heal-all: it marks the start of the liveness phase.
func (s Schedule) Install(w *sim.World) error {
	known := func(n string) bool { _, ok := w.Lookup(n); return ok }
	if err := s.Validate(known); err != nil {
		return err
	}
	// A heal-all starts the liveness phase: from then on no fault may
	// happen, so triggers fall silent and delayed actions that would land
	// after it are dropped (the heal-all restarts every crashed node anyway).
	healAt, _ := s.LivenessStart()
	u, _ := sim.ParseUnsynced(s.Unsynced)
	w.SetUnsynced(u)
	for _, a := range s.Actions {
		if a.Kind == EffectCrash {
			// Named by handler run, not by time: armed before anything runs.
			id, _ := w.Lookup(a.Node)
			a.arm(w, id, healAt)
			continue
		}
		if a.Kind == MidCrash {
			w.Schedule(time.Duration(a.At), midCrash{a: a, quietFrom: healAt})
			continue
		}
		w.Schedule(time.Duration(a.At), a)
	}
	if len(s.Triggers) == 0 {
		return nil
	}
	quiet := func(t time.Duration) bool { return healAt >= 0 && t >= healAt }
	seen := make([]int, len(s.Triggers))
	fired := make([]int, len(s.Triggers))
	trigs := s.Triggers
	w.OnObserve(func(o sim.Observation) {
		if quiet(o.Time) {
			return
		}
		for i, t := range trigs {
			limit := t.Times
			if limit == 0 {
				limit = 1
			}
			if fired[i] >= limit || !t.matches(w, o) {
				continue
			}
			seen[i]++
			if seen[i] <= t.Skip {
				continue
			}
			fired[i]++
			for _, a := range t.Do {
				switch at := w.Now() + time.Duration(a.At); {
				case a.At == 0:
					w.Apply(a)
				case !quiet(at):
					w.Schedule(at, a)
				}
			}
		}
	})
	return nil
}

// Roles lists every node name the schedule mentions, sorted.
func (s Schedule) Roles() []string {
	set := map[string]bool{}
	add := func(a Action) {
		if a.Node != "" {
			set[a.Node] = true
		}
		for _, g := range a.Groups {
			for _, n := range g {
				set[n] = true
			}
		}
		for _, n := range a.From {
			set[n] = true
		}
		for _, n := range a.To {
			set[n] = true
		}
	}
	for _, a := range s.Actions {
		add(a)
	}
	for _, t := range s.Triggers {
		if t.Node != "" {
			set[t.Node] = true
		}
		for _, a := range t.Do {
			add(a)
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// String prints the plan, one action or trigger per line.
func (s Schedule) String() string {
	if len(s.Actions) == 0 && len(s.Triggers) == 0 && s.Unsynced == "" {
		return "(no faults)\n"
	}
	var b strings.Builder
	if s.Unsynced != "" {
		fmt.Fprintf(&b, "unsynced writes at a crash: %s\n", s.Unsynced)
	}
	for _, a := range s.Actions {
		fmt.Fprintf(&b, "%s %s\n", sim.FormatTime(time.Duration(a.At)), a)
	}
	for _, t := range s.Triggers {
		fmt.Fprintf(&b, "trigger %s\n", t)
	}
	return b.String()
}

// MarshalIndent is the schedule as indented JSON, the saved-file form.
func (s Schedule) MarshalIndent() []byte { return strictjson.Indent(s) }

// Parse reads a schedule from JSON, refusing unknown fields and triggers
// on facts outside the vocabulary, so that a typo in a hand-written file
// is an error rather than a silently ignored fault. Node names are checked
// when the schedule is installed in a world.
func Parse(data []byte) (Schedule, error) {
	var s Schedule
	if err := strictjson.Decode(data, &s); err != nil {
		return Schedule{}, fmt.Errorf("fault schedule: %w", err)
	}
	for i, t := range s.Triggers {
		if err := t.validateFact(); err != nil {
			return Schedule{}, fmt.Errorf("fault schedule: trigger %d: %w", i+1, err)
		}
	}
	return s, nil
}
