package checker

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
	"github.com/faultline-sim/faultline/workload"
)

// commitHistory is the commit-protocol view of a run's observations.
// It is built once per run for every commit checker, so it keeps one
// record per transaction with its few votes and decisions inline rather
// than maps of maps.
type commitHistory struct {
	txns  []string         // every transaction mentioned, sorted
	facts []txnFacts       // by order of first mention
	index map[string]int32 // txn -> its facts
	flips []string         // a vote or decision that changed
}

// txnFacts is what the observations say of one transaction.
type txnFacts struct {
	begun bool
	parts []string // participants, from Begin
	votes few[nodeVote]
	decs  few[nodeDecided] // in order of first decision
}

type nodeVote struct {
	node string
	voteAt
}

type nodeDecided struct {
	node string
	decided
}

type voteAt struct {
	yes   bool
	at    time.Duration
	locks []string
	delta int64
}

type decided struct {
	commit bool
	at     time.Duration
	via    string
}

// few is a short list kept inline: a transaction has a handful of
// participants, so its votes and decisions rarely need the heap.
type few[T any] struct {
	in   [3]T
	n    int
	more []T
}

func (f *few[T]) add(x T) {
	if f.n < len(f.in) {
		f.in[f.n] = x
	} else {
		f.more = append(f.more, x)
	}
	f.n++
}

func (f *few[T]) len() int { return f.n }

func (f *few[T]) at(i int) *T {
	if i < len(f.in) {
		return &f.in[i]
	}
	return &f.more[i-len(f.in)]
}

// of returns the facts of txn t (zero facts for a transaction never seen).
func (c *commitHistory) of(t string) *txnFacts {
	if i, ok := c.index[t]; ok {
		return &c.facts[i]
	}
	return &txnFacts{}
}

// vote returns node n's first vote on the transaction.
func (f *txnFacts) vote(n string) (voteAt, bool) {
	for i := 0; i < f.votes.len(); i++ {
		if v := f.votes.at(i); v.node == n {
			return v.voteAt, true
		}
	}
	return voteAt{}, false
}

// decision returns node n's first decision on the transaction.
func (f *txnFacts) decision(n string) (decided, bool) {
	for i := 0; i < f.decs.len(); i++ {
		if d := f.decs.at(i); d.node == n {
			return d.decided, true
		}
	}
	return decided{}, false
}

func readCommit(h *History) *commitHistory {
	h.commitOnce.Do(func() { h.commit = buildCommit(h) })
	return h.commit
}

func buildCommit(h *History) *commitHistory {
	begun := 0
	for _, o := range h.Observations {
		if _, ok := o.Data.(obs.Begin); ok {
			begun++
		}
	}
	// Room for every transaction begun, and a few more only voted on,
	// so that the records are not copied as they grow.
	c := &commitHistory{index: make(map[string]int32, begun+8), facts: make([]txnFacts, 0, begun+8)}
	note := func(t string) *txnFacts {
		i, ok := c.index[t]
		if !ok {
			i = int32(len(c.facts))
			c.index[t] = i
			c.facts = append(c.facts, txnFacts{})
			c.txns = append(c.txns, t)
		}
		return &c.facts[i]
	}
	for _, o := range h.Observations {
		switch f := o.Data.(type) {
		case obs.Begin:
			if t := note(f.Txn); !t.begun {
				t.begun, t.parts = true, f.Participants
			}
		case obs.Vote:
			node := h.name(o.Node)
			t := note(f.Txn)
			if prev, ok := t.vote(node); ok {
				if prev.yes != f.Yes {
					c.flips = append(c.flips, fmt.Sprintf("%s: %s voted %s at %s, then %s at %s", f.Txn, node, yesNo(prev.yes), sim.FormatTime(prev.at), yesNo(f.Yes), sim.FormatTime(o.Time)))
				}
				continue
			}
			t.votes.add(nodeVote{node: node, voteAt: voteAt{yes: f.Yes, at: o.Time, locks: f.Locks, delta: f.Delta}})
		case obs.Decide:
			node := h.name(o.Node)
			t := note(f.Txn)
			if prev, ok := t.decision(node); ok {
				if prev.commit != f.Commit {
					c.flips = append(c.flips, fmt.Sprintf("%s: %s decided %s at %s, then %s at %s", f.Txn, node, outcome(prev.commit), sim.FormatTime(prev.at), outcome(f.Commit), sim.FormatTime(o.Time)))
				}
				continue
			}
			t.decs.add(nodeDecided{node: node, decided: decided{commit: f.Commit, at: o.Time, via: string(f.Via)}})
		}
	}
	sort.Strings(c.txns)
	return c
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func outcome(commit bool) string {
	if commit {
		return "commit"
	}
	return "abort"
}

// Atomicity checks the atomic-commit safety properties (TCConsistent and
// its companions): no transaction commits at one node and aborts at
// another; nothing commits unless every participant voted yes before the
// first commit decision; no node's vote or decision ever changes.
type Atomicity struct{}

func (Atomicity) Name() string    { return "atomicity" }
func (Atomicity) Class() Class    { return ClassSafety }
func (Atomicity) Needs() []string { return commitFacts }

// Check runs the check.
func (Atomicity) Check(h *History) Result {

	c := readCommit(h)
	var ev evidence
	for _, f := range c.flips {
		ev.add("decision changed: %s", f)
	}
	for _, t := range c.txns {
		f := c.of(t)
		commits, aborts := 0, 0
		for i := 0; i < f.decs.len(); i++ {
			if f.decs.at(i).commit {
				commits++
			} else {
				aborts++
			}
		}
		if commits == 0 {
			continue
		}
		if aborts > 0 {
			ev.add("%s committed at %s but aborted at %s", t, f.decidedAt(true), f.decidedAt(false))
		}
		parts := f.parts
		if parts == nil {
			for i := 0; i < f.votes.len(); i++ {
				parts = append(parts, f.votes.at(i).node)
			}
			sort.Strings(parts)
		}
		firstCommit := time.Duration(-1)
		for i := 0; i < f.decs.len(); i++ {
			if d := f.decs.at(i); d.commit && (firstCommit < 0 || d.at < firstCommit) {
				firstCommit = d.at
			}
		}
		for _, p := range parts {
			v, voted := f.vote(p)
			switch {
			case !voted:
				ev.add("%s committed at %s although %s never voted", t, f.decidedAt(true), p)
			case !v.yes:
				ev.add("%s committed at %s although %s voted no", t, f.decidedAt(true), p)
			case v.at > firstCommit:
				// A vote is recorded before it is sent: a commit decided
				// before it cannot have rested on it.
				ev.add("%s committed at %s before %s voted yes (at %s)", t, strings.TrimSpace(sim.FormatTime(firstCommit)), p, strings.TrimSpace(sim.FormatTime(v.at)))
			}
		}
	}
	return ev.judge("atomicity", "atomicity violations", fmt.Sprintf("%d transactions, no disagreement", len(c.txns)))
}

// decidedAt lists the nodes that decided commit (or abort) with the time
// of their decision, in the order they decided: "node@time, ...". It is
// evidence text, made only for a violation.
func (f *txnFacts) decidedAt(commit bool) string {
	var out []string
	for i := 0; i < f.decs.len(); i++ {
		if d := f.decs.at(i); d.commit == commit {
			out = append(out, fmt.Sprintf("%s@%s", d.node, strings.TrimSpace(sim.FormatTime(d.at))))
		}
	}
	return strings.Join(out, ", ")
}

// inDoubt lists every (node, transaction) that voted yes and has no
// decision, sorted by node then transaction.
func (c *commitHistory) inDoubt() []struct {
	node, txn string
	v         voteAt
} {
	var out []struct {
		node, txn string
		v         voteAt
	}
	for _, t := range c.txns {
		f := c.of(t)
		start := len(out)
		for i := 0; i < f.votes.len(); i++ {
			v := f.votes.at(i)
			if _, done := f.decision(v.node); v.yes && !done {
				out = append(out, struct {
					node, txn string
					v         voteAt
				}{v.node, t, v.voteAt})
			}
		}
		mine := out[start:]
		sort.Slice(mine, func(i, j int) bool { return mine[i].node < mine[j].node })
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].node < out[j].node })
	return out
}

func (c *commitHistory) committedSomewhere(t string) bool {
	f := c.of(t)
	for i := 0; i < f.decs.len(); i++ {
		if f.decs.at(i).commit {
			return true
		}
	}
	return false
}

// Conservation checks the bank workload's invariant on final durable state:
// the balances add up to the initial total, and none is negative. A
// participant still in doubt about a transaction committed elsewhere has
// not applied its part yet; that part is counted as pending, so the check
// holds at any moment of a correct run, not only once all is decided.
type Conservation struct {
	Initial int64 // the bank's total before any transfer
}

func (Conservation) Name() string    { return "conservation" }
func (Conservation) Class() Class    { return ClassSafety }
func (Conservation) Needs() []string { return commitFacts }

// Check runs the check.
func (x Conservation) Check(h *History) Result {
	initialTotal := x.Initial
	c := readCommit(h)
	var total int64
	var ev evidence
	accounts, misread := 0, 0
	for i, s := range h.Stores {
		if s == nil {
			continue
		}
		for _, k := range s.Keys(workload.BalanceKey) {
			n, err := loadBalance(s, k)
			if err != nil {
				ev.add("%s: %v", h.Names[i], err)
				misread++
				continue
			}
			accounts++
			total += n
			if n < 0 {
				ev.add("%s: %s is negative (%d)", h.Names[i], strings.TrimPrefix(k, workload.BalanceKey), n)
			}
		}
	}
	var pending int64
	doubts := c.inDoubt()
	for _, d := range doubts {
		if c.committedSomewhere(d.txn) {
			pending += d.v.delta
		}
	}
	if total+pending != initialTotal {
		ev.add("balances sum to %d (+%d pending at in-doubt participants) but the initial total was %d: %+d appeared", total, pending, initialTotal, total+pending-initialTotal)
	}
	msg := fmt.Sprintf("%d accounts sum to %d = initial %d", accounts, total+pending, initialTotal)
	if len(doubts) > 0 {
		msg += fmt.Sprintf(" (counting %+d pending at %d in-doubt participants)", pending, len(doubts))
	}
	if accounts == 0 && misread == 0 {
		// Nothing to add up: a system without the bank's balances has not
		// been shown to conserve them.
		return Result{Checker: "conservation", Verdict: Unknown, Message: "no evidence: no node's durable state holds a balance (" + workload.BalanceKey + "...)"}
	}
	return ev.judge("conservation", "conservation violations", msg)
}

// loadBalance reads one balance. A value of another type is a finding about
// the protocol that stored it, reported as evidence: a checker never
// panics on an odd history.
func loadBalance(s *sim.Store, key string) (n int64, err error) {
	defer func() {
		if r := recover(); r != nil {
			te, ok := r.(*sim.TypeError)
			if !ok {
				panic(r)
			}
			err = te
		}
	}()
	n, _ = sim.LoadFrom[int64](s, key)
	return n, nil
}

// Blocking reports every participant left uncertain at the end of the run:
// it voted yes, never learned the outcome, and has waited at least minFor.
// Blocking is a finding with verdict "blocked", not a safety violation.
// Participants that are down at the end are listed but do not by themselves
// make the run blocked: a crashed node is not waiting.
type Blocking struct {
	MinFor time.Duration // shorter uncertainty at the end is in flight, not blocked
}

func (Blocking) Name() string    { return "blocking" }
func (Blocking) Class() Class    { return ClassLiveness }
func (Blocking) Needs() []string { return commitFacts }

// Check runs the check.
func (x Blocking) Check(h *History) Result {
	minFor := x.MinFor
	c := readCommit(h)
	var stuck []Stuck
	upStuck := 0
	for _, d := range c.inDoubt() {
		waited := h.End - d.v.at
		if waited < minFor {
			continue
		}
		up := true
		for i, n := range h.Names {
			if n == d.node && i < len(h.Up) {
				up = h.Up[i]
			}
		}
		if up {
			upStuck++
		}
		stuck = append(stuck, Stuck{Node: d.node, Txn: d.txn, Since: d.v.at, For: waited, Locks: d.v.locks, Up: up})
	}
	if upStuck == 0 {
		msg := "no participant left uncertain"
		if len(stuck) > 0 {
			msg = fmt.Sprintf("no live participant uncertain (%d in doubt on crashed nodes)", len(stuck))
		}
		return Result{Checker: "blocking", Verdict: OK, Message: msg, Stuck: stuck}
	}
	nodes, txns := map[string]bool{}, map[string]bool{}
	for _, s := range stuck {
		nodes[s.Node], txns[s.Txn] = true, true
	}
	var ev []string
	for i, s := range stuck {
		if i == maxEvidence {
			break
		}
		ev = append(ev, s.String())
	}
	return Result{Checker: "blocking", Verdict: Blocked, Stuck: stuck, Evidence: ev,
		Message: fmt.Sprintf("%d %s uncertain about %d %s, the longest for %v", len(nodes), plural(len(nodes), "participant"), len(txns), plural(len(txns), "transaction"), longest(stuck))}
}

func longest(ss []Stuck) time.Duration {
	var m time.Duration
	for _, s := range ss {
		if s.For > m {
			m = s.For
		}
	}
	return m
}

// Liveness checks the liveness-after-healing phase: once every fault is
// healed at healAt, every participant that voted yes decides by
// healAt+bound. A transaction that no participant is in doubt about needs
// no decision record: under presumed abort, nobody having prepared it is
// what "aborted" means.
type Liveness struct {
	HealAt time.Duration // when every fault is healed
	Bound  time.Duration // how long after HealAt every transaction must be decided
}

func (Liveness) Name() string    { return "liveness" }
func (Liveness) Class() Class    { return ClassLiveness }
func (Liveness) Needs() []string { return commitFacts }

// Check runs the check.
func (x Liveness) Check(h *History) Result {
	healAt, bound := x.HealAt, x.Bound
	c := readCommit(h)
	deadline := healAt + bound
	var ev evidence
	for _, d := range c.inDoubt() {
		ev.add("%s never decided %s (voted yes at %s)", d.node, d.txn, strings.TrimSpace(sim.FormatTime(d.v.at)))
	}
	for _, t := range c.txns {
		f := c.of(t)
		for i := 0; i < f.decs.len(); i++ {
			d := f.decs.at(i)
			if v, ok := f.vote(d.node); ok && v.yes && d.at > deadline {
				ev.add("%s decided %s only at %s, after the deadline %s", d.node, t, strings.TrimSpace(sim.FormatTime(d.at)), strings.TrimSpace(sim.FormatTime(deadline)))
			}
		}
	}
	if h.End < deadline && ev.count > 0 {
		// The run stopped early; with nothing left to happen that is final.
		ev.lines = append(ev.lines, fmt.Sprintf("the run ended at %s, before the deadline, with nothing left to do", strings.TrimSpace(sim.FormatTime(h.End))))
	}
	return ev.judge("liveness", fmt.Sprintf("undecided after healing + %v", bound),
		fmt.Sprintf("every transaction decided within %v of healing at %s", bound, strings.TrimSpace(sim.FormatTime(healAt))))
}
