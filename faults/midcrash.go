package faults

import (
	"fmt"
	"time"

	"github.com/faultline-sim/faultline/sim"
)

// validateMidCrash checks how a mid-crash names its point.
func (a Action) validateMidCrash() error {
	switch {
	case a.Run != 0:
		return fmt.Errorf("%s %s: run belongs to %s (a mid-crash is named by its time and effect count)", a.Kind, a.Node, EffectCrash)
	case a.Effect < 1:
		return fmt.Errorf("%s %s: effect %v: the durable write, sync or send to crash before, counted from 1 after at", a.Kind, a.Node, a.Effect)
	}
	return nil
}

// midCrash is a mid-crash as scheduled: at its time it arms the node's
// crash (sim.World.CrashBefore). From quietFrom on (the liveness phase;
// -1: never) an armed crash no longer fires, like a trigger, and a
// restart that would land there is left to the heal-all.
type midCrash struct {
	a         Action
	quietFrom time.Duration
}

func (m midCrash) String() string { return m.a.String() }

func (m midCrash) quiet(t time.Duration) bool { return m.quietFrom >= 0 && t >= m.quietFrom }

// Apply arms the crash; the node being down, there is nothing to arm.
func (m midCrash) Apply(w *sim.World) {
	if id, ok := w.Lookup(m.a.Node); ok && w.Up(id) {
		w.CrashBefore(id, int(m.a.Effect), midCrashed(m))
	}
}

// midCrashed is an armed mid-crash as it fires, recorded in the trace
// under the action's name: it crashes the node and plans its restart.
type midCrashed midCrash

func (f midCrashed) String() string { return "fire " + f.a.String() }

func (f midCrashed) Apply(w *sim.World) {
	m := midCrash(f)
	id, ok := w.Lookup(m.a.Node)
	if !ok || m.quiet(w.Now()) {
		return
	}
	w.Crash(id)
	m.a.planRestart(w, m.quiet)
}

// planRestart restarts a node a crash inside a handler just took down,
// RestartAfter later: at once for 0, never without one, and not in the
// liveness phase (quiet), whose heal-all restarts it instead.
func (a Action) planRestart(w *sim.World, quiet func(time.Duration) bool) {
	if a.RestartAfter == nil {
		return
	}
	switch at := w.Now() + time.Duration(*a.RestartAfter); {
	case *a.RestartAfter == 0:
		w.Apply(Action{Kind: Restart, Node: a.Node})
	case !quiet(at):
		w.Schedule(at, Action{Kind: Restart, Node: a.Node})
	}
}
