package sim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
	"unsafe"

	"github.com/faultline-sim/faultline/fields"
)

// Link describes one directed network link. Reordering follows from Jitter:
// each message draws its own delay in [Latency, Latency+Jitter].
type Link struct {
	Latency   time.Duration `json:"latency"`
	Jitter    time.Duration `json:"jitter,omitempty"`
	Loss      float64       `json:"loss,omitempty"`      // probability a message is lost
	Duplicate float64       `json:"duplicate,omitempty"` // probability a message is delivered twice
}

// Validate reports an impossible link setting.
func (l Link) Validate() error {
	f := &fields.Check{}
	f.NotNegative("link latency", l.Latency).NotNegative("link jitter", l.Jitter)
	f.Probability("link loss", l.Loss).Probability("link duplicate", l.Duplicate)
	return f.Err()
}

// Config sets up a world.
type Config struct {
	Seed      uint64
	Network   Link          // every link starts with this setting
	MaxTime   time.Duration // stop when the next event is later; 0 = no limit
	MaxEvents int           // stop after this many events; 0 = no limit
	// NoTrace skips storing the trace (sweeps that only need verdicts);
	// the run still hashes it as it goes (World.TraceHash).
	NoTrace bool
	Bugs    []string // planted kernel bugs (KernelBugs), for the bug catalog only
}

// StopReason says why a run ended.
type StopReason string

const (
	StopQuiescent StopReason = "quiescent"  // no event left
	StopTimeLimit StopReason = "time-limit" // next event after MaxTime
	StopEvents    StopReason = "event-limit"
)

// RunResult summarizes a finished run.
type RunResult struct {
	Stop   StopReason
	Events int
	Time   time.Duration // true time of the last event handled (MaxTime at a time limit)
}

// Fault is one action on the world applied by the kernel at a scheduled time
// or by a trigger. Package faults defines them as data.
type Fault interface {
	Apply(w *World)
	String() string
}

// World is one simulated system. It is single-threaded: one World must only
// be used from one goroutine; run many worlds in parallel instead.
type World struct {
	cfg      Config
	now      time.Duration
	seq      uint64
	msgSeq   uint64
	timerSeq uint64
	events   int
	q        queue
	procs    []*proc
	byName   map[string]NodeID
	netRng   *rand.Rand
	def      Link
	links    [][]Link
	cut      [][]bool
	trace    Trace
	hash     traceHasher // the trace's hash, kept as events happen
	obs      []Observation
	hooks    []func(Observation)
	// effectHooks see every effect (OnEffect); empty on the normal path.
	effectHooks []func(Effect)
	crashes     []Crash
	started     bool
	// outages: pauses, downtimes and cut links (Outages); downOut and
	// cutOut index the ones still open.
	outages []Outage
	downOut map[NodeID]int
	cutOut  map[[2]NodeID]int
	// unsynced is what a crash does to writes not yet synced; tear draws
	// which survive when some do (nil otherwise).
	unsynced Unsynced
	tear     *rand.Rand
	bugs     kernelBugs
	// arenas holds, per type, the messages and facts sent and recorded
	// through Send and Observe (see arena).
	arenas map[unsafe.Pointer]any
	slices sliceCache // see copySlices
}

// Crash records one node crash at a true time. Crashes are kept even
// without a trace: a checker of beliefs (who thought it held a lock) needs
// to know when a process stopped believing anything.
type Crash struct {
	Time time.Duration
	Node NodeID
}

// New makes an empty world.
func New(cfg Config) (*World, error) {
	if err := cfg.Network.Validate(); err != nil {
		return nil, err
	}
	if cfg.MaxTime < 0 || cfg.MaxEvents < 0 {
		return nil, errors.New("negative run limit")
	}
	bugs, err := parseKernelBugs(cfg.Bugs)
	if err != nil {
		return nil, err
	}
	w := &World{cfg: cfg, byName: make(map[string]NodeID), def: cfg.Network, bugs: bugs, downOut: map[NodeID]int{}, cutOut: map[[2]NodeID]int{}}
	w.netRng = w.Stream("network")
	w.hash.reset()
	return w, nil
}

// AddNode registers a node under a unique name. factory makes the node's
// volatile state: it is called at the start and after every restart. Nodes
// can only be added before Run.
func (w *World) AddNode(name string, factory func() Node) NodeID {
	if w.started {
		panic("sim: AddNode after Run")
	}
	if _, dup := w.byName[name]; dup {
		panic("sim: duplicate node name " + name)
	}
	id := NodeID(len(w.procs))
	p := &proc{id: id, name: name, factory: factory, store: newStore(), rng: w.Stream("node/" + name)}
	p.store.deferSync = w.unsynced != KeepUnsynced
	w.procs = append(w.procs, p)
	w.byName[name] = id
	w.trace.names = append(w.trace.names, name)
	for i := range w.links {
		w.links[i] = append(w.links[i], w.def)
		w.cut[i] = append(w.cut[i], false)
	}
	w.links = append(w.links, make([]Link, id+1))
	w.cut = append(w.cut, make([]bool, id+1))
	for j := range w.links[id] {
		w.links[id][j] = w.def
	}
	w.push(item{at: 0, kind: itemStart, node: id}, nil)
	return id
}

// Lookup finds a node by name.
func (w *World) Lookup(name string) (NodeID, bool) {
	id, ok := w.byName[name]
	return id, ok
}

// NameOf returns a node's name.
func (w *World) NameOf(id NodeID) string { return w.trace.name(id) }

// Names lists node names in id order.
func (w *World) Names() []string { return append([]string(nil), w.trace.names...) }

// Now is the true simulated time.
func (w *World) Now() time.Duration { return w.now }

// Seed is the world's root seed.
func (w *World) Seed() uint64 { return w.cfg.Seed }

// Up reports whether a node is running (not crashed).
func (w *World) Up(id NodeID) bool { return w.procs[id].up }

// Store is a node's durable store, for checkers reading final state.
func (w *World) Store(id NodeID) *Store { return w.procs[id].store }

// Sent counts the messages a node has sent.
func (w *World) Sent(id NodeID) int { return w.procs[id].sent }

// LocalTime reads a node's local clock at the current true time.
func (w *World) LocalTime(id NodeID) time.Duration { return w.procs[id].clock.read(w.now) }

// Trace is the record of the run so far (empty with Config.NoTrace; its
// hash is TraceHash either way).
func (w *World) Trace() *Trace { return &w.trace }

// Observations returns every observation so far, in order.
func (w *World) Observations() []Observation { return w.obs }

// Crashes returns every crash so far, in order.
func (w *World) Crashes() []Crash { return w.crashes }

// OnObserve registers a hook called synchronously on every observation.
func (w *World) OnObserve(f func(Observation)) { w.hooks = append(w.hooks, f) }

// Schedule applies a fault at a true time.
func (w *World) Schedule(at time.Duration, f Fault) {
	w.push(item{at: at, kind: itemFault, node: None}, f)
}

func (w *World) push(it item, payload any) {
	w.seq++
	it.seq = w.seq
	w.q.push(it, payload)
}

// record hashes an event into the run's trace hash, and stores it unless
// the trace is off.
func (w *World) record(e Event) {
	e.Time = w.now
	w.hash.add(&e)
	if !w.cfg.NoTrace {
		w.trace.add(e)
	}
}

// TraceHash is the hash of the run's trace so far, as Trace().Hash() gives
// it when the trace is stored; with Config.NoTrace too. It is computed as
// events happen, so reading it costs nothing but the final digest.
func (w *World) TraceHash() string { return w.hash.sumNames(w.trace.names) }

// Apply applies a fault now, recording it in the trace first.
func (w *World) Apply(f Fault) {
	w.record(Event{Kind: EvFault, Node: None, Peer: None, Payload: f})
	f.Apply(w)
}

func (w *World) send(p *proc, to NodeID, m Message) {
	w.msgSeq++
	id := w.msgSeq
	p.sent++
	w.record(Event{Kind: EvSend, Node: p.id, Peer: to, ID: id, Payload: m})
	if to < 0 || int(to) >= len(w.procs) {
		w.record(Event{Kind: EvDrop, Node: p.id, Peer: to, ID: id, Payload: m, Drop: DropNoSuchNode})
		return
	}
	if w.cut[p.id][to] {
		w.record(Event{Kind: EvDrop, Node: p.id, Peer: to, ID: id, Payload: m, Drop: DropPartitioned})
		return
	}
	l := &w.links[p.id][to]
	if l.Loss > 0 && w.netRng.Float64() < l.Loss {
		w.record(Event{Kind: EvDrop, Node: p.id, Peer: to, ID: id, Payload: m, Drop: DropLost})
		return
	}
	copies := 1
	if l.Duplicate > 0 && w.netRng.Float64() < l.Duplicate {
		copies = 2
	}
	for c := 0; c < copies; c++ {
		d := l.Latency
		if l.Jitter > 0 {
			d += time.Duration(w.netRng.Int64N(int64(l.Jitter) + 1))
		}
		w.push(item{at: w.now + d, kind: itemDeliver, node: to, from: p.id, id: id}, m)
	}
}

func (w *World) observe(p *proc, data fmt.Stringer) {
	o := Observation{Time: w.now, Node: p.id, Data: data}
	w.obs = append(w.obs, o)
	w.record(Event{Kind: EvObserve, Node: p.id, Peer: None, Payload: data})
	for _, h := range w.hooks {
		h(o)
	}
}

func (w *World) start(p *proc) {
	p.up = true
	p.timers = make(map[TimerID]struct{})
	p.env = &Env{w: w, p: p}
	p.node = p.factory()
	if p.inc == 0 {
		w.record(Event{Kind: EvStart, Node: p.id, Peer: None})
	} else {
		w.record(Event{Kind: EvRestart, Node: p.id, Peer: None, ID: uint64(p.inc)})
	}
	env := p.env
	p.beginRun()
	p.node.Start(env)
	w.returned(env)
}

// Crash stops a node at once: its volatile state and timers are lost,
// messages to it are dropped until it restarts, and if it is inside a
// handler, nothing it does from now on takes effect.
func (w *World) Crash(id NodeID) {
	p := w.procs[id]
	if !p.up {
		return
	}
	p.up = false
	p.env.dead = true
	p.env = nil
	p.node = nil
	p.timers = nil
	p.pausedUntil = 0
	p.inc++
	p.armed, p.armedFault = 0, nil
	if w.bugs.keepUnsynced {
		p.store.sync()
	}
	p.store.loseUnsynced(w.tear)
	w.crashes = append(w.crashes, Crash{Time: w.now, Node: id})
	w.downOut[id] = w.outageBegin(OutDown, id, None, -1)
	w.record(Event{Kind: EvCrash, Node: id, Peer: None})
}

// Restart brings a crashed node back with its durable state; a node that is
// up is left alone.
func (w *World) Restart(id NodeID) {
	p := w.procs[id]
	if p.up || !w.started {
		return
	}
	if i, ok := w.downOut[id]; ok {
		w.outageEnd(i)
		delete(w.downOut, id)
	}
	if w.bugs.amnesia {
		p.store.wipe()
	}
	w.start(p)
}

// Pause stops a running node from handling anything for d (a stop-the-world
// pause): messages and timers wait and are handled, in order, when it
// resumes.
func (w *World) Pause(id NodeID, d time.Duration) {
	p := w.procs[id]
	if !p.up || d <= 0 {
		return
	}
	until := w.now + d
	if until > p.pausedUntil {
		p.pausedUntil = until
		w.record(Event{Kind: EvPause, Node: id, Peer: None, Payload: d})
		w.outageBegin(OutPaused, id, None, until)
		w.push(item{at: until, kind: itemResume, node: id, inc: p.inc}, nil)
	}
}

// Cut cuts the directed link from→to: messages sent on it, or in flight on
// it when they would be delivered, are dropped.
func (w *World) Cut(from, to NodeID) {
	if w.bugs.cutIgnored {
		w.cut[from][to] = false
		return
	}
	if !w.cut[from][to] {
		w.cutOut[[2]NodeID{from, to}] = w.outageBegin(OutCut, from, to, -1)
	}
	w.cut[from][to] = true
}

// Mend restores one directed link.
func (w *World) Mend(from, to NodeID) {
	w.mend(from, to)
}

func (w *World) mend(from, to NodeID) {
	if w.cut[from][to] {
		k := [2]NodeID{from, to}
		w.outageEnd(w.cutOut[k])
		delete(w.cutOut, k)
	}
	w.cut[from][to] = false
}

// IsCut reports whether the directed link from→to is cut.
func (w *World) IsCut(from, to NodeID) bool { return w.cut[from][to] }

// HealAll restores every link.
func (w *World) HealAll() {
	for i := range w.cut {
		for j := range w.cut[i] {
			w.mend(NodeID(i), NodeID(j))
		}
	}
}

// SetLink changes one directed link's latency, jitter, loss and duplication.
func (w *World) SetLink(from, to NodeID, l Link) { w.links[from][to] = l }

// GetLink returns one directed link's setting.
func (w *World) GetLink(from, to NodeID) Link { return w.links[from][to] }

// ResetLinks puts every link back to the world's default setting.
func (w *World) ResetLinks() {
	for i := range w.links {
		for j := range w.links[i] {
			w.links[i][j] = w.def
		}
	}
}

// JumpClock moves a node's local clock by d (forward or back) at once.
func (w *World) JumpClock(id NodeID, d time.Duration) {
	if w.bugs.jumpIgnored {
		return
	}
	c := &w.procs[id].clock
	c.base = c.read(w.now) + d
	c.since = w.now
}

// SetDrift sets a node's clock rate error: 0.01 runs 1% fast.
func (w *World) SetDrift(id NodeID, drift float64) {
	c := &w.procs[id].clock
	c.base = c.read(w.now)
	c.since = w.now
	c.drift = drift
}

// ResetClock puts a node's clock back on true time.
func (w *World) ResetClock(id NodeID) { w.procs[id].clock = clock{} }

// Run handles events until quiescence, the time limit or the event limit.
// It may be called again to continue after a limit is raised.
func (w *World) Run() RunResult {
	w.started = true
	for {
		w.dropStaleTimers()
		if w.q.len() == 0 {
			return RunResult{Stop: StopQuiescent, Events: w.events, Time: w.now}
		}
		if w.cfg.MaxTime > 0 && w.q.peek().at > w.cfg.MaxTime {
			w.now = w.cfg.MaxTime
			return RunResult{Stop: StopTimeLimit, Events: w.events, Time: w.now}
		}
		if w.cfg.MaxEvents > 0 && w.events >= w.cfg.MaxEvents {
			return RunResult{Stop: StopEvents, Events: w.events, Time: w.now}
		}
		it, payload := w.q.pop()
		w.now = it.at
		w.events++
		w.dispatch(&it, payload)
	}
}

// dropStaleTimers discards cancelled timers and timers of crashed
// incarnations at the head of the queue. They are not events: they neither
// count nor move the clock, so a run that ends quiescent ends at its last
// real event rather than at the last timer somebody cancelled.
func (w *World) dropStaleTimers() {
	for w.q.len() > 0 {
		it := w.q.peek()
		if it.kind != itemTimer {
			return
		}
		p := w.procs[it.node]
		if p.up && p.inc == it.inc {
			if _, live := p.timers[TimerID(it.id)]; live {
				return
			}
		}
		w.q.pop()
	}
}

func (w *World) dispatch(it *item, payload any) {
	switch it.kind {
	case itemFault:
		w.Apply(payload.(Fault))
	case itemStart:
		if p := w.procs[it.node]; !p.up && p.inc == 0 {
			w.start(p)
		}
	case itemDeliver:
		p := w.procs[it.node]
		m := payload.(Message)
		switch {
		case !p.up || it.held && p.inc != it.inc:
			// A message held back for a paused process had already reached
			// it; a crash during the pause loses it like the rest of memory.
			w.record(Event{Kind: EvDrop, Node: it.from, Peer: it.node, ID: it.id, Payload: m, Drop: DropReceiverDown})
		case w.cut[it.from][it.node]:
			w.record(Event{Kind: EvDrop, Node: it.from, Peer: it.node, ID: it.id, Payload: m, Drop: DropInFlight})
		case p.pausedUntil > w.now:
			w.defer_(p, it, m)
		default:
			w.record(Event{Kind: EvDeliver, Node: it.from, Peer: it.node, ID: it.id, Payload: m})
			env := p.env
			p.beginRun()
			p.node.Receive(env, it.from, m)
			w.returned(env)
		}
	case itemTimer:
		p := w.procs[it.node]
		if !p.up || p.inc != it.inc {
			return
		}
		if _, ok := p.timers[TimerID(it.id)]; !ok {
			return
		}
		if p.pausedUntil > w.now {
			w.defer_(p, it, payload)
			return
		}
		delete(p.timers, TimerID(it.id))
		w.record(Event{Kind: EvTimer, Node: it.node, Peer: None, ID: it.id, Payload: payload})
		env := p.env
		p.beginRun()
		p.node.Timer(env, payload)
		w.returned(env)
	case itemResume:
		p := w.procs[it.node]
		if p.up && p.inc == it.inc && p.pausedUntil == w.now {
			p.pausedUntil = 0
			w.record(Event{Kind: EvResume, Node: it.node, Peer: None})
		}
	}
}

// defer_ re-queues an event for a paused node at its resume time. The resume
// item was queued when the pause began, so it runs first; deferred events
// keep their relative order because they are re-queued in the order popped.
func (w *World) defer_(p *proc, it *item, payload any) {
	it2 := *it
	it2.at = p.pausedUntil
	if it2.kind == itemDeliver {
		it2.held, it2.inc = true, p.inc
	}
	w.push(it2, payload)
}
