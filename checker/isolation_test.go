package checker

import (
	"testing"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
	"github.com/stretchr/testify/require"
)

func yes(txn string, acct string, delta int64) obs.Vote {
	return obs.Vote{Txn: txn, Yes: true, Locks: []string{acct}, Delta: delta, Changes: []obs.Change{{Account: acct, Delta: delta}}}
}

func TestIsolationCatchesTwoUndecidedHoldersOfOneLock(t *testing.T) {
	h := hist(msec(50),
		obsAt(1, p1, yes("t1", "a", -60)),
		obsAt(2, p1, yes("t2", "a", -60)),
		obsAt(3, p1, obs.Decide{Txn: "t1", Commit: true}),
		obsAt(4, p1, obs.Decide{Txn: "t2", Commit: true}),
	)
	r := Isolation{}.Check(h)
	require.Equal(t, Violation, r.Verdict, r.Message)
	require.Contains(t, r.Evidence[0], "participant-1: t2 voted yes holding a at 0.002000000 while t1 (yes at 0.001000000) still held it undecided")
}

func TestIsolationAllowsTheLockOnceDecidedAndAtOtherParticipants(t *testing.T) {
	h := hist(msec(50),
		obsAt(1, p1, yes("t1", "a", -60)),
		obsAt(1, p2, yes("t2", "a", -60)), // same name, another participant
		obsAt(2, p1, obs.Vote{Txn: "t3", Yes: false}),
		obsAt(3, p1, obs.Decide{Txn: "t1", Commit: false}),
		obsAt(4, p1, yes("t4", "a", -10)),
		obsAt(5, p1, yes("t4", "a", -10)), // a resent vote is the same holding
	)
	r := Isolation{}.Check(h)
	require.Equal(t, OK, r.Verdict, r.Message)
}

// A crash and restart do not release a prepared transaction's locks: the
// record survives and a correct participant re-takes them.
func TestIsolationHoldsLocksAcrossARestart(t *testing.T) {
	h := hist(msec(50),
		obsAt(1, p1, yes("t1", "a", -60)),
		obsAt(9, p1, yes("t2", "a", -60)),
	)
	h.Crashes = []sim.Crash{{Time: msec(3), Node: p1}}
	h.Outages = []sim.Outage{{Kind: sim.OutDown, Node: p1, Peer: sim.None, From: msec(3), To: msec(8)}}
	require.Equal(t, Violation, Isolation{}.Check(h).Verdict)
}

func accountStores(a, b int64) []*sim.Store {
	return stores(map[string]any{"balance/a": a}, map[string]any{"balance/b": b})
}

func TestAccountsReplaysEachBalance(t *testing.T) {
	h := hist(msec(10), cleanRunWithChanges()...)
	h.Stores = accountStores(95, 105)
	r := Accounts{Initial: 100}.Check(h)
	require.Equal(t, OK, r.Verdict, r.Message)

	// Money moved to the wrong account of one bank keeps the total.
	h.Stores = []*sim.Store{sim.NewStore(nil), sim.NewStore(map[string]any{"balance/a": int64(100), "balance/c": int64(95)}), sim.NewStore(map[string]any{"balance/b": int64(105)})}
	r = Accounts{Initial: 100}.Check(h)
	require.Equal(t, Violation, r.Verdict)
	require.Contains(t, r.Message, "participant-1: a ends at 100 but its initial 100 plus the transactions committed here make 95 (+5)")
	require.Equal(t, OK, Conservation{Initial: 300}.Check(h).Verdict, "conservation adds up and cannot see it")
}

// An overdraft a later deposit covers leaves every final balance right
// and the total conserved: only the replay sees it.
func TestAccountsCatchesAnOverdraftRepaidInTime(t *testing.T) {
	h := hist(msec(50),
		obsAt(1, p1, yes("t1", "a", -60)),
		obsAt(1, p2, yes("t1", "b", 60)),
		obsAt(2, p1, yes("t2", "a", -60)),
		obsAt(2, p2, yes("t2", "b", 60)),
		obsAt(3, p1, obs.Decide{Txn: "t1", Commit: true}),
		obsAt(3, p2, obs.Decide{Txn: "t1", Commit: true}),
		obsAt(4, p1, obs.Decide{Txn: "t2", Commit: true}),
		obsAt(4, p2, obs.Decide{Txn: "t2", Commit: true}),
		obsAt(5, p1, yes("t3", "a", 50)),
		obsAt(5, p2, yes("t3", "b", -50)),
		obsAt(6, p1, obs.Decide{Txn: "t3", Commit: true}),
		obsAt(6, p2, obs.Decide{Txn: "t3", Commit: true}),
	)
	h.Stores = accountStores(30, 170)
	r := Accounts{Initial: 100}.Check(h)
	require.Equal(t, Violation, r.Verdict, r.Message)
	require.Contains(t, r.Message, "participant-1: a overdrawn to -20 by t2 committed at 0.004000000")
	require.Equal(t, OK, Conservation{Initial: 200}.Check(h).Verdict, "the final balance is positive and the sum right")
}

// A participant in doubt has not applied its part: the balance it ends
// with is the one before, and that is right.
func TestAccountsCountsOnlyWhatTheParticipantCommitted(t *testing.T) {
	os := cleanRunWithChanges()
	os = append(os[:5], os[6:]...) // participant-2 never decides t1
	h := hist(msec(10), os...)
	h.Stores = accountStores(95, 100)
	r := Accounts{Initial: 100}.Check(h)
	require.Equal(t, OK, r.Verdict, r.Message)
	h.Stores = accountStores(95, 105) // applied without a decision
	require.Equal(t, Violation, Accounts{Initial: 100}.Check(h).Verdict)
}

func cleanRunWithChanges() []sim.Observation {
	os := cleanRun()
	os[1] = obsAt(2, p1, yes("t1", "a", -5))
	os[2] = obsAt(2, p2, yes("t1", "b", 5))
	return os
}
