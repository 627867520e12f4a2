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

type holding struct {
	txn string
	at  time.Duration // when it voted yes
}

// nodeTxn keys a participant's view of one transaction; a struct rather
// than a joined string, so that looking it up allocates nothing.
type nodeTxn struct{ node, txn string }

// Check runs the check.
func (Isolation) Check(h *History) Result {
	held := map[string]map[string]holding{} // node -> lock -> undecided holder
	mine := map[nodeTxn][]string{}          // locks each participant's transaction holds
	var ev evidence
	yes := 0
	for _, o := range h.Observations {
		node := h.name(o.Node)
		switch f := o.Data.(type) {
		case obs.Vote:
			key := nodeTxn{node, f.Txn}
			if _, again := mine[key]; again || !f.Yes {
				continue
			}
			yes++
			locks := held[node]
			if locks == nil {
				locks = map[string]holding{}
				held[node] = locks
			}
			for _, l := range f.Locks {
				if other, taken := locks[l]; taken && other.txn != f.Txn {
					ev.add("%s: %s voted yes holding %s at %s while %s (yes at %s) still held it undecided", node, f.Txn, l, trimTime(o.Time), other.txn, trimTime(other.at))
					continue
				}
				locks[l] = holding{txn: f.Txn, at: o.Time}
			}
			mine[key] = f.Locks
		case obs.Decide:
			key := nodeTxn{node, f.Txn}
			for _, l := range mine[key] {
				if held[node][l].txn == f.Txn {
					delete(held[node], l)
				}
			}
			if _, voted := mine[key]; voted {
				mine[key] = nil
			}
		}
	}
	return ev.judge("isolation", "lock overlaps between undecided transactions", fmt.Sprintf("%d yes votes, no two undecided transactions held one lock at a participant", yes))
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

// Check runs the check.
func (x Accounts) Check(h *History) Result {
	type acct struct{ node, name string }
	running := map[acct]int64{}
	overdrawn := map[acct]bool{}
	changes := map[nodeTxn][]obs.Change{} // each participant's yes vote's changes
	applied := map[nodeTxn]bool{}
	var ev evidence
	commits := 0
	for _, o := range h.Observations {
		node := h.name(o.Node)
		switch f := o.Data.(type) {
		case obs.Vote:
			if key := (nodeTxn{node, f.Txn}); f.Yes && changes[key] == nil {
				changes[key] = f.Changes
			}
		case obs.Decide:
			key := nodeTxn{node, f.Txn}
			cs, voted := changes[key]
			if !f.Commit || !voted || applied[key] {
				applied[key] = true
				continue
			}
			applied[key] = true
			commits++
			for _, c := range cs {
				a := acct{node, c.Account}
				bal, seen := running[a]
				if !seen {
					bal = x.Initial
				}
				bal += c.Delta
				running[a] = bal
				if bal < 0 && !overdrawn[a] {
					overdrawn[a] = true
					ev.add("%s: %s overdrawn to %d by %s committed at %s", node, c.Account, bal, f.Txn, trimTime(o.Time))
				}
			}
		}
	}
	accounts := 0
	for i, s := range h.Stores {
		if s == nil || i >= len(h.Names) {
			continue
		}
		node := h.Names[i]
		for _, k := range s.Keys(workload.BalanceKey) {
			name := strings.TrimPrefix(k, workload.BalanceKey)
			n, err := loadBalance(s, k)
			if err != nil {
				ev.add("%s: %v", node, err)
				continue
			}
			accounts++
			a := acct{node, name}
			want, seen := running[a]
			if !seen {
				want = x.Initial
			}
			delete(running, a)
			if n != want {
				ev.add("%s: %s ends at %d but its initial %d plus the transactions committed here make %d (%+d)", node, name, n, x.Initial, want, n-want)
			}
		}
	}
	// An account a committed transaction changed that no durable state
	// holds: the change went nowhere.
	var lost []string
	for a := range running {
		if i := nodeIndex(h, a.node); i >= 0 && int(i) < len(h.Stores) && h.Stores[i] != nil {
			lost = append(lost, fmt.Sprintf("%s: %s was changed by a committed transaction but holds no balance", a.node, a.name))
		}
	}
	sort.Strings(lost)
	for _, l := range lost {
		ev.add("%s", l)
	}
	if accounts == 0 && ev.count == 0 {
		return Result{Checker: "accounts", Verdict: Unknown, Message: "no evidence: no node's durable state holds a balance (" + workload.BalanceKey + "...)"}
	}
	return ev.judge("accounts", "account violations", fmt.Sprintf("%d accounts each end at their initial balance plus %d committed changes, never overdrawn", accounts, commits))
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
