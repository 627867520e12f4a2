package scenarios

import (
	"testing"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/protocol/lockmgr"
	"github.com/faultline-sim/faultline/protocol/optimistic"
	"github.com/faultline-sim/faultline/protocol/paxoscommit"
	"github.com/faultline-sim/faultline/protocol/zklock"
	"github.com/stretchr/testify/require"
)

// Each checker below is proved by the one mistake it is there to see: a
// planted bug or a scripted fault at scenario level, caught by that
// checker by name, while the same run without the mistake passes it.

// verdictOf is the verdict of the checker named name in out.
func verdictOf(t *testing.T, out *Outcome, name string) checker.Result {
	t.Helper()
	for _, r := range out.Results {
		if r.Checker == name {
			return r
		}
	}
	t.Fatalf("%s has no %s checker: %v", out.Scenario, name, out.Results)
	return checker.Result{}
}

// firstCaught runs seeds 1..n of a scenario with a planted bug and returns
// the first seed whose run the named checker finds a violation in.
func firstCaught(t *testing.T, scenario, bug, name string, n uint64) uint64 {
	t.Helper()
	for seed := uint64(1); seed <= n; seed++ {
		out := run(t, scenario, Options{Seed: seed, NoTrace: true, Bug: bug})
		if r := verdictOf(t, out, name); r.Verdict == checker.Violation {
			t.Logf("seed %d: %s", seed, r.Message)
			return seed
		}
	}
	t.Fatalf("%s with %s: %s found nothing in %d seeds", scenario, bug, name, n)
	return 0
}

// An acceptor that forgets what it accepted lets a later ballot choose a
// different value for an instance that already chose one: the ballots
// checker, which compares every instance's chosen values, sees it.
func TestBallotsCatchAnAcceptorThatForgetsWhatItAccepted(t *testing.T) {
	const sc = "paxoscommit-acceptor-faults"
	seed := firstCaught(t, sc, paxoscommit.BugForgetAccepted, checker.Ballots{}.Name(), 200)
	out := run(t, sc, Options{Seed: seed, NoTrace: true})
	require.NotEqual(t, checker.Violation, verdictOf(t, out, checker.Ballots{}.Name()).Verdict, "seed %d without the bug", seed)
}

// A store that ignores the version of a compare-and-set oversells: the
// inventory checker sees stock go below zero or sales not add up.
func TestInventoryCatchesAStoreThatIgnoresVersions(t *testing.T) {
	const sc = "optimistic-inventory"
	seed := firstCaught(t, sc, optimistic.BugIgnoreVersion, checker.Inventory{}.Name(), 20)
	out := run(t, sc, Options{Seed: seed, NoTrace: true})
	require.Equal(t, checker.OK, verdictOf(t, out, checker.Inventory{}.Name()).Verdict)
}

// withTrigger is a scenario's run under a schedule of one trigger: when
// client-1 enters its critical section, do the actions.
func withTrigger(t *testing.T, scenario string, do ...faults.Action) *Outcome {
	t.Helper()
	plan := faults.Schedule{Triggers: []faults.Trigger{{On: "cs-enter", Node: "client-1", Do: do}}}
	return run(t, scenario, Options{Seed: 1, NoTrace: true, Schedule: &plan})
}

// The lock manager frees a crashed holder's lock when its lease runs out
// on the manager's clock. If that clock jumps back just after the crash,
// the lease outlives its TTL in true time and the next client waits past
// the takeover bound: takeover sees it; mutual exclusion does not suffer.
func TestTakeoverCatchesALeaseHeldPastItsTime(t *testing.T) {
	crash := faults.Action{Kind: faults.Crash, Node: "client-1"}
	name := checker.Takeover{}.Name()
	out := withTrigger(t, "lockmgr-crash", crash)
	require.Equal(t, checker.OK, verdictOf(t, out, name).Verdict, "the crash alone is taken over in time")
	out = withTrigger(t, "lockmgr-crash", crash,
		faults.Action{Kind: faults.ClockJump, Node: lockmgr.ManagerName, Duration: faults.Duration(-300 * time.Millisecond)})
	r := verdictOf(t, out, name)
	require.Equal(t, checker.Violation, r.Verdict, "%s", r)
	require.Contains(t, r.Message, "client-1 crashed holding lock-1")
	require.Equal(t, checker.OK, verdictOf(t, out, checker.MutualExclusion{}.Name()).Verdict)
}

// The ZooKeeper recipe hands a crashed holder's lock on when the server
// expires its session and the next waiter's watch fires. With the
// server's messages to the waiters slowed past the session timeout, the
// server makes client-2 the holder but client-2 never learns it: the
// ZooKeeper takeover checker (ZKTakeover, named "takeover" like the
// lease one), judging by the server's own holder record, sees it.
func TestZKTakeoverCatchesAHolderThatNeverLearnsIt(t *testing.T) {
	const sc = "zk-lock-partition"
	s, err := Get(sc)
	require.NoError(t, err)
	var zk checker.Checker
	for _, c := range s.System.Checkers(&s) {
		if _, ok := c.(checker.ZKTakeover); ok {
			zk = c
		}
	}
	require.NotNil(t, zk, "%s judges takeover with ZKTakeover", sc)
	crash := faults.Action{Kind: faults.Crash, Node: "client-1"}
	out := withTrigger(t, sc, crash)
	require.Equal(t, checker.OK, verdictOf(t, out, zk.Name()).Verdict, "the crash alone is handed on in time")
	slow := faults.Action{Kind: faults.SetLink, From: []string{zklock.ServerName}, To: []string{"client-2", "client-3"},
		Link: &faults.LinkSpec{Latency: faults.Duration(150 * time.Millisecond)}}
	out = withTrigger(t, sc, crash, slow)
	r := verdictOf(t, out, zk.Name())
	require.Equal(t, checker.Violation, r.Verdict, "%s", r)
	require.Contains(t, r.Message, "the server made client-2 (token 5) the holder")
}

// Two clients taking two locks in opposite order deadlock; with neither
// cycle detection nor a wait timeout, and leases long enough (10 s) that
// their expiry does not break it either, nothing ends it within the run:
// progress finds both clients blocked, where the manager with detection (the
// scenario as registered) finishes every job.
func TestProgressCatchesADeadlockNobodyBreaks(t *testing.T) {
	const sc = "lockmgr-deadlock"
	name := checker.Progress{}.Name()
	out := run(t, sc, Options{Seed: 1, NoTrace: true})
	require.Equal(t, checker.OK, verdictOf(t, out, name).Verdict)
	s, err := Get(sc)
	require.NoError(t, err)
	sys := s.System.(Locks)
	m := sys.Lock.(lockmgr.Config)
	m.DetectDeadlocks, m.WaitTimeout, m.TTL = false, 0, 10*time.Second
	sys.Lock = m
	s.System = sys
	out, err = Run(s, Options{Seed: 1, NoTrace: true})
	require.NoError(t, err)
	r := verdictOf(t, out, name)
	require.Equal(t, checker.Blocked, r.Verdict, "%s", r)
	require.Contains(t, r.Message, "2 lock requests waited longer than 500ms")
}
