package checker

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
	"github.com/faultline-sim/faultline/workload"
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

// nodeLock is one lock at one participant.
type nodeLock struct {
	node sim.NodeID
	lock string
}

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
	held := make(map[nodeLock]holding, 16)
	mine := make([]int32, len(c.slots))
	var ev evidence
	yes := 0
	for _, e := range c.events {
		o := &h.Observations[e.obs]
		txn := c.slots[e.slot].txn
		switch f := o.Data.(type) {
		case obs.Vote:
			if mine[e.slot] != notVoted || !f.Yes {
				continue
			}
			yes++
			for _, l := range f.Locks {
				k := nodeLock{o.Node, l}
				if other, taken := held[k]; taken && other.txn != txn {
					ev.add("%s: %s voted yes holding %s at %s while %s (yes at %s) still held it undecided", h.name(o.Node), f.Txn, l, trimTime(o.Time), c.txns[other.txn].name, trimTime(other.at))
					continue
				}
				held[k] = holding{txn: txn, at: o.Time}
			}
			mine[e.slot] = e.obs + 2
		case obs.Decide:
			if m := mine[e.slot]; m > released {
				v, _ := c.vote(m - 2)
				for _, l := range v.Locks {
					k := nodeLock{o.Node, l}
					if hd, ok := held[k]; ok && hd.txn == txn {
						delete(held, k)
					}
				}
			}
			if mine[e.slot] != notVoted {
				mine[e.slot] = released
			}
		}
	}
	return ev.judge("isolation", "lock overlaps between undecided transactions", strconv.Itoa(yes)+" yes votes, no two undecided transactions held one lock at a participant")
}

// Accounts is the bank check account by account, on the facts and final
// durable state: each account's final balance is its initial balance plus
// the changes of the transactions its participant committed (in the order
// it committed them), and that running balance never goes below zero — no
// committed history overdraws an account, even one a later deposit covers
// again before the run ends. Conservation, which adds up all balances,
// misses both money moved between accounts and an overdraft repaid in
// time.
type Accounts struct {
	Initial int64 // every account's balance before any transfer
}

func (Accounts) Name() string    { return "accounts" }
func (Accounts) Class() Class    { return ClassSafety }
func (Accounts) Needs() []string { return commitFacts }

// account is one account at one participant, as Accounts replays it.
type account struct {
	node sim.NodeID
	name string
}

type running struct {
	bal       int64
	overdrawn bool
}

// What Accounts remembers of a slot.
type replay struct {
	changes int32 // notVoted, released (a yes vote without changes), or i+2: the changes of the yes vote at i
	applied bool  // its first decision was seen
}

// Check runs the check.
func (x Accounts) Check(h *History) Result {
	c := readCommit(h)
	accts := make(map[account]running, 16)
	slots := make([]replay, len(c.slots))
	var ev evidence
	commits := 0
	for _, e := range c.events {
		o := &h.Observations[e.obs]
		st := &slots[e.slot]
		switch f := o.Data.(type) {
		case obs.Vote:
			// The first yes vote with changes counts; one without any
			// still says the participant voted yes.
			if f.Yes && st.changes <= released {
				st.changes = released
				if f.Changes != nil {
					st.changes = e.obs + 2
				}
			}
		case obs.Decide:
			if !f.Commit || st.changes == notVoted || st.applied {
				st.applied = true
				continue
			}
			st.applied = true
			commits++
			if st.changes == released {
				continue
			}
			v, _ := c.vote(st.changes - 2)
			for _, ch := range v.Changes {
				a := account{o.Node, ch.Account}
				r, seen := accts[a]
				if !seen {
					r.bal = x.Initial
				}
				r.bal += ch.Delta
				if r.bal < 0 && !r.overdrawn {
					r.overdrawn = true
					ev.add("%s: %s overdrawn to %d by %s committed at %s", h.name(o.Node), ch.Account, r.bal, f.Txn, trimTime(o.Time))
				}
				accts[a] = r
			}
		}
	}
	accounts := 0
	for _, b := range readBalances(h) {
		if b.node >= len(h.Names) {
			continue
		}
		node := h.Names[b.node]
		if b.err != nil {
			ev.add("%s: %v", node, b.err)
			continue
		}
		name := strings.TrimPrefix(b.key, workload.BalanceKey)
		accounts++
		a := account{sim.NodeID(b.node), name}
		want := x.Initial
		if r, seen := accts[a]; seen {
			want = r.bal
		}
		delete(accts, a)
		if b.n != want {
			ev.add("%s: %s ends at %d but its initial %d plus the transactions committed here make %d (%+d)", node, name, b.n, x.Initial, want, b.n-want)
		}
	}
	// An account a committed transaction changed that no durable state
	// holds: the change went nowhere.
	var lost []string
	for a := range accts {
		if i := int(a.node); i >= 0 && i < len(h.Names) && i < len(h.Stores) && h.Stores[i] != nil {
			lost = append(lost, fmt.Sprintf("%s: %s was changed by a committed transaction but holds no balance", h.Names[i], a.name))
		}
	}
	sort.Strings(lost)
	for _, l := range lost {
		ev.add("%s", l)
	}
	if accounts == 0 && ev.count == 0 {
		return Result{Checker: "accounts", Verdict: Unknown, Message: "no evidence: no node's durable state holds a balance (" + workload.BalanceKey + "...)"}
	}
	return ev.judge("accounts", "account violations", strconv.Itoa(accounts)+" accounts each end at their initial balance plus "+strconv.Itoa(commits)+" committed changes, never overdrawn")
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
