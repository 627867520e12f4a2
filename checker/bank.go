package checker

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
	"github.com/faultline-sim/faultline/workload"
)

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
	for _, b := range readBalances(h) {
		if b.err != nil {
			ev.add("%s: %v", h.Names[b.node], b.err)
			misread++
			continue
		}
		accounts++
		total += b.n
		if b.n < 0 {
			ev.add("%s: %s is negative (%d)", h.Names[b.node], strings.TrimPrefix(b.key, workload.BalanceKey), b.n)
		}
	}
	var pending int64
	for _, s := range c.doubt {
		if sl := &c.slots[s]; c.txns[sl.txn].committed {
			v, _ := c.vote(sl.first[voted])
			pending += v.Delta
		}
	}
	if total+pending != initialTotal {
		ev.add("balances sum to %d (+%d pending at in-doubt participants) but the initial total was %d: %+d appeared", total, pending, initialTotal, total+pending-initialTotal)
	}
	if accounts == 0 && misread == 0 {
		// Nothing to add up: a system without the bank's balances has not
		// been shown to conserve them.
		return Result{Checker: "conservation", Verdict: Unknown, Message: "no evidence: no node's durable state holds a balance (" + workload.BalanceKey + "...)"}
	}
	if ev.count > 0 {
		return ev.judge("conservation", "conservation violations", "")
	}
	msg := strconv.Itoa(accounts) + " accounts sum to " + strconv.FormatInt(total+pending, 10) + " = initial " + strconv.FormatInt(initialTotal, 10)
	if len(c.doubt) > 0 {
		msg += " (counting " + signed(pending) + " pending at " + strconv.Itoa(len(c.doubt)) + " in-doubt participants)"
	}
	return ev.judge("conservation", "conservation violations", msg)
}

// signed is n as fmt's %+d writes it.
func signed(n int64) string {
	if n < 0 {
		return strconv.FormatInt(n, 10)
	}
	return "+" + strconv.FormatInt(n, 10)
}

// balance is one account balance in a node's final durable state, or why
// it could not be read.
type balance struct {
	node int // index into History.Stores
	key  string
	n    int64
	err  error
}

// readBalances lists every balance of every store, store by store in key
// order. Within one RunAll, Conservation and Accounts share one list.
func readBalances(h *History) []balance {
	if h.run != nil && h.run.balancesRead {
		return h.run.balances
	}
	var out []balance
	for i, s := range h.Stores {
		if s == nil {
			continue
		}
		for _, k := range s.Keys(workload.BalanceKey) {
			n, err := loadBalance(s, k)
			out = append(out, balance{node: i, key: k, n: n, err: err})
		}
	}
	if h.run != nil {
		h.run.balances, h.run.balancesRead = out, true
	}
	return out
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
	accts := make(map[atNode]running, 16)
	slots := make([]replay, len(c.slots))
	var ev evidence
	commits := 0
	c.replay(func(s, i int32, _ *sim.Observation, v obs.Vote) {
		// The first yes vote with changes counts; one without any still
		// says the participant voted yes.
		if st := &slots[s]; v.Yes && st.changes <= released {
			st.changes = released
			if v.Changes != nil {
				st.changes = i + 2
			}
		}
	}, func(s int32, o *sim.Observation, d obs.Decide) {
		st := &slots[s]
		apply := d.Commit && st.changes != notVoted && !st.applied
		st.applied = true
		if !apply {
			return
		}
		commits++
		if st.changes == released {
			return
		}
		v, _ := c.vote(st.changes - 2)
		for _, ch := range v.Changes {
			a := atNode{o.Node, ch.Account}
			r, seen := accts[a]
			if !seen {
				r.bal = x.Initial
			}
			r.bal += ch.Delta
			if r.bal < 0 && !r.overdrawn {
				r.overdrawn = true
				ev.add("%s: %s overdrawn to %d by %s committed at %s", h.name(o.Node), ch.Account, r.bal, d.Txn, trimTime(o.Time))
			}
			accts[a] = r
		}
	})
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
		a := atNode{sim.NodeID(b.node), name}
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
