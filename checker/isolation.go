package checker

import (
	"strconv"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
)

// Isolation checks what a participant's locks promise: at no moment do two
// transactions that voted yes at one participant and are still undecided
// there hold the same lock. A yes vote takes the vote's locks; only the
// participant's own decision gives them back. A crash gives nothing back:
// the prepared record survives it and a correct participant re-takes the
// locks on restart, so a transaction in doubt before a crash still holds
// its locks after it — a participant that forgets them on recovery and
// lets a second transaction prepare on the same account is caught here
// even if no balance ever goes negative.
type Isolation struct{}

func (Isolation) Name() string    { return "isolation" }
func (Isolation) Class() Class    { return ClassSafety }
func (Isolation) Needs() []string { return commitFacts }

// holding is the undecided transaction that holds a lock, and since when
// (its yes vote).
type holding struct {
	txn int32
	at  time.Duration
}

// What Isolation remembers of a slot's yes vote.
const (
	notVoted = 0 // no yes vote yet: a yes vote takes its locks
	released = 1 // voted yes and decided, or took no locks: later votes take nothing
	// a slot whose yes vote at observation i holds its locks is i+2
)

// Check runs the check.
func (Isolation) Check(h *History) Result {
	c := readCommit(h)
	held := make(map[atNode]holding, 16)
	mine := make([]int32, len(c.slots))
	var ev evidence
	yes := 0
	c.replay(func(s, i int32, o *sim.Observation, v obs.Vote) {
		if mine[s] != notVoted || !v.Yes {
			return
		}
		yes++
		txn := c.slots[s].txn
		for _, l := range v.Locks {
			k := atNode{o.Node, l}
			if other, taken := held[k]; taken && other.txn != txn {
				ev.add("%s: %s voted yes holding %s at %s while %s (yes at %s) still held it undecided", h.name(o.Node), v.Txn, l, trimTime(o.Time), c.txns[other.txn].name, trimTime(other.at))
				continue
			}
			held[k] = holding{txn: txn, at: o.Time}
		}
		mine[s] = i + 2
	}, func(s int32, o *sim.Observation, _ obs.Decide) {
		if m := mine[s]; m > released {
			v, _ := c.vote(m - 2)
			for _, l := range v.Locks {
				k := atNode{o.Node, l}
				if hd, ok := held[k]; ok && hd.txn == c.slots[s].txn {
					delete(held, k)
				}
			}
		}
		if mine[s] != notVoted {
			mine[s] = released
		}
	})
	return ev.judge("isolation", "lock overlaps between undecided transactions", strconv.Itoa(yes)+" yes votes, no two undecided transactions held one lock at a participant")
}

// trimTime formats a moment for evidence; only a violation pays for it.
func trimTime(t time.Duration) string { return strings.TrimSpace(sim.FormatTime(t)) }

func nodeIndex(h *History, name string) sim.NodeID {
	for i, n := range h.Names {
		if n == name {
			return sim.NodeID(i)
		}
	}
	return -1
}
