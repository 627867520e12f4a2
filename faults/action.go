package faults

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/sim"
)

// Kind is the kind of a fault action.
type Kind string

const (
	Crash      Kind = "crash"       // Node crashes
	Restart    Kind = "restart"     // Node restarts from its durable state
	Partition  Kind = "partition"   // cut every link between different Groups (both directions)
	Cut        Kind = "cut"         // cut every directed link From -> To
	Isolate    Kind = "isolate"     // cut every link to and from Node
	Heal       Kind = "heal"        // restore every link
	SetLink    Kind = "link"        // set links From -> To (empty = every node) to Link
	ResetLinks Kind = "reset-links" // every link back to the network default
	ClockJump  Kind = "clock-jump"  // Node's clock jumps by Duration (may be negative)
	ClockDrift Kind = "clock-drift" // Node's clock drifts by Drift (0.01 = 1% fast)
	Pause      Kind = "pause"       // Node stops handling events for Duration
	HealAll    Kind = "heal-all"    // heal, reset links and clocks, restart every crashed node
	// EffectCrash crashes Node inside its Run-th handler run, right after
	// the run's Effect-th effect (a durable put or delete, a send, a timer
	// set or cancel, an observation), and restarts it RestartAfter later
	// if that is given. The point is named by run and effect, not by time.
	EffectCrash Kind = "effect-crash"
	// MidCrash arms, at At, a crash of Node inside a handler: right before
	// its Effect-th durable write, sync or send from then on, restarting
	// RestartAfter later if that is given. Random search draws it: the
	// point is named by time and count, not by a run of a fault-free run.
	MidCrash Kind = "mid-crash"
)

var kinds = []Kind{Crash, Restart, Partition, Cut, Isolate, Heal, SetLink, ResetLinks, ClockJump, ClockDrift, Pause, HealAll, EffectCrash, MidCrash}

// LinkSpec is a link setting in a schedule.
type LinkSpec struct {
	Latency   Duration `json:"latency"`
	Jitter    Duration `json:"jitter,omitempty"`
	Loss      float64  `json:"loss,omitempty"`
	Duplicate float64  `json:"duplicate,omitempty"`
}

// Sim is the setting as the kernel takes it.
func (l LinkSpec) Sim() sim.Link {
	return sim.Link{Latency: time.Duration(l.Latency), Jitter: time.Duration(l.Jitter), Loss: l.Loss, Duplicate: l.Duplicate}
}

// Action is one fault. In a schedule At is the true time it happens; in a
// trigger it is the delay after the matching observation (0 = at once,
// inside the observing node's handler).
type Action struct {
	At       Duration   `json:"at"`
	Kind     Kind       `json:"kind"`
	Node     string     `json:"node,omitempty"`
	Groups   [][]string `json:"groups,omitempty"`
	From     []string   `json:"from,omitempty"`
	To       []string   `json:"to,omitempty"`
	Link     *LinkSpec  `json:"link,omitempty"`
	Duration Duration   `json:"duration,omitempty"`
	Drift    float64    `json:"drift,omitempty"`
	// Run, Effect and RestartAfter belong to effect-crash only.
	Run          int       `json:"run,omitempty"`
	Effect       EffectRef `json:"effect,omitempty"`
	RestartAfter *Duration `json:"restart_after,omitempty"` // absent: no restart; "0s": at once
}

// String is the action's canonical text, used in traces and printed plans.
func (a Action) String() string { return string(a.AppendTrace(nil)) }

// AppendTrace appends String's text; the trace writes it so
// (sim.TraceAppender), without fmt for the common kinds.
func (a Action) AppendTrace(b []byte) []byte {
	b = append(b, a.Kind...)
	switch a.Kind {
	case Crash, Restart, Isolate:
		b = append(append(b, ' '), a.Node...)
	case Partition:
		b = append(b, ' ')
		for i, g := range a.Groups {
			if i > 0 {
				b = append(b, " | "...)
			}
			b = append(b, '{')
			for j, n := range g {
				if j > 0 {
					b = append(b, ',')
				}
				b = append(b, n...)
			}
			b = append(b, '}')
		}
	case Cut:
		b = fmt.Appendf(b, " {%s} -> {%s}", strings.Join(a.From, ","), strings.Join(a.To, ","))
	case SetLink:
		b = fmt.Appendf(b, " {%s} -> {%s}", orAll(a.From), orAll(a.To))
		if a.Link != nil {
			b = fmt.Appendf(b, " latency=%v jitter=%v loss=%g dup=%g", a.Link.Latency, a.Link.Jitter, a.Link.Loss, a.Link.Duplicate)
		}
	case ClockJump, Pause:
		b = fmt.Appendf(b, " %s %v", a.Node, a.Duration)
	case ClockDrift:
		b = fmt.Appendf(b, " %s %g", a.Node, a.Drift)
	case EffectCrash, MidCrash:
		if a.Kind == EffectCrash {
			b = fmt.Appendf(b, " %s run=%d effect=%v", a.Node, a.Run, a.Effect)
		} else {
			b = fmt.Appendf(b, " %s before-effect=%v", a.Node, a.Effect)
		}
		if a.RestartAfter != nil {
			b = fmt.Appendf(b, " restart-after=%v", *a.RestartAfter)
		}
	}
	return b
}

func orAll(names []string) string {
	if len(names) == 0 {
		return "*"
	}
	return strings.Join(names, ",")
}

// Validate checks the action against the node names that exist.
func (a Action) Validate(known func(string) bool) error {
	okKind := false
	for _, k := range kinds {
		okKind = okKind || k == a.Kind
	}
	if !okKind {
		return fmt.Errorf("unknown fault kind %q", a.Kind)
	}
	if a.At < 0 {
		return fmt.Errorf("%s: negative time %v", a.Kind, a.At)
	}
	check := func(names ...string) error {
		for _, n := range names {
			if !known(n) {
				return fmt.Errorf("%s: unknown node %q", a.Kind, n)
			}
		}
		return nil
	}
	if a.Kind != EffectCrash && a.Kind != MidCrash && (a.Run != 0 || a.Effect != 0 || a.RestartAfter != nil) {
		return fmt.Errorf("%s: run, effect and restart_after belong to %s and %s only", a.Kind, EffectCrash, MidCrash)
	}
	switch a.Kind {
	case Crash, Restart, Isolate, ClockJump, ClockDrift, Pause, EffectCrash, MidCrash:
		if a.Node == "" {
			return fmt.Errorf("%s: node is missing", a.Kind)
		}
		if err := check(a.Node); err != nil {
			return err
		}
		switch {
		case a.Kind == Pause && a.Duration <= 0:
			return fmt.Errorf("pause %s: duration must be positive", a.Node)
		case a.Kind == ClockJump && a.Duration == 0:
			return fmt.Errorf("clock-jump %s: duration is missing or zero (the jump, e.g. \"duration\": \"-200ms\")", a.Node)
		case a.RestartAfter != nil && *a.RestartAfter < 0:
			return fmt.Errorf("%s %s: negative restart_after %v", a.Kind, a.Node, *a.RestartAfter)
		case a.Kind == EffectCrash:
			return a.validateEffectCrash()
		case a.Kind == MidCrash:
			return a.validateMidCrash()
		}
	case Partition:
		if len(a.Groups) < 2 {
			return fmt.Errorf("partition: needs at least two groups")
		}
		seen := map[string]bool{}
		for _, g := range a.Groups {
			if err := check(g...); err != nil {
				return err
			}
			for _, n := range g {
				if seen[n] {
					return fmt.Errorf("partition: node %q in two groups", n)
				}
				seen[n] = true
			}
		}
	case Cut:
		if len(a.From) == 0 || len(a.To) == 0 {
			return fmt.Errorf("cut: from and to are both needed")
		}
		if err := check(append(append([]string{}, a.From...), a.To...)...); err != nil {
			return err
		}
	case SetLink:
		if a.Link == nil {
			return fmt.Errorf("link: the link setting is missing")
		}
		if err := a.Link.Sim().Validate(); err != nil {
			return fmt.Errorf("link: %w", err)
		}
		if err := check(append(append([]string{}, a.From...), a.To...)...); err != nil {
			return err
		}
	}
	return nil
}

// Apply carries the action out on a world. Names were checked by Validate;
// an unknown name here is skipped rather than crashing the run.
func (a Action) Apply(w *sim.World) {
	ids := func(names []string) []sim.NodeID {
		var out []sim.NodeID
		for _, n := range names {
			if id, ok := w.Lookup(n); ok {
				out = append(out, id)
			}
		}
		return out
	}
	all := func(names []string) []sim.NodeID {
		if len(names) == 0 {
			out := make([]sim.NodeID, len(w.Names()))
			for i := range out {
				out[i] = sim.NodeID(i)
			}
			return out
		}
		return ids(names)
	}
	node, hasNode := w.Lookup(a.Node)
	switch a.Kind {
	case Crash:
		if hasNode {
			w.Crash(node)
		}
	case EffectCrash:
		if hasNode {
			a.arm(w, node, -1)
		}
	case MidCrash:
		if hasNode {
			midCrash{a: a, quietFrom: -1}.Apply(w)
		}
	case Restart:
		if hasNode {
			w.Restart(node)
		}
	case Partition:
		for i, g := range a.Groups {
			for j, h := range a.Groups {
				if i == j {
					continue
				}
				for _, x := range ids(g) {
					for _, y := range ids(h) {
						w.Cut(x, y)
					}
				}
			}
		}
	case Cut:
		for _, x := range ids(a.From) {
			for _, y := range ids(a.To) {
				w.Cut(x, y)
			}
		}
	case Isolate:
		if hasNode {
			for i := range w.Names() {
				if other := sim.NodeID(i); other != node {
					w.Cut(node, other)
					w.Cut(other, node)
				}
			}
		}
	case Heal:
		w.HealAll()
	case SetLink:
		for _, x := range all(a.From) {
			for _, y := range all(a.To) {
				w.SetLink(x, y, a.Link.Sim())
			}
		}
	case ResetLinks:
		w.ResetLinks()
	case ClockJump:
		if hasNode {
			w.JumpClock(node, time.Duration(a.Duration))
		}
	case ClockDrift:
		if hasNode {
			w.SetDrift(node, a.Drift)
		}
	case Pause:
		if hasNode {
			w.Pause(node, time.Duration(a.Duration))
		}
	case HealAll:
		w.HealAll()
		w.ResetLinks()
		for i := range w.Names() {
			w.ResetClock(sim.NodeID(i))
			w.Restart(sim.NodeID(i))
		}
	}
}

// SortActions orders actions by time, keeping the given order among equal
// times (which is also the order they are applied in).
func SortActions(as []Action) {
	sort.SliceStable(as, func(i, j int) bool { return as[i].At < as[j].At })
}

// EffectRef names an effect within a handler run: its number, from 1, or
// LastEffect. In JSON it is a number or "last".
type EffectRef int

// LastEffect is the point after a handler's last effect, however many it
// has: the crash comes as the handler returns.
const LastEffect EffectRef = -1

func (r EffectRef) String() string {
	if r == LastEffect {
		return "last"
	}
	return strconv.Itoa(int(r))
}

// MarshalJSON writes LastEffect as "last", any other as its number.
func (r EffectRef) MarshalJSON() ([]byte, error) {
	if r == LastEffect {
		return []byte(`"last"`), nil
	}
	return json.Marshal(int(r))
}

// UnmarshalJSON reads a number or "last".
func (r *EffectRef) UnmarshalJSON(b []byte) error {
	if string(b) == `"last"` {
		*r = LastEffect
		return nil
	}
	var n int
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf(`bad effect %s: want a number from 1 or "last"`, b)
	}
	*r = EffectRef(n)
	return nil
}

// validateEffectCrash checks how an effect crash names its point.
func (a Action) validateEffectCrash() error {
	switch {
	case a.At != 0:
		return fmt.Errorf("%s %s: at must be 0: the point is named by run and effect, not by time", a.Kind, a.Node)
	case a.Run < 1:
		return fmt.Errorf("%s %s: run %d: handler runs count from 1 (the node's first start)", a.Kind, a.Node, a.Run)
	case a.Effect == 0:
		return fmt.Errorf(`%s %s: effect is missing (a number from 1, or "last")`, a.Kind, a.Node)
	case a.Effect < 1 && a.Effect != LastEffect:
		return fmt.Errorf(`%s %s: effect %d: effects count from 1 (or "last")`, a.Kind, a.Node, a.Effect)
	}
	return nil
}

// arm hooks an effect crash into the world. From quietFrom on (the
// liveness phase; -1: never) it no longer fires, like a trigger, and a
// restart that would land there is left to the heal-all.
func (a Action) arm(w *sim.World, node sim.NodeID, quietFrom time.Duration) {
	quiet := func(t time.Duration) bool { return quietFrom >= 0 && t >= quietFrom }
	fired := false
	w.OnEffect(func(e sim.Effect) {
		if fired || e.Node != node || e.Run != a.Run {
			return
		}
		if a.Effect == LastEffect {
			if e.Kind != sim.EffReturn {
				return
			}
		} else if e.Kind == sim.EffReturn || e.Index != int(a.Effect) {
			return
		}
		fired = true
		if quiet(w.Now()) {
			return
		}
		w.Apply(effectCrashed(a))
		a.planRestart(w, quiet)
	})
}

// effectCrashed is an armed effect crash as it fires: recorded in the
// trace under the action's own name, it crashes the node.
type effectCrashed Action

func (f effectCrashed) String() string { return Action(f).String() }

func (f effectCrashed) Apply(w *sim.World) {
	if id, ok := w.Lookup(f.Node); ok {
		w.Crash(id)
	}
}

// LivenessStart is when the schedule's first heal-all begins the liveness
// phase, in which no fault happens; ok is false without one.
func (s Schedule) LivenessStart() (at time.Duration, ok bool) {
	at = -1
	for _, a := range s.Actions {
		if a.Kind == HealAll && (at < 0 || time.Duration(a.At) < at) {
			at = time.Duration(a.At)
		}
	}
	return at, at >= 0
}
