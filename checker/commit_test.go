package checker

import (
	"strings"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
	"github.com/stretchr/testify/require"
)

const (
	coord sim.NodeID = iota
	p1
	p2
)

func msec(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func hist(end time.Duration, os ...sim.Observation) *History {
	return &History{Observations: os, Names: []string{"coordinator", "participant-1", "participant-2"}, End: end, Up: []bool{true, true, true}}
}

func obsAt(t int, n sim.NodeID, f obs.Fact) sim.Observation {
	return sim.Observation{Time: msec(t), Node: n, Data: f}
}

func begin(txn string) obs.Begin {
	return obs.Begin{Txn: txn, Participants: []string{"participant-1", "participant-2"}}
}

// A correct committed and a correct aborted transaction.
func cleanRun() []sim.Observation {
	return []sim.Observation{
		obsAt(1, coord, begin("t1")),
		obsAt(2, p1, obs.Vote{Txn: "t1", Yes: true, Locks: []string{"a"}, Delta: -5}),
		obsAt(2, p2, obs.Vote{Txn: "t1", Yes: true, Locks: []string{"b"}, Delta: 5}),
		obsAt(3, coord, obs.Decide{Txn: "t1", Commit: true}),
		obsAt(4, p1, obs.Decide{Txn: "t1", Commit: true}),
		obsAt(4, p2, obs.Decide{Txn: "t1", Commit: true}),
		obsAt(5, coord, begin("t2")),
		obsAt(6, p1, obs.Vote{Txn: "t2", Yes: false}),
		obsAt(6, p1, obs.Decide{Txn: "t2", Commit: false}),
		obsAt(7, coord, obs.Decide{Txn: "t2", Commit: false}),
	}
}

func TestAtomicityAcceptsAConsistentHistory(t *testing.T) {
	r := Atomicity{}.Check(hist(msec(10), cleanRun()...))
	require.Equal(t, OK, r.Verdict, r.Message)
}

func TestAtomicityCatchesCommitAtOneParticipantAndAbortAtAnother(t *testing.T) {
	h := hist(msec(10),
		obsAt(1, coord, begin("t1")),
		obsAt(2, p1, obs.Vote{Txn: "t1", Yes: true}),
		obsAt(2, p2, obs.Vote{Txn: "t1", Yes: true}),
		obsAt(3, p1, obs.Decide{Txn: "t1", Commit: true}),
		obsAt(4, p2, obs.Decide{Txn: "t1", Commit: false}),
	)
	r := Atomicity{}.Check(h)
	require.Equal(t, Violation, r.Verdict)
	require.Contains(t, r.Evidence[0], "t1 committed at participant-1@0.003000000 but aborted at participant-2@0.004000000")
}

func TestAtomicityCatchesCommitWithoutEveryYesVote(t *testing.T) {
	r := Atomicity{}.Check(hist(msec(10),
		obsAt(1, coord, begin("t1")),
		obsAt(2, p1, obs.Vote{Txn: "t1", Yes: true}),
		obsAt(3, coord, obs.Decide{Txn: "t1", Commit: true}),
	))
	require.Equal(t, Violation, r.Verdict)
	require.Contains(t, strings.Join(r.Evidence, "\n"), "although participant-2 never voted")

	r = Atomicity{}.Check(hist(msec(10),
		obsAt(1, coord, begin("t1")),
		obsAt(2, p1, obs.Vote{Txn: "t1", Yes: true}),
		obsAt(2, p2, obs.Vote{Txn: "t1", Yes: false}),
		obsAt(3, p1, obs.Decide{Txn: "t1", Commit: true}),
	))
	require.Contains(t, strings.Join(r.Evidence, "\n"), "although participant-2 voted no")
}

func TestAtomicityCatchesAChangedDecision(t *testing.T) {
	r := Atomicity{}.Check(hist(msec(10),
		obsAt(3, coord, obs.Decide{Txn: "t1", Commit: false}),
		obsAt(5, coord, obs.Decide{Txn: "t1", Commit: false}), // repeating is fine
		obsAt(8, coord, obs.Decide{Txn: "t1", Commit: true}),
	))
	require.Equal(t, Violation, r.Verdict)
	require.Contains(t, r.Evidence[0], "coordinator decided abort at    0.003000000, then commit at    0.008000000")
}

func stores(p1Bal, p2Bal map[string]any) []*sim.Store {
	return []*sim.Store{sim.NewStore(nil), sim.NewStore(p1Bal), sim.NewStore(p2Bal)}
}

func TestConservationHoldsAndCountsPendingParts(t *testing.T) {
	h := hist(msec(10), cleanRun()...)
	h.Stores = stores(map[string]any{"balance/a": int64(95)}, map[string]any{"balance/b": int64(105)})
	require.Equal(t, OK, Conservation{Initial: 200}.Check(h).Verdict)

	// participant-2 is still in doubt about t1, which committed elsewhere:
	// its +5 is pending, and the books balance.
	os := cleanRun()
	os = append(os[:5], os[6:]...)
	h = hist(msec(10), os...)
	h.Stores = stores(map[string]any{"balance/a": int64(95)}, map[string]any{"balance/b": int64(100)})
	r := Conservation{Initial: 200}.Check(h)
	require.Equal(t, OK, r.Verdict, r.Message)
	require.Contains(t, r.Message, "+5 pending")
}

func TestConservationCatchesCreatedMoneyAndOverdrafts(t *testing.T) {
	h := hist(msec(10), cleanRun()...)
	h.Stores = stores(map[string]any{"balance/a": int64(100)}, map[string]any{"balance/b": int64(105)})
	r := Conservation{Initial: 200}.Check(h)
	require.Equal(t, Violation, r.Verdict)
	require.Contains(t, r.Message, "+5 appeared")

	h.Stores = stores(map[string]any{"balance/a": int64(-5)}, map[string]any{"balance/b": int64(205)})
	r = Conservation{Initial: 200}.Check(h)
	require.Equal(t, Violation, r.Verdict)
	require.Contains(t, r.Message, "participant-1: a is negative (-5)")
}

func TestBlockingReportsWhoWhatHowLongAndLocks(t *testing.T) {
	h := hist(msec(1000),
		obsAt(1, coord, begin("t1")),
		obsAt(2, p1, obs.Vote{Txn: "t1", Yes: true, Locks: []string{"a"}}),
		obsAt(3, p2, obs.Vote{Txn: "t1", Yes: true, Locks: []string{"b", "c"}}),
		obsAt(990, p1, obs.Vote{Txn: "t9", Yes: true, Locks: []string{"z"}}), // in flight, not blocked
	)
	r := Blocking{MinFor: msec(100)}.Check(h)
	require.Equal(t, Blocked, r.Verdict)
	require.Equal(t, []Stuck{
		{Node: "participant-1", Txn: "t1", Since: msec(2), For: msec(998), Locks: []string{"a"}, Up: true},
		{Node: "participant-2", Txn: "t1", Since: msec(3), For: msec(997), Locks: []string{"b", "c"}, Up: true},
	}, r.Stuck)

	h.Up = []bool{true, false, false}
	r = Blocking{MinFor: msec(100)}.Check(h)
	require.Equal(t, OK, r.Verdict, "crashed nodes are not waiting")
	require.Len(t, r.Stuck, 2)

	require.Equal(t, OK, Blocking{MinFor: 0}.Check(hist(msec(10), cleanRun()...)).Verdict)
}

func TestLivenessNeedsEveryYesVoterDecidedByTheDeadline(t *testing.T) {
	require.Equal(t, OK, Liveness{HealAt: msec(5), Bound: msec(10)}.Check(hist(msec(10), cleanRun()...)).Verdict)

	os := append(cleanRun()[:5], obsAt(50, p2, obs.Decide{Txn: "t1", Commit: true}))
	r := Liveness{HealAt: msec(5), Bound: msec(10)}.Check(hist(msec(60), os...))
	require.Equal(t, Violation, r.Verdict)
	require.Contains(t, r.Message, "participant-2 decided t1 only at 0.050000000")

	r = Liveness{HealAt: msec(5), Bound: msec(10)}.Check(hist(msec(60), cleanRun()[:5]...))
	require.Contains(t, r.Message, "participant-2 never decided t1")
}

func TestCheckersNeverPanicOnOddHistories(t *testing.T) {
	odd := hist(msec(1),
		sim.Observation{Node: 99, Data: obs.Decide{Txn: "", Commit: true}},
		sim.Observation{Node: -1, Data: obs.Vote{Txn: "x", Yes: true}},
		sim.Observation{Node: p1, Data: obs.Submit{Txn: "y"}},
	)
	odd.Stores = []*sim.Store{nil, sim.NewStore(map[string]any{"balance/q": "not a number"})}
	require.NotPanics(t, func() {
		Atomicity{}.Check(odd)
		Conservation{Initial: 0}.Check(odd)
		Blocking{MinFor: 0}.Check(odd)
		Liveness{HealAt: 0, Bound: 0}.Check(odd)
	})
	require.Equal(t, Violation, Conservation{Initial: 0}.Check(odd).Verdict)
}

func TestCombinePicksTheWorstVerdict(t *testing.T) {
	require.Equal(t, OK, Combine(nil))
	require.Equal(t, Blocked, Combine([]Result{{Verdict: OK}, {Verdict: Blocked}, {Verdict: Unknown}}))
	require.Equal(t, Violation, Combine([]Result{{Verdict: Violation}, {Verdict: Blocked}}))
}
