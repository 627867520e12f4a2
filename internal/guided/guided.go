package guided

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/sim"
)

// Options bound a search.
type Options struct {
	Bug    string
	Budget int    // runs
	Seed   uint64 // the search's own randomness (which entry, which mutation)
	// Fresh is the share of runs that draw a new schedule from the
	// scenario's nemesis instead of mutating the corpus (default 0.3);
	// the first Warmup runs (default 10) all do, as a sweep would.
	Fresh  float64
	Warmup int
	// FirstSeed is the workload seed of the first fresh run (default 1);
	// fresh runs take the seeds from there in order.
	FirstSeed uint64
}

// Result is a finished search.
type Result struct {
	Found    bool
	Runs     int // runs made, up to and including the detecting one
	Corpus   int // schedules kept
	Coverage int // distinct coverage features reached
	Outcome  *scenarios.Outcome
	RunSeed  uint64 // the workload seed of the detecting run
}

// entry is a schedule in the corpus: the faults and the workload seed it
// ran with, and how much new coverage it brought.
type entry struct {
	plan    faults.Schedule
	seed    uint64
	gain    int
	visited int
}

// Search looks for a run of spec (with its nemesis) that does not give
// the expected verdict, within o.Budget runs.
func Search(spec scenarios.Spec, o Options) (*Result, error) {
	if spec.Nemesis == nil {
		return nil, fmt.Errorf("guided: scenario %s draws no random faults to mutate", spec.Name)
	}
	if o.Budget <= 0 {
		return nil, fmt.Errorf("guided: budget %d must be positive", o.Budget)
	}
	if o.Fresh == 0 {
		o.Fresh = 0.3
	}
	if o.Warmup == 0 {
		o.Warmup = 10
	}
	r := newRand(o.Seed)
	seen := map[string]bool{}
	var corpus []*entry
	res := &Result{}
	nextSeed := max(o.FirstSeed, 1)
	for res.Runs < o.Budget {
		var e *entry
		if len(corpus) == 0 || res.Runs < o.Warmup || r.Float64() < o.Fresh {
			// Fresh runs take the sweep's seeds in order, so guided search
			// is never worse than the sweep by more than its mutations.
			e = &entry{plan: spec.Plan(nextSeed), seed: nextSeed}
			nextSeed++
		} else {
			parent := pick(r, corpus)
			parent.visited++
			// Stacked mutations, as in AFL's havoc stage: one, two or four.
			plan := parent.plan
			for range 1 << r.IntN(3) {
				plan = mutate(r, spec, plan)
			}
			e = &entry{plan: plan, seed: parent.seed}
		}
		cov := &coverage{}
		out, err := scenarios.Run(spec, scenarios.Options{Seed: e.seed, Bug: o.Bug, Schedule: &e.plan, NoTrace: true, Watch: cov.watch})
		if err != nil {
			return nil, err
		}
		res.Runs++
		if Detects(out) {
			res.Found, res.Outcome, res.RunSeed = true, out, e.seed
			break
		}
		for _, f := range cov.features() {
			if !seen[f] {
				seen[f] = true
				e.gain++
			}
		}
		if e.gain > 0 {
			corpus = append(corpus, e)
		}
	}
	res.Corpus, res.Coverage = len(corpus), len(seen)
	return res, nil
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x6775696465640a)) }

// Detects reports whether a run caught something: its verdict is not the
// one its scenario expects, and not merely unknown.
func Detects(out *scenarios.Outcome) bool { return !out.AsExpected() && out.Verdict != checker.Unknown }

// pick chooses a corpus entry, favouring those that brought much new
// coverage and have been mutated little.
func pick(r *rand.Rand, corpus []*entry) *entry {
	total := 0.0
	weight := func(e *entry) float64 { return float64(1+e.gain) / float64(1+e.visited) }
	for _, e := range corpus {
		total += weight(e)
	}
	x := r.Float64() * total
	for _, e := range corpus {
		if x -= weight(e); x < 0 {
			return e
		}
	}
	return corpus[len(corpus)-1]
}

// coverage is a run's coverage: per role (a node's name without its
// number), each fact kind it recorded and each effect it performed (a
// send by message type, a write by key prefix), each pair of those one
// node performed one after the other, and the effect after which a node
// crashed — inside a handler or between handlers.
type coverage struct {
	w       *sim.World
	crashes int // crashes counted so far
	set     map[string]bool
	last    []string // per node, its last effect
	role    []string
}

func (c *coverage) watch(w *sim.World) {
	c.w, c.set = w, map[string]bool{}
	for _, n := range w.Names() {
		c.role = append(c.role, strings.TrimRight(n, "0123456789-"))
		c.last = append(c.last, "start")
	}
	w.OnEffect(func(e sim.Effect) {
		c.flushCrashes()
		if e.Kind == sim.EffReturn || e.Kind == sim.EffTimerSet || e.Kind == sim.EffTimerCancel {
			return
		}
		d := effectName(e)
		c.set[c.role[e.Node]+" "+d] = true
		c.set[c.role[e.Node]+" "+c.last[e.Node]+">"+d] = true
		c.last[e.Node] = d
	})
}

// flushCrashes counts the crashes since the last effect: each node
// stopped after its last effect.
func (c *coverage) flushCrashes() {
	for ; c.crashes < len(c.w.Crashes()); c.crashes++ {
		n := c.w.Crashes()[c.crashes].Node
		c.set[c.role[n]+" crash after "+c.last[n]] = true
		c.last[n] = "restart"
	}
}

func effectName(e sim.Effect) string {
	switch e.Kind {
	case sim.EffSend:
		name := fmt.Sprintf("%T", e.Msg)
		return "send " + name[strings.LastIndexByte(name, '.')+1:]
	case sim.EffObserve:
		if f, ok := e.Fact.(obs.Fact); ok {
			return f.Kind()
		}
	case sim.EffPut, sim.EffDelete, sim.EffWrite:
		k := e.Key
		if i := strings.IndexByte(k, '/'); i >= 0 {
			k = k[:i]
		}
		return e.Kind.String() + " " + k
	}
	return e.Kind.String()
}

// features lists the run's coverage, sorted. A crash after a node's last
// effect of the run counts too.
func (c *coverage) features() []string {
	c.flushCrashes()
	out := make([]string, 0, len(c.set))
	for f := range c.set {
		out = append(out, f)
	}
	slices.Sort(out) // map order must not reach the search's choices
	return out
}

// mutate returns a changed copy of plan: one fault added (drawn from the
// nemesis), removed, shifted in time, moved to another target, or — for
// a crash — moved to another effect boundary, inside a handler.
func mutate(r *rand.Rand, spec scenarios.Spec, plan faults.Schedule) faults.Schedule {
	n := spec.Nemesis
	out := faults.Schedule{Actions: slices.Clone(plan.Actions), Triggers: plan.Triggers, Unsynced: plan.Unsynced}
	var movable []int
	for i, a := range out.Actions {
		if a.Kind != faults.HealAll {
			movable = append(movable, i)
		}
	}
	op := r.IntN(6)
	if len(movable) == 0 {
		op = 0
	}
	switch op {
	case 0: // add a fault of a fresh draw, every kind on (with a crash, its restart)
		all := *n
		all.Swarm = false
		fresh := all.Generate(sim.NewStream(r.Uint64(), "faults")).Actions
		if len(fresh) == 0 {
			break
		}
		i := r.IntN(len(fresh))
		out.Actions = append(out.Actions, fresh[i])
		if fresh[i].Kind == faults.Crash {
			for _, b := range fresh[i+1:] {
				if b.Kind == faults.Restart && b.Node == fresh[i].Node {
					out.Actions = append(out.Actions, b)
					break
				}
			}
		}
	case 1: // remove one
		i := movable[r.IntN(len(movable))]
		out.Actions = slices.Delete(out.Actions, i, i+1)
	case 2: // shift one by up to ±50ms
		i := movable[r.IntN(len(movable))]
		at := out.Actions[i].At + faults.Duration(r.Int64N(int64(100*1e6))) - faults.Duration(50*1e6)
		out.Actions[i].At = max(n.Start, min(at, n.Stop))
	case 3: // another target
		i := movable[r.IntN(len(movable))]
		if out.Actions[i].Node != "" {
			out.Actions[i].Node = n.Targets[r.IntN(len(n.Targets))]
		}
	case 4: // a crash to another effect boundary: inside a handler
		i := movable[r.IntN(len(movable))]
		a := &out.Actions[i]
		most := n.MidCrashEffects
		if most == 0 {
			most = 6
		}
		switch a.Kind {
		case faults.MidCrash:
			a.Effect = faults.EffectRef(1 + r.IntN(most))
		case faults.Crash:
			a.Kind, a.Effect = faults.MidCrash, faults.EffectRef(1+r.IntN(most))
		}
	case 5: // nudge one: a few milliseconds, a crash one effect earlier or later
		i := movable[r.IntN(len(movable))]
		a := &out.Actions[i]
		a.At = max(n.Start, min(a.At+faults.Duration(r.Int64N(int64(10*1e6)))-faults.Duration(5*1e6), n.Stop))
		if a.Kind == faults.MidCrash {
			a.Effect = max(1, a.Effect+faults.EffectRef(r.IntN(3)-1))
		}
	}
	faults.SortActions(out.Actions)
	return out
}
