package checker

import (
	"time"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/workload"
)

// CommitMetrics are one run's costs and delays as a commit protocol's
// observations and the kernel's counters show them; like the checkers they
// never look inside a protocol, so every protocol is measured the same way.
type CommitMetrics struct {
	Submitted int // transactions clients submitted
	Begun     int // transactions a coordinator began
	Decided   int // begun, and no participant left in doubt about it
	Committed int // begun and committed at every participant
	Messages  int // sent by every node, clients included
	// Writes are durable writes by every node, less the bank's initial
	// balances, which every protocol writes alike.
	Writes int
	// Latencies: for each transaction committed at every participant, from
	// the client's submit to the last participant's commit.
	Latencies []time.Duration
	// LockHolds: for each participant that voted yes, from its vote (locks
	// taken) to its decision (locks released) or the end of the run.
	LockHolds []time.Duration
	// Uncertain sums the time participants spent voted yes and undecided;
	// Blocked is the part of it spent by those still undecided at the end.
	Uncertain time.Duration
	Blocked   time.Duration
}

// MeasureCommit computes the metrics of a finished run; messages and writes
// are the world's counters.
func MeasureCommit(h *History, messages, writes int) CommitMetrics {
	c := readCommit(h)
	m := CommitMetrics{Messages: messages, Writes: writes}
	submitted := map[string]time.Duration{}
	for _, o := range h.Observations {
		if s, ok := o.Data.(obs.Submit); ok {
			if _, dup := submitted[s.Txn]; !dup {
				submitted[s.Txn] = o.Time
			}
		}
	}
	m.Submitted = len(submitted)
	for _, s := range h.Stores {
		if s == nil {
			continue
		}
		if n := len(s.Keys(workload.BalanceKey)); n > 0 {
			m.Writes -= n + 1 // the balances and the bank's "initialized" mark
		}
	}
	for _, id := range c.order {
		t := &c.txns[id]
		if !t.begun {
			continue
		}
		m.Begun++
		inDoubt := false
		for s := t.heads[voted]; s != none; s = c.slots[s].after[voted] {
			sl := &c.slots[s]
			v, at := c.vote(sl.first[voted])
			if !v.Yes {
				continue
			}
			end := h.End
			if sl.first[decided] != none {
				_, end = c.decision(sl.first[decided])
			} else {
				inDoubt = true
				m.Blocked += h.End - at
			}
			m.LockHolds = append(m.LockHolds, end-at)
			m.Uncertain += end - at
		}
		if !inDoubt {
			m.Decided++
		}
		var last time.Duration
		all := len(t.parts) > 0
		for _, p := range t.parts {
			if s := c.find(t, p); s != none && c.slots[s].first[decided] != none {
				d, at := c.decision(c.slots[s].first[decided])
				all = all && d.Commit
				last = max(last, at)
			} else {
				all = false
			}
		}
		if all {
			m.Committed++
			if at, ok := submitted[t.name]; ok {
				m.Latencies = append(m.Latencies, last-at)
			}
		}
	}
	return m
}
