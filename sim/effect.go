package sim

import "fmt"

// EffectKind names one thing a handler does to the world.
type EffectKind uint8

const (
	EffPut         EffectKind = iota + 1 // a durable write
	EffDelete                            // a durable delete
	EffSend                              // a message handed to the network
	EffTimerSet                          // a timer set
	EffTimerCancel                       // a timer cancelled
	EffObserve                           // a fact recorded for the checkers
	EffWrite                             // a batch of durable writes made at once (Env.Write)
	EffSync                              // the node's writes so far made to survive a crash (Env.Sync)
	// EffReturn is not an effect: the handler returned, after its last
	// effect. It lets a hook act "after the last one" without knowing how
	// many there will be.
	EffReturn
)

var effectKindNames = [...]string{
	EffPut: "put", EffDelete: "delete", EffSend: "send", EffTimerSet: "timer-set",
	EffTimerCancel: "timer-cancel", EffObserve: "observe", EffWrite: "write", EffSync: "sync", EffReturn: "return",
}

func (k EffectKind) String() string {
	if int(k) < len(effectKindNames) && effectKindNames[k] != "" {
		return effectKindNames[k]
	}
	return fmt.Sprintf("effect(%d)", k)
}

// Real reports whether the effect changes what survives a crash or what
// other nodes see (a durable write or a send). Timers die with the node
// and observations are the test's records, not the system's acts.
func (k EffectKind) Real() bool {
	return k == EffPut || k == EffDelete || k == EffWrite || k == EffSend || k == EffSync
}

// Effect is one effect a handler performed, reported to effect hooks right
// after it took place. Run and Index name the point stably: the same seed
// and inputs give the same runs and effects up to the first fault that
// changes the course of events, so a point named in a fault-free run can be
// hit again in a run with a fault placed there.
type Effect struct {
	Node NodeID
	// Run counts the node's handler runs from 1 over all its
	// incarnations: every Start, Receive and Timer call is one run.
	Run int
	// Index is this effect's place in its run, from 1; for EffReturn, the
	// number of effects the run had.
	Index int
	Kind  EffectKind
	Key   string       // put, delete: the key; write: the batch's first key
	Peer  NodeID       // send: the receiver
	Msg   Message      // send: the message
	Fact  fmt.Stringer // observe: the fact
}

func (e Effect) String() string {
	s := fmt.Sprintf("node %d run %d effect %d: %s", e.Node, e.Run, e.Index, e.Kind)
	switch e.Kind {
	case EffPut, EffDelete, EffWrite:
		s += " " + e.Key
	case EffSend:
		s += fmt.Sprintf(" %v to %d", e.Msg, e.Peer)
	case EffObserve:
		s += fmt.Sprintf(" %v", e.Fact)
	}
	return s
}

// OnEffect registers a hook called synchronously after every effect of
// every live handler, and when a handler returns (EffReturn). A hook may
// crash the node: the handler then continues, but acts on nothing, exactly
// as after a crash from an observation hook. With no hook registered the
// kernel only counts effects, so the normal path stays free.
func (w *World) OnEffect(f func(Effect)) { w.effectHooks = append(w.effectHooks, f) }

// beginRun counts a handler run of p; its effects count from 1 again.
func (p *proc) beginRun() {
	p.runs++
	p.effects = 0
	p.store.beginRun()
}

// did counts an effect of the handler running on e and reports it. It is
// called only on the slow path, when some hook is registered.
func (e *Env) did(eff Effect) {
	if e.dead {
		return // an observation hook crashed the node during this effect
	}
	p := e.p
	eff.Node, eff.Run, eff.Index = p.id, p.runs, p.effects
	for _, h := range e.w.effectHooks {
		h(eff)
		if e.dead {
			return
		}
	}
}

// returned reports that the handler running on env has returned.
func (w *World) returned(env *Env) {
	env.p.store.endRun()
	if len(w.effectHooks) == 0 || env.dead {
		return
	}
	env.did(Effect{Kind: EffReturn})
}
