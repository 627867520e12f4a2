package sim

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// NodeID identifies a node within one world: the order in which nodes were
// added, from 0.
type NodeID int32

// None is the NodeID of "no node".
const None NodeID = -1

// Message is anything one node sends another. String is its canonical text
// form in the trace. Messages must be treated as immutable once sent: the
// network may deliver the same value twice.
type Message interface {
	String() string
}

// Node is a protocol participant written as a message-driven state machine.
// The kernel makes a fresh Node (from the factory given to AddNode) at the
// start and after every restart; all volatile state lives in the Node value
// and is lost on a crash, everything that must survive goes to env's store.
type Node interface {
	// Start runs when the node comes up, fresh or restarted;
	// env.Incarnation() is 0 the first time.
	Start(env *Env)
	// Receive handles one delivered message.
	Receive(env *Env, from NodeID, msg Message)
	// Timer handles a timer set with env.SetTimer; tag is what was passed.
	Timer(env *Env, tag any)
}

// TimerID identifies a pending timer so it can be cancelled.
type TimerID uint64

// Observation is a protocol-level fact recorded by a node, stamped with the
// true simulated time. Checkers read observations, never node internals.
type Observation struct {
	Time time.Duration
	Node NodeID
	Data fmt.Stringer
}

// clock is a node's local clock: local = base + (true - since) * (1 + drift).
type clock struct {
	base  time.Duration
	since time.Duration
	drift float64
}

func (c *clock) read(now time.Duration) time.Duration {
	el := now - c.since
	if c.drift != 0 {
		el += time.Duration(float64(el) * c.drift)
	}
	return c.base + el
}

type proc struct {
	id          NodeID
	name        string
	factory     func() Node
	node        Node
	env         *Env
	up          bool
	inc         uint32
	store       *Store
	rng         *rand.Rand
	clock       clock
	timers      map[TimerID]struct{}
	pausedUntil time.Duration
	sent        int
	runs        int // handler runs over all incarnations (Effect.Run)
	effects     int // effects of the current run (Effect.Index)
	// armed counts down the durable writes, syncs and sends left before
	// the armed crash (World.CrashBefore) is applied; 0: none armed.
	armed      int
	armedFault Fault
}

// Env is what a node may use to act on the world. It belongs to one
// incarnation of one node: once that incarnation crashes, every action
// through it is silently ignored, as the actions of a dead process are.
type Env struct {
	w    *World
	p    *proc
	dead bool
	tx   *atomicStep // while Atomic runs
	step atomicStep  // what tx points to, kept to reuse its buffer
}

// ID is this node's id.
func (e *Env) ID() NodeID { return e.p.id }

// Name is this node's name, e.g. "coordinator" or "participant-2".
func (e *Env) Name() string { return e.p.name }

// Incarnation counts restarts: 0 for the first start.
func (e *Env) Incarnation() int { return int(e.p.inc) }

// Lookup finds a node by name.
func (e *Env) Lookup(name string) (NodeID, bool) { return e.w.Lookup(name) }

// NameOf returns the name of a node.
func (e *Env) NameOf(id NodeID) string { return e.w.NameOf(id) }

// Now reads the node's local clock, which may be skewed, drift, or jump;
// only the kernel and the checkers see true time.
func (e *Env) Now() time.Duration { return e.p.clock.read(e.w.now) }

// Rand is this node's own random stream.
func (e *Env) Rand() *rand.Rand { return e.p.rng }

// Send puts a message on the link to another node.
func (e *Env) Send(to NodeID, m Message) {
	if e.dead {
		return
	}
	if e.tx != nil {
		e.tx.acts = append(e.tx.acts, deferredAct{to: to, msg: m})
		return
	}
	if e.p.armed > 0 && e.fireArmed() {
		return
	}
	e.w.send(e.p, to, m)
	e.p.effects++
	if len(e.w.effectHooks) != 0 {
		e.did(Effect{Kind: EffSend, Peer: to, Msg: m})
	}
}

// SetTimer arranges for Timer(tag) after d of simulated time. Timers run on
// the node's monotonic clock: they follow its drift but not clock jumps.
func (e *Env) SetTimer(d time.Duration, tag any) TimerID {
	if e.dead {
		return 0
	}
	if d < 0 {
		d = 0
	}
	if e.p.clock.drift != 0 {
		d = time.Duration(float64(d) / (1 + e.p.clock.drift))
	}
	w := e.w
	w.timerSeq++
	id := TimerID(w.timerSeq)
	e.p.timers[id] = struct{}{}
	w.push(item{at: w.now + d, kind: itemTimer, node: e.p.id, inc: e.p.inc, id: uint64(id)}, tag)
	if e.tx != nil {
		return id
	}
	e.p.effects++
	if len(w.effectHooks) != 0 {
		e.did(Effect{Kind: EffTimerSet})
	}
	return id
}

// CancelTimer cancels a pending timer; cancelling a fired or unknown timer
// does nothing.
func (e *Env) CancelTimer(id TimerID) {
	if e.dead {
		return
	}
	delete(e.p.timers, id)
	if e.tx != nil {
		return
	}
	e.p.effects++
	if len(e.w.effectHooks) != 0 {
		e.did(Effect{Kind: EffTimerCancel})
	}
}

// Keys lists durable keys with a prefix, sorted.
func (e *Env) Keys(prefix string) []string { return e.p.store.Keys(prefix) }

// Put writes durably; the write is complete when Put returns, and it
// survives a crash once it is synced (Sync; by default every write is, see
// World.SetUnsynced). The store
// keeps a copy of v (a deep copy of plain data), so neither later changes
// to v nor a message sharing its memory reach stored state. v must be plain
// data: a pointer, func or channel anywhere in it (or an unexported field
// holding a slice, map or interface) panics with an error naming the key,
// so the mistake shows on the first Put rather than as a state a disk could
// not have. Read it back with Load.
func (e *Env) Put(key string, v any) {
	if !e.beginWrite() {
		return
	}
	e.p.store.put(key, v)
	e.wrote(EffPut, key)
}

// Write makes a batch of durable writes at once: one effect, so no crash
// falls between them, and a crash that loses unsynced writes loses all of
// them or none. It leaves the batch as it was.
func (e *Env) Write(b *Batch) {
	if b.n == 0 || !e.beginWrite() {
		return
	}
	e.p.store.write(b)
	e.wrote(EffWrite, string(b.key(0)))
}

// Delete removes a key durably.
func (e *Env) Delete(key string) {
	if !e.beginWrite() {
		return
	}
	e.p.store.del(key)
	e.wrote(EffDelete, key)
}

// wrote accounts for a durable write just made: inside Atomic it is part
// of the step's one write, otherwise an effect of its own.
// Only a hook keeps the key (a copy of it): a key concatenated at the
// call then stays off the heap.
func (e *Env) wrote(kind EffectKind, key string) {
	hooked := len(e.w.effectHooks) != 0
	if e.tx != nil {
		if e.tx.writes == 0 && hooked {
			e.tx.first = strings.Clone(key)
		}
		e.tx.writes++
		return
	}
	e.p.effects++
	if hooked {
		e.did(Effect{Kind: kind, Key: strings.Clone(key)})
	}
}

// Sync makes the node's durable writes so far survive a crash, as fsync
// does: a protocol syncs its log before it tells anyone what the log says.
// It is an effect (a crash can fall just before or after it) only when a
// write is waiting, which it never is unless the world loses unsynced
// writes (World.SetUnsynced). Inside Atomic it does nothing: the step
// syncs as it ends.
func (e *Env) Sync() {
	if e.dead || e.tx != nil || !e.p.store.pending() {
		return
	}
	if e.p.armed > 0 && e.fireArmed() {
		return
	}
	e.p.store.sync()
	e.p.effects++
	if len(e.w.effectHooks) != 0 {
		e.did(Effect{Kind: EffSync})
	}
}

// beginWrite accounts for a durable write about to be made, the one rule
// for Put, Write, Delete and the typed Put: an armed mid-handler crash
// counts it (and may fire, so the write is not made), and outside Atomic
// it starts a write of its own for the unsynced-write fault. It reports
// whether the write goes ahead.
func (e *Env) beginWrite() bool {
	if e.dead || e.tx == nil && e.p.armed > 0 && e.fireArmed() {
		return false
	}
	if e.tx == nil {
		e.p.store.nextWrite()
	}
	return true
}

// fireArmed counts a durable write, sync or send about to be made against
// the node's armed crash and applies the crash when it is due. It reports
// whether the node is now dead, so the effect must not take place.
func (e *Env) fireArmed() bool {
	p := e.p
	p.armed--
	if p.armed > 0 {
		return false
	}
	f := p.armedFault
	p.armedFault = nil
	e.w.Apply(f)
	return e.dead
}

// Observe records a protocol-level fact for the checkers, at true time.
// Observation hooks (fault triggers) run before Observe returns and may
// crash this node; the handler then continues, but acts on nothing.
func (e *Env) Observe(data fmt.Stringer) {
	if e.dead {
		return
	}
	if e.tx != nil {
		e.tx.acts = append(e.tx.acts, deferredAct{fact: data})
		return
	}
	e.w.observe(e.p, data)
	e.p.effects++
	if len(e.w.effectHooks) != 0 {
		e.did(Effect{Kind: EffObserve, Fact: data})
	}
}

// Atomic runs f as one step, as a database applies a transaction and then
// replies. f's durable writes (Put, Delete, Write) are one atomic write,
// synced as the step ends (a commit): each is visible to reads inside f as
// it is made, and no crash falls among them or before their sync. The facts f records describe that write, so they are
// recorded right after it, and the messages f sends go out after them;
// each kind in the order f made them, each an effect of its own. Timers
// set or cancelled inside f take effect at once. An Atomic inside f joins
// the outer one.
func (e *Env) Atomic(f func()) {
	if e.dead {
		return
	}
	if e.tx != nil {
		f()
		return
	}
	tx := &e.step
	tx.writes, tx.first, tx.acts = 0, "", tx.acts[:0]
	e.p.store.nextWrite()
	e.tx = tx
	f()
	e.tx = nil
	if tx.writes > 0 {
		e.p.store.sync()
		e.p.effects++
		if len(e.w.effectHooks) != 0 {
			e.did(Effect{Kind: EffWrite, Key: tx.first})
		}
	}
	for _, a := range tx.acts {
		if a.fact != nil {
			e.Observe(a.fact)
		}
	}
	for _, a := range tx.acts {
		if a.fact == nil {
			e.Send(a.to, a.msg)
		}
	}
}

// atomicStep is what Atomic holds back: whether f wrote (and, for effect
// hooks, its first key, which names the write), and the sends and records
// to make after.
type atomicStep struct {
	writes int
	first  string
	acts   []deferredAct
}

type deferredAct struct {
	to   NodeID
	msg  Message
	fact fmt.Stringer // set for a record, nil for a send
}

// Alive reports whether this incarnation is still up; handlers rarely need
// it, since a dead Env ignores every action.
func (e *Env) Alive() bool { return !e.dead }
