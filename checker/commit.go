package checker

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
)

// commitHistory is the commit-protocol view of a run's observations,
// built once per run and shared by every commit checker and MeasureCommit.
// Transactions are numbered on first mention; each (node, transaction)
// that voted or decided gets one slot, found by walking the
// transaction's few slots rather than through maps keyed by names, and a
// slot points at its observations instead of copying them.
type commitHistory struct {
	h      *History
	txns   []txnFacts       // by order of first mention
	order  []int32          // txns, sorted by name
	index  map[string]int32 // transaction name -> txns
	slots  []slot
	events []slotEvent // every vote and decision, in the order observed
	doubt  []int32     // slots that voted yes and never decided, by node then transaction name
	flips  []string    // a vote or decision that changed
}

// txnFacts is what the observations say of one transaction. Its slots
// are kept in three lists: by first mention (to find a node's slot), by
// first vote and by first decision (the orders evidence reports them in).
type txnFacts struct {
	name      string
	begun     bool
	committed bool     // some node's first decision was commit
	aborted   bool     // some node's first decision was abort
	parts     []string // participants, from Begin
	slots     int32    // head of the list by first mention
	heads     [2]int32 // heads of the lists by first vote and by first decision; none when empty
}

// The two facts a slot keeps the first of, indexing slot.first, slot.after
// and txnFacts.heads.
const (
	voted   = 0
	decided = 1
)

// slot is one node's view of one transaction: the observation indices of
// its first vote and first decision (none if it recorded none).
type slot struct {
	node  sim.NodeID
	txn   int32
	first [2]int32
	next  int32    // the transaction's next slot by first mention
	after [2]int32 // its next slot by first vote, by first decision
}

// atNode is one of a participant's own locks or accounts: their names
// mean something only at the participant.
type atNode struct {
	node sim.NodeID
	name string
}

// slotEvent is one vote or decision observation and the slot it is of.
type slotEvent struct{ obs, slot int32 }

const none int32 = -1

// vote is the vote observed at index i (a slot's vote).
func (c *commitHistory) vote(i int32) (obs.Vote, time.Duration) {
	o := &c.h.Observations[i]
	return o.Data.(obs.Vote), o.Time
}

// decision is the decision observed at index i (a slot's dec).
func (c *commitHistory) decision(i int32) (obs.Decide, time.Duration) {
	o := &c.h.Observations[i]
	return o.Data.(obs.Decide), o.Time
}

// replay hands every vote and decision to vote or decide, in the order
// observed, with its slot (and a vote with its observation index): the
// walk of a checker that keeps state per node and transaction, such as
// the locks a yes vote holds or the changes a commit applies.
func (c *commitHistory) replay(vote func(s, i int32, o *sim.Observation, v obs.Vote), decide func(s int32, o *sim.Observation, d obs.Decide)) {
	for _, e := range c.events {
		o := &c.h.Observations[e.obs]
		switch f := o.Data.(type) {
		case obs.Vote:
			vote(e.slot, e.obs, o, f)
		case obs.Decide:
			decide(e.slot, o, f)
		}
	}
}

// find is the slot of the node named n in transaction t, or none.
func (c *commitHistory) find(t *txnFacts, n string) int32 {
	for s := t.slots; s != none; s = c.slots[s].next {
		if c.h.name(c.slots[s].node) == n {
			return s
		}
	}
	return none
}

func readCommit(h *History) *commitHistory {
	h.commitOnce.Do(func() { h.commit = buildCommit(h) })
	return h.commit
}

func buildCommit(h *History) *commitHistory {
	begun, facts := 0, 0
	for _, o := range h.Observations {
		switch o.Data.(type) {
		case obs.Begin:
			begun++
		case obs.Vote, obs.Decide:
			facts++
		}
	}
	// Room for every transaction begun and a few more only voted on, and
	// for a slot per fact at most, so that nothing is copied as it grows.
	c := &commitHistory{h: h, index: make(map[string]int32, begun+8), txns: make([]txnFacts, 0, begun+8),
		slots: make([]slot, 0, facts), events: make([]slotEvent, 0, facts)}
	for i, o := range h.Observations {
		switch f := o.Data.(type) {
		case obs.Begin:
			if t := &c.txns[c.note(f.Txn)]; !t.begun {
				t.begun, t.parts = true, f.Participants
			}
		case obs.Vote:
			c.record(voted, i, f.Txn, o.Node, f.Yes)
		case obs.Decide:
			if s, first := c.record(decided, i, f.Txn, o.Node, f.Commit); first {
				t := &c.txns[c.slots[s].txn]
				t.committed = t.committed || f.Commit
				t.aborted = t.aborted || !f.Commit
			}
		}
	}
	c.order = make([]int32, len(c.txns))
	for i := range c.order {
		c.order[i] = int32(i)
	}
	slices.SortFunc(c.order, func(a, b int32) int { return strings.Compare(c.txns[a].name, c.txns[b].name) })
	for _, id := range c.order {
		for s := c.txns[id].heads[voted]; s != none; s = c.slots[s].after[voted] {
			if sl := &c.slots[s]; sl.first[decided] == none {
				if v, _ := c.vote(sl.first[voted]); v.Yes {
					c.doubt = append(c.doubt, s)
				}
			}
		}
	}
	// Transactions are in name order already; a stable sort by node keeps it.
	slices.SortStableFunc(c.doubt, func(a, b int32) int {
		return strings.Compare(h.name(c.slots[a].node), h.name(c.slots[b].node))
	})
	return c
}

// note numbers transaction t on its first mention.
func (c *commitHistory) note(t string) int32 {
	i, ok := c.index[t]
	if !ok {
		i = int32(len(c.txns))
		c.index[t] = i
		c.txns = append(c.txns, txnFacts{name: t, slots: none, heads: [2]int32{none, none}})
	}
	return i
}

// slotOf is node n's slot in transaction t, made on first mention.
func (c *commitHistory) slotOf(t int32, n sim.NodeID) int32 {
	tf := &c.txns[t]
	last := none
	for s := tf.slots; s != none; s = c.slots[s].next {
		if c.slots[s].node == n {
			return s
		}
		last = s
	}
	s := int32(len(c.slots))
	c.slots = append(c.slots, slot{node: n, txn: t, first: [2]int32{none, none}, next: none, after: [2]int32{none, none}})
	if last == none {
		tf.slots = s
	} else {
		c.slots[last].next = s
	}
	return s
}

// record notes the vote or decision (kind) observed at i, which says yes
// (commit) or not: it is the slot's first of its kind and joins the
// transaction's list of those, or it is a repeat, and a repeat that says
// otherwise is a flip. It returns the slot and whether this was the first.
func (c *commitHistory) record(kind, i int, txn string, node sim.NodeID, yes bool) (int32, bool) {
	s := c.slotOf(c.note(txn), node)
	c.events = append(c.events, slotEvent{int32(i), s})
	sl := &c.slots[s]
	if p := sl.first[kind]; p != none {
		if was, at := c.said(p); was != yes {
			word := [2]func(bool) string{yesNo, outcome}[kind]
			c.flips = append(c.flips, fmt.Sprintf("%s: %s %s %s at %s, then %s at %s", txn, c.h.name(node), [2]string{"voted", "decided"}[kind],
				word(was), sim.FormatTime(at), word(yes), sim.FormatTime(c.h.Observations[i].Time)))
		}
		return s, false
	}
	sl.first[kind] = int32(i)
	p := &c.txns[sl.txn].heads[kind]
	for *p != none {
		p = &c.slots[*p].after[kind]
	}
	*p = s
	return s, true
}

// said is what the vote or decision observed at i says (yes or commit),
// and when.
func (c *commitHistory) said(i int32) (bool, time.Duration) {
	o := &c.h.Observations[i]
	switch f := o.Data.(type) {
	case obs.Vote:
		return f.Yes, o.Time
	case obs.Decide:
		return f.Commit, o.Time
	}
	return false, o.Time
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
	for _, id := range c.order {
		t := &c.txns[id]
		if !t.committed {
			continue
		}
		if t.aborted {
			ev.add("%s committed at %s but aborted at %s", t.name, c.decidedAt(t, true), c.decidedAt(t, false))
		}
		parts := t.parts
		if parts == nil {
			for s := t.heads[voted]; s != none; s = c.slots[s].after[voted] {
				parts = append(parts, h.name(c.slots[s].node))
			}
			sort.Strings(parts)
		}
		firstCommit := time.Duration(-1)
		for s := t.heads[decided]; s != none; s = c.slots[s].after[decided] {
			if d, at := c.decision(c.slots[s].first[decided]); d.Commit && (firstCommit < 0 || at < firstCommit) {
				firstCommit = at
			}
		}
		for _, p := range parts {
			s := c.find(t, p)
			if s == none || c.slots[s].first[voted] == none {
				ev.add("%s committed at %s although %s never voted", t.name, c.decidedAt(t, true), p)
				continue
			}
			switch v, at := c.vote(c.slots[s].first[voted]); {
			case !v.Yes:
				ev.add("%s committed at %s although %s voted no", t.name, c.decidedAt(t, true), p)
			case at > firstCommit:
				// A vote is recorded before it is sent: a commit decided
				// before it cannot have rested on it.
				ev.add("%s committed at %s before %s voted yes (at %s)", t.name, trimTime(firstCommit), p, trimTime(at))
			}
		}
	}
	return ev.judge("atomicity", "atomicity violations", strconv.Itoa(len(c.txns))+" transactions, no disagreement")
}

// decidedAt lists the nodes that decided t commit (or abort) with the time
// of their decision, in the order they decided: "node@time, ...". It is
// evidence text, made only for a violation.
func (c *commitHistory) decidedAt(t *txnFacts, commit bool) string {
	var out []string
	for s := t.heads[decided]; s != none; s = c.slots[s].after[decided] {
		if d, at := c.decision(c.slots[s].first[decided]); d.Commit == commit {
			out = append(out, c.h.name(c.slots[s].node)+"@"+trimTime(at))
		}
	}
	return strings.Join(out, ", ")
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
	for _, s := range c.doubt {
		sl := &c.slots[s]
		v, at := c.vote(sl.first[voted])
		waited := h.End - at
		if waited < minFor {
			continue
		}
		up := true
		if int(sl.node) >= 0 && int(sl.node) < len(h.Names) && int(sl.node) < len(h.Up) {
			up = h.Up[sl.node]
		}
		if up {
			upStuck++
		}
		stuck = append(stuck, Stuck{Node: h.name(sl.node), Txn: c.txns[sl.txn].name, Since: at, For: waited, Locks: v.Locks, Up: up})
	}
	if upStuck == 0 {
		msg := "no participant left uncertain"
		if len(stuck) > 0 {
			msg = "no live participant uncertain (" + strconv.Itoa(len(stuck)) + " in doubt on crashed nodes)"
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
		Message: fmt.Sprintf("%d %s uncertain about %d %s, the longest for %v", len(nodes), plural(len(nodes), "participant"), len(txns), plural(len(txns), "transaction"), slices.MaxFunc(stuck, func(a, b Stuck) int { return cmp.Compare(a.For, b.For) }).For)}
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
	for _, s := range c.doubt {
		sl := &c.slots[s]
		_, at := c.vote(sl.first[voted])
		ev.add("%s never decided %s (voted yes at %s)", h.name(sl.node), c.txns[sl.txn].name, trimTime(at))
	}
	for _, id := range c.order {
		t := &c.txns[id]
		for s := t.heads[decided]; s != none; s = c.slots[s].after[decided] {
			sl := &c.slots[s]
			if _, at := c.decision(sl.first[decided]); at > deadline && sl.first[voted] != none {
				if v, _ := c.vote(sl.first[voted]); v.Yes {
					ev.add("%s decided %s only at %s, after the deadline %s", h.name(sl.node), t.name, trimTime(at), trimTime(deadline))
				}
			}
		}
	}
	if ev.count == 0 {
		return ev.judge("liveness", "", "every transaction decided within "+bound.String()+" of healing at "+trimTime(healAt))
	}
	if h.End < deadline {
		// The run stopped early; with nothing left to happen that is final.
		ev.lines = append(ev.lines, fmt.Sprintf("the run ended at %s, before the deadline, with nothing left to do", trimTime(h.End)))
	}
	return ev.judge("liveness", fmt.Sprintf("undecided after healing + %v", bound), "")
}
