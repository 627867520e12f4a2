package scenarios

import (
	"testing"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/protocol/twopc"
	"github.com/stretchr/testify/require"
)

// violatedBy runs seeds 1..n of a scenario with a planted bug and counts,
// per checker, the seeds it reported a violation in.
func violatedBy(t *testing.T, name, bug string, n int) map[string]int {
	t.Helper()
	s, err := Get(name)
	require.NoError(t, err)
	counts := map[string]int{}
	for seed := uint64(1); seed <= uint64(n); seed++ {
		out, err := Run(s, Options{Seed: seed, NoTrace: true, Bug: bug})
		require.NoError(t, err)
		for _, r := range out.Results {
			if r.Verdict == checker.Violation {
				counts[r.Checker]++
			}
		}
	}
	return counts
}

// A participant that lets go of its locks once its vote is out lets a
// second transaction prepare against the same balance: isolation sees the
// overlap in nearly every run, and the per-account replay sees overdrafts that
// the sum of all balances (conservation) misses.
func TestIsolationAndAccountsCatchLocksReleasedAtTheVote(t *testing.T) {
	c := violatedBy(t, "2pc-bank-faults", twopc.BugReleaseLocksAtVote, 40)
	require.GreaterOrEqual(t, c["isolation"], 35, "%v", c)
	require.Greater(t, c["accounts"], c["conservation"], "%v", c)
}

// A participant that comes back in doubt without re-taking its locks is
// invisible to every balance check; only isolation sees it.
func TestIsolationCatchesLocksForgottenAcrossARestart(t *testing.T) {
	c := violatedBy(t, "2pc-bank-faults", twopc.BugRecoverWithoutLocks, 40)
	require.Positive(t, c["isolation"], "%v", c)
	require.Zero(t, c["conservation"]+c["atomicity"], "%v", c)
}

func TestCorrectCommitProtocolsKeepIsolationAndAccounts(t *testing.T) {
	for _, name := range []string{"2pc-bank-faults", "paxoscommit-faults"} {
		c := violatedBy(t, name, "", 20)
		require.Zero(t, c["isolation"]+c["accounts"], "%s: %v", name, c)
	}
}
