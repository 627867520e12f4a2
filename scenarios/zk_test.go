package scenarios

import (
	"strings"
	"testing"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/zklock"
	"github.com/stretchr/testify/require"
)

var zkScenarios = []string{"zk-lock-partition", "zk-lock-fenced", "zk-lock-faults", "zk-lock-fenced-faults", "lockmgr-pause", "lockmgr-fenced"}

func resultOf(out *Outcome, name string) checker.Result {
	for _, r := range out.Results {
		if r.Checker == name {
			return r
		}
	}
	return checker.Result{}
}

func fencedOff(out *Outcome) int {
	n := 0
	for _, o := range out.History.Observations {
		if w, ok := o.Data.(obs.StorageWrite); ok && w.Rejected {
			n++
		}
	}
	return n
}

// Z1: the cut-off holder's write lands while the server holds the lock for
// the next client; the evidence names both clients and the moment.
func TestZKPartitionCorruptsUnfencedStorageWithEvidence(t *testing.T) {
	out := run(t, "zk-lock-partition", Options{Seed: 1})
	require.Equal(t, checker.Violation, out.Verdict)
	st := resultOf(out, "storage")
	require.Equal(t, checker.Violation, st.Verdict)
	require.Contains(t, st.Evidence[0], "storage accepted a write by client-1")
	require.Contains(t, st.Evidence[0], "held the lock for client-2")
	mx := resultOf(out, "mutex")
	require.Equal(t, checker.Violation, mx.Verdict)
	require.Contains(t, mx.Evidence[0], "client-2 (token")
	require.Contains(t, mx.Evidence[0], "while client-1 (token")
	require.Equal(t, checker.Violation, resultOf(out, "lost-updates").Verdict)
	// The server itself was correct: its history is linearizable.
	require.Equal(t, checker.OK, resultOf(out, "zk-linear").Verdict)
}

// The same faults against fenced storage: the stale write is refused.
func TestFencingRefusesTheStaleWrite(t *testing.T) {
	for _, name := range []string{"zk-lock-fenced", "lockmgr-fenced"} {
		out := run(t, name, Options{Seed: 1})
		require.Equal(t, checker.OK, out.Verdict, "%s: %v", name, out.Results)
		require.Equal(t, 1, fencedOff(out), name)
		require.Contains(t, resultOf(out, "mutex").Message, "harmless with fenced storage", name)
	}
	out := run(t, "lockmgr-pause", Options{Seed: 1})
	require.Equal(t, checker.Violation, resultOf(out, "storage").Verdict)
	require.Zero(t, fencedOff(out))
}

func TestZKScenariosOverManySeeds(t *testing.T) {
	seeds := uint64(300)
	if testing.Short() {
		seeds = 30
	}
	for _, name := range []string{"zk-lock-partition", "zk-lock-fenced", "zk-lock-fenced-faults", "lockmgr-pause", "lockmgr-fenced"} {
		for seed := uint64(1); seed <= seeds; seed++ {
			out := run(t, name, Options{Seed: seed, NoTrace: true})
			if out.Verdict != out.Expect {
				t.Fatalf("%s seed %d: %s, want %s: %v", name, seed, out.Verdict, out.Expect, out.Results)
			}
		}
	}
}

// Random search finds Z1-style damage on unfenced storage, and only
// through the checkers that judge beliefs and storage: the server stays
// linearizable and live.
func TestZKFaultsViolationsAreAboutBeliefsAndStorage(t *testing.T) {
	found := 0
	for seed := uint64(1); seed <= 200; seed++ {
		out := run(t, "zk-lock-faults", Options{Seed: seed, NoTrace: true})
		for _, r := range out.Results {
			switch r.Checker {
			case "mutex", "storage", "lost-updates":
			default:
				require.NotEqual(t, checker.Violation, r.Verdict, "seed %d: %s", seed, r)
			}
		}
		if out.Verdict == checker.Violation {
			found++
		}
	}
	require.Positive(t, found)
}

func TestZKScenariosAreDeterministic(t *testing.T) {
	for _, name := range zkScenarios {
		a := run(t, name, Options{Seed: 5})
		b := run(t, name, Options{Seed: 5})
		require.NotEmpty(t, a.TraceHash)
		require.Equal(t, a.TraceHash, b.TraceHash, name)
	}
}

// Curator's advice, leaving the critical section when the connection is
// suspended, saves unfenced storage from a holder cut off from ZooKeeper:
// it notices before its session can expire. It cannot save it from a
// pause: the paused client notices nothing until it runs again, and in the
// meantime it still believes it holds the lock.
func TestLeaveOnSuspendHelpsWithPartitionsNotPauses(t *testing.T) {
	s, err := Get("zk-lock-partition")
	require.NoError(t, err)
	sys := s.System.(Locks)
	c := sys.Lock.(zklock.Config)
	c.LeaveOnSuspend = true
	sys.Lock = c
	s.System = sys
	out, err := Run(s, Options{Seed: 1})
	require.NoError(t, err)
	require.Equal(t, checker.OK, out.Verdict, "%v", out.Results)
	var why []string
	for _, o := range out.History.Observations {
		if l, ok := o.Data.(obs.LeaveCS); ok && out.History.Names[o.Node] == "client-1" {
			why = append(why, string(l.Why))
		}
	}
	require.Equal(t, "suspended", why[0])

	pause, err := Get("lockmgr-pause") // the holder pauses 300ms as it enters
	require.NoError(t, err)
	s.Faults = pause.Faults
	out, err = Run(s, Options{Seed: 1})
	require.NoError(t, err)
	require.Equal(t, checker.Violation, resultOf(out, "mutex").Verdict)
	require.Equal(t, checker.OK, resultOf(out, "storage").Verdict, "it checks the connection before writing")
}

func TestZKUnknownBugIsAnInputError(t *testing.T) {
	s, _ := Get("zk-lock-faults")
	_, err := Run(s, Options{Seed: 1, Bug: "grant-held"})
	require.Error(t, err)
	require.True(t, strings.Contains(err.Error(), zklock.BugNoGUID))
}
