package twopc_test

import (
	"strings"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/internal/scenariotest"
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/sim"
	"github.com/stretchr/testify/require"
)

func result(o *scenarios.Outcome, name string) checker.Result {
	for _, r := range o.Results {
		if r.Checker == name {
			return r
		}
	}
	return checker.Result{}
}

// facts returns the observations of one kind, in order, with their nodes.
func facts[F obs.Fact](o *scenarios.Outcome) (out []F, nodes []string) {
	for _, ob := range o.History.Observations {
		if f, ok := ob.Data.(F); ok {
			out = append(out, f)
			nodes = append(nodes, o.History.Names[ob.Node])
		}
	}
	return out, nodes
}

// The article: "either all operations succeed (commit) or none are
// applied", and without faults every transfer gets decided.
func TestWithoutFaultsEveryTransferIsDecidedAndMoneyIsConserved(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		o := scenariotest.Run(t, "2pc-bank", seed)
		require.Equal(t, checker.OK, o.Verdict, "seed %d: %v", seed, o.Results)
		require.Equal(t, sim.StopQuiescent, o.Stop, "a fault-free run ends with nothing left to do")
		submits, _ := facts[obs.Submit](o)
		outcomes, _ := facts[obs.Outcome](o)
		require.Len(t, submits, 100)
		require.Len(t, outcomes, 100, "every client hears back")
		commits := 0
		for _, oc := range outcomes {
			if oc.Commit {
				commits++
			}
		}
		require.Greater(t, commits, 50, "most transfers commit")
		require.Less(t, commits, 100, "some are refused (funds, lock conflicts)")
	}
}

// The article: "If the coordinator fails after participants have prepared
// but before sending commit/abort, participants remain blocked
// indefinitely" — holding their locks.
func TestCoordinatorCrashAfterAllYesVotesBlocksTheParticipants(t *testing.T) {
	o := scenariotest.Run(t, "2pc-coordinator-crash", 1)
	require.Equal(t, checker.Blocked, o.Verdict)
	require.Equal(t, checker.OK, result(o, "atomicity").Verdict)
	require.Equal(t, checker.OK, result(o, "conservation").Verdict)

	votesIn, _ := facts[obs.VotesIn](o)
	require.Len(t, votesIn, 1, "the coordinator crashed at the first all-yes")
	crashed := votesIn[0].Txn
	begins, _ := facts[obs.Begin](o)
	var parts []string
	for _, b := range begins {
		if b.Txn == crashed {
			parts = b.Participants
		}
	}
	stuck := result(o, "blocking").Stuck
	var stuckOn []string
	for _, s := range stuck {
		require.Equal(t, crashed, s.Txn)
		require.NotEmpty(t, s.Locks, "an uncertain participant holds its locks")
		require.Greater(t, s.For, 2*time.Second)
		stuckOn = append(stuckOn, s.Node)
	}
	require.ElementsMatch(t, parts, stuckOn, "exactly the transaction's participants are stuck")
	decides, _ := facts[obs.Decide](o)
	for _, d := range decides {
		require.NotEqual(t, crashed, d.Txn, "nobody decides the transaction")
	}
}

// Presumed abort: the restarted coordinator has no decision record for the
// transaction, so the participants asking about it are told to abort.
func TestRestartedCoordinatorResolvesTheBlockedParticipants(t *testing.T) {
	o := scenariotest.Run(t, "2pc-coordinator-crash-restart", 1)
	require.Equal(t, checker.OK, o.Verdict, "%v", o.Results)
	votesIn, _ := facts[obs.VotesIn](o)
	crashed := votesIn[0].Txn
	decides, nodes := facts[obs.Decide](o)
	var got []string
	for i, d := range decides {
		if d.Txn == crashed {
			require.False(t, d.Commit)
			got = append(got, nodes[i]+" via "+string(d.Via))
		}
	}
	require.Contains(t, got, "coordinator via presumed-abort")
	require.Len(t, got, 3, "the coordinator and both participants decide: %v", got)
}

// The same seed gives the same run; the trace hash proves it.
func TestSameSeedSameTraceHash(t *testing.T) {
	for _, name := range []string{"2pc-bank-faults", "2pc-coordinator-crash"} {
		a, b := scenariotest.Run(t, name, 42), scenariotest.Run(t, name, 42)
		require.Equal(t, a.TraceHash, b.TraceHash)
		require.Equal(t, a.Trace.Lines(), b.Trace.Lines())
		require.NotEqual(t, a.TraceHash, scenariotest.Run(t, name, 43).TraceHash)
	}
}

// The fault plan comes from its own stream: a scenario with and without
// random faults submits the very same transfers.
func TestFaultsDoNotReshuffleTheWorkload(t *testing.T) {
	quiet, noisy := scenariotest.Run(t, "2pc-bank", 9), scenariotest.Run(t, "2pc-bank-faults", 9)
	require.NotEmpty(t, noisy.Schedule.Actions)
	submitTimes := func(o *scenarios.Outcome) []string {
		var out []string
		for _, ob := range o.History.Observations {
			if s, ok := ob.Data.(obs.Submit); ok {
				out = append(out, s.Txn+"@"+sim.FormatTime(ob.Time))
			}
		}
		return out
	}
	require.Equal(t, submitTimes(quiet), submitTimes(noisy))
}

func TestPlantedBugsAreRefusedByNameWhenUnknown(t *testing.T) {
	s := scenariotest.Get(t, "2pc-bank")
	_, err := scenarios.Run(s, scenarios.Options{Seed: 1, Bug: "no-such-bug"})
	require.ErrorContains(t, err, `2pc has no planted bug "no-such-bug"`)
	require.True(t, strings.Contains(err.Error(), "commit-on-partial-votes"))
}
