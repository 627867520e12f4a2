package txn

import (
	"slices"
	"sort"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
	"github.com/faultline-sim/faultline/workload"
)

// Bank is one participant's bank: committed balances in the durable store
// (under workload.BalanceKey), account locks and the transactions in doubt
// in volatile memory. Both are lost in a crash; Recover rebuilds them from
// the prepared records.
type Bank struct {
	Accounts []string
	Initial  int64
	locks    map[string]string   // account -> transaction holding it
	held     map[string]Prepared // transaction voted yes for, not yet decided here
	// changed is where the vote facts' change lists are cut from, many
	// to an allocation: a fact is never changed once recorded.
	changed []obs.Change

	// VoteBeforeSync is a planted bug: a yes vote goes out while its
	// prepared record is not yet synced; it reaches the disk with the
	// participant's next sync, and a crash before that forgets the vote.
	VoteBeforeSync bool
}

const initKey = "bank/initialized"

// Open prepares the bank after a start: on the very first start it writes
// the initial balances; after a restart the balances are already durable.
func (b *Bank) Open(env *sim.Env) {
	b.locks, b.held = map[string]string{}, map[string]Prepared{}
	if _, ok := sim.Load[bool](env, initKey); ok {
		return
	}
	var w sim.Batch
	for _, a := range b.Accounts {
		w.Put(workload.BalanceKey+a, b.Initial)
	}
	w.Put(initKey, true)
	env.Write(&w)
}

// Balance is an account's committed balance.
func (b *Bank) Balance(env *sim.Env, account string) int64 {
	n, _ := sim.Load[int64](env, workload.BalanceKey+account)
	return n
}

// Lock takes every account of ops for txn, all or nothing. It never waits:
// a conflict is reported so the participant can vote no, which keeps 2PC
// free of distributed deadlock.
func (b *Bank) Lock(txn string, ops []Op) ([]string, bool) {
	if len(ops) == 1 {
		// One account, as in a transfer: its name from the bank's list.
		a := ops[0].Account
		if h, held := b.locks[a]; held && h != txn {
			return nil, false
		}
		b.locks[a] = txn
		if i := slices.Index(b.Accounts, a); i >= 0 {
			return b.Accounts[i : i+1 : i+1], true
		}
		return []string{a}, true
	}
	var names []string
	for _, o := range ops {
		if h, held := b.locks[o.Account]; held && h != txn {
			return nil, false
		}
		names = append(names, o.Account)
	}
	sort.Strings(names)
	for _, n := range names {
		b.locks[n] = txn
	}
	return names, true
}

// Unlock releases every account txn holds.
func (b *Bank) Unlock(txn string, ops []Op) {
	for _, o := range ops {
		if b.locks[o.Account] == txn {
			delete(b.locks, o.Account)
		}
	}
}

// Check says whether ops can commit here: every account exists and no
// balance would go negative. The answer is a bool rather than an error
// naming the account, since a no vote carries no reason: building one for
// every refused transfer cost an allocation or two.
func (b *Bank) Check(env *sim.Env, ops []Op) bool {
	for _, o := range ops {
		if bal, ok := sim.Load[int64](env, workload.BalanceKey+o.Account); !ok || bal+o.Delta < 0 {
			return false
		}
	}
	return true
}

// Apply adds the new balances of ops to the batch w. The batch cannot be
// read back, so an account two ops touch carries its running balance here.
func (b *Bank) Apply(env *sim.Env, w *sim.Batch, ops []Op) {
	for i, o := range ops {
		bal := b.Balance(env, o.Account)
		for _, earlier := range ops[:i] {
			if earlier.Account == o.Account {
				bal += earlier.Delta
			}
		}
		w.Put(workload.BalanceKey+o.Account, bal+o.Delta)
	}
}

// Net is the sum of the deltas of ops: what a commit adds to this bank.
func Net(ops []Op) int64 {
	var n int64
	for _, o := range ops {
		n += o.Delta
	}
	return n
}

// changes lists ops account by account for the vote fact.
func (b *Bank) changes(ops []Op) []obs.Change {
	if len(ops) > cap(b.changed)-len(b.changed) {
		b.changed = make([]obs.Change, 0, max(len(ops), 32))
	}
	start := len(b.changed)
	for _, o := range ops {
		b.changed = append(b.changed, obs.Change{Account: o.Account, Delta: o.Delta})
	}
	return b.changed[start:len(b.changed):len(b.changed)]
}

// Prepared is a participant's durable prepared record: enough to redo the
// transaction on commit (Ops) and to find whom to ask about it (Coordinator
// and the other participants). Updates are deferred until commit, so undo
// is simply dropping the record.
type Prepared struct {
	Txn         string
	Coordinator string
	Ops         []Op
	Peers       []string // every participant of the transaction
}

// Durable key prefixes shared by the commit protocols' participants.
const (
	PreparedKey = "prepared/" // Prepared record of an in-doubt transaction
	OutcomeKey  = "outcome/"  // bool: true committed, false aborted
)

// Prepare is phase 1 at this bank, the same in every commit protocol: the
// participant may abort on its own (with probability unilateralAbort, from
// its own random stream), then must take the accounts' locks and have the
// funds. A no vote is a unilateral abort and is logged, so a duplicated
// request gets the same answer; a yes vote forces the prepared record
// before the caller lets the vote out — a yes is a promise to commit if
// told to, and it must survive a crash. Both votes are recorded for the
// checkers; the caller only sends the vote (or proposes it) and keeps its
// own volatile state.
func (b *Bank) Prepare(env *sim.Env, unilateralAbort float64, rec Prepared) bool {
	yes := unilateralAbort == 0 || env.Rand().Float64() >= unilateralAbort
	var locks []string
	if yes {
		locks, yes = b.Lock(rec.Txn, rec.Ops)
	}
	if yes && !b.Check(env, rec.Ops) {
		b.Unlock(rec.Txn, rec.Ops)
		yes = false
	}
	if !yes {
		env.Put(OutcomeKey+rec.Txn, false)
		env.Sync()
		sim.Observe(env, obs.Vote{Txn: rec.Txn, Yes: false})
		sim.Observe(env, obs.Decide{Txn: rec.Txn, Commit: false, Via: obs.ViaVoteNo})
		return false
	}
	sim.Put(env, PreparedKey+rec.Txn, rec)
	if !b.VoteBeforeSync {
		env.Sync()
	}
	b.held[rec.Txn] = rec
	sim.Observe(env, obs.Vote{Txn: rec.Txn, Yes: true, Locks: locks, Delta: Net(rec.Ops), Changes: b.changes(rec.Ops)})
	return true
}

// Outcome is what this bank logged about a transaction: known is false
// while it is undecided here.
func (b *Bank) Outcome(env *sim.Env, id string) (commit, known bool) {
	return sim.Load[bool](env, OutcomeKey+id)
}

// Recover is the first step of every participant's restart: the bank is
// opened and every prepared record found is in doubt again, its accounts
// locked as they were before the crash. The records come in key order.
func (b *Bank) Recover(env *sim.Env) []Prepared {
	b.Open(env)
	var out []Prepared
	for _, k := range env.Keys(PreparedKey) {
		rec, _ := sim.Load[Prepared](env, k)
		b.Lock(rec.Txn, rec.Ops)
		b.held[rec.Txn] = rec
		out = append(out, rec)
	}
	return out
}

// Finish ends a transaction at this bank, the same in every commit
// protocol: a commit applies the ops of the transaction's prepared record
// (if this bank voted yes), the outcome is logged, the prepared record and
// the protocol's own keys in drop are removed — all in one atomic write —,
// the locks are released, and the decision is recorded for the checkers.
// One write, because crash points at effect boundaries found both splits:
// a crash between the new balances and the outcome left the prepared
// record to be applied a second time after the restart, and one between
// the outcome and the prepared record's removal left the participant in
// doubt about a transaction it had decided. It reports false, doing
// nothing, if the transaction was already decided here.
func (b *Bank) Finish(env *sim.Env, id string, commit bool, via obs.Via, drop ...string) bool {
	if _, known := b.Outcome(env, id); known {
		return false
	}
	rec, voted := b.held[id]
	var w sim.Batch
	if voted && commit {
		b.Apply(env, &w, rec.Ops)
	}
	w.Put(OutcomeKey+id, commit)
	if voted {
		w.Delete(PreparedKey + id)
		for _, k := range drop {
			w.Delete(k)
		}
	}
	env.Write(&w)
	env.Sync()
	if voted {
		b.Unlock(id, rec.Ops)
		delete(b.held, id)
	}
	sim.Observe(env, obs.Decide{Txn: id, Commit: commit, Via: via})
	return true
}
