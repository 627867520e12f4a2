package checker

import (
	"strings"
	"sync"
	"testing"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
	"github.com/stretchr/testify/require"
)

// A history of a commit protocol holds no lock facts: the lock checkers
// saw nothing and must say so, not "ok — 0 critical sections".
func TestRunAllReportsNoEvidenceAsUnknown(t *testing.T) {
	h := hist(msec(10), cleanRun()...)
	rs := RunAll(h, []Checker{MutualExclusion{}, Atomicity{}, LostUpdates{}, Takeover{Bound: msec(1)}})
	require.Len(t, rs, 4)
	for _, i := range []int{0, 2, 3} {
		require.Equal(t, Unknown, rs[i].Verdict, rs[i].String())
		require.Contains(t, rs[i].Message, "no evidence")
	}
	require.Equal(t, "mutex", rs[0].Checker)
	require.Equal(t, ClassSafety, rs[0].Class)
	require.Contains(t, rs[0].Message, "cs-enter")
	require.Equal(t, OK, rs[1].Verdict, rs[1].String())
	require.Equal(t, "atomicity", rs[1].Checker)
	require.Equal(t, Unknown, Combine(rs))

	// The same checker with its evidence present judges it.
	enter := func(at int, c int, tok int64) rec {
		return rec{msec(at), sim.NodeID(c), obs.EnterCS{Lock: "l", Token: tok}}
	}
	overlap := history(2, msec(50), nil, enter(10, 0, 1), enter(15, 1, 2))
	rs = RunAll(overlap, []Checker{MutualExclusion{}, MutualExclusion{Fenced: true}})
	require.Equal(t, Violation, rs[0].Verdict, rs[0].String())
	require.Equal(t, OK, rs[1].Verdict, rs[1].String())
	require.True(t, strings.HasPrefix(rs[1].Message, "beliefs overlapped, harmless with fenced storage"), rs[1].Message)
	require.NotEmpty(t, rs[1].Evidence, "the overlaps stay in the evidence")
}

// Every checker names a class and the kinds it needs, and each needed kind
// is one the vocabulary knows.
func TestCheckersDeclareClassAndNeeds(t *testing.T) {
	all := []Checker{Atomicity{}, Conservation{}, Blocking{}, Liveness{}, Ballots{}, LockLinearizable{}, MutualExclusion{},
		LostUpdates{}, StorageSafety{}, Takeover{}, ZKTakeover{}, Progress{}, Inventory{}, RegisterLinearizable{}, RedisLinearizable{}, ZKLinearizable{}}
	for _, c := range all {
		require.Contains(t, []Class{ClassSafety, ClassLiveness, ClassInfo}, c.Class(), c.Name())
		require.NotEmpty(t, c.Needs(), c.Name())
		for _, k := range c.Needs() {
			_, err := obs.Lookup(k)
			require.NoError(t, err, c.Name())
		}
	}
}

// Conservation reads final durable state, not facts: with commit facts but
// no balance anywhere it has nothing to add up.
func TestConservationWithoutBalancesIsUnknown(t *testing.T) {
	h := hist(msec(10), cleanRun()...)
	h.Stores = stores(nil, nil)
	r := RunAll(h, []Checker{Conservation{Initial: 200}})[0]
	require.Equal(t, Unknown, r.Verdict, r.String())
	require.Contains(t, r.Message, "no evidence")

	h.Stores = stores(map[string]any{"balance/a": "ninety-five"}, map[string]any{"balance/b": int64(105)})
	r = RunAll(h, []Checker{Conservation{Initial: 200}})[0]
	require.Equal(t, Violation, r.Verdict, r.String())
	require.Contains(t, r.Evidence[0], `participant-1: sim: durable key "balance/a" holds a string, read as int64`)
}

// RunAll stops looking for fact kinds once it has seen every kind its
// checkers need; a kind recorded only at the very end must still count.
func TestRunAllFindsAKindRecordedLast(t *testing.T) {
	h := hist(msec(10), append(cleanRun(), obsAt(9, p1, obs.EnterCS{Lock: "l", Token: 1}))...)
	rs := RunAll(h, []Checker{Atomicity{}, MutualExclusion{}, LostUpdates{}})
	require.Equal(t, OK, rs[0].Verdict, rs[0].String())
	require.NotContains(t, rs[1].Message, "no evidence", "the critical section at the end is evidence")
	require.Equal(t, Unknown, rs[2].Verdict, "no storage write anywhere: %s", rs[2])
}

// Conservation and Accounts read the balances once per RunAll; a second
// RunAll over changed stores reads them again.
func TestRunAllReadsTheStoresOfEachCall(t *testing.T) {
	h := hist(msec(10), cleanRunWithChanges()...)
	cs := []Checker{Conservation{Initial: 200}, Accounts{Initial: 100}}
	h.Stores = stores(map[string]any{"balance/a": int64(95)}, map[string]any{"balance/b": int64(105)})
	for _, r := range RunAll(h, cs) {
		require.Equal(t, OK, r.Verdict, r.String())
	}
	h.Stores = stores(map[string]any{"balance/a": int64(95)}, map[string]any{"balance/b": int64(106)})
	for _, r := range RunAll(h, cs) {
		require.Equal(t, Violation, r.Verdict, r.String())
	}
}

// RunAll shares views between the checkers of one call through the
// History; calls on one History from several goroutines take turns and
// each gets the whole answer (run with -race to see the sharing is safe).
func TestRunAllOnOneHistoryFromManyGoroutines(t *testing.T) {
	h := hist(msec(10), cleanRunWithChanges()...)
	h.Stores = stores(map[string]any{"balance/a": int64(95)}, map[string]any{"balance/b": int64(106)})
	cs := []Checker{Conservation{Initial: 200}, Accounts{Initial: 100}, Atomicity{}}
	want := RunAll(h, cs)
	require.Equal(t, Violation, want[0].Verdict, want[0].String())
	var wg sync.WaitGroup
	got := make([][]Result, 8)
	for i := range got {
		wg.Go(func() { got[i] = RunAll(h, cs) })
	}
	wg.Wait()
	for _, g := range got {
		require.Equal(t, want, g)
	}
}
