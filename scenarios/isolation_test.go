package scenarios

import (
	"testing"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/obs"
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

// The scenarios added for coverage reach what they were added for: a
// peer aborting a transaction it never voted on, a critical section left
// on a suspended connection, a master demoted to replica.
func TestCoverageGapScenariosReachTheirMechanism(t *testing.T) {
	for _, c := range []struct{ scenario, kind, attr, value string }{
		{"2pc-coop-faults", "decide", "via", "unilateral"},
		{"zk-lock-suspend-faults", "cs-leave", "why", "suspended"},
		{"redis-failover-faults", "redis-role", "role", "replica"},
	} {
		s, err := Get(c.scenario)
		require.NoError(t, err)
		found := false
		for seed := uint64(1); seed <= 100 && !found; seed++ {
			out, err := Run(s, Options{Seed: seed, NoTrace: true})
			require.NoError(t, err)
			for _, o := range out.History.Observations {
				if f, ok := o.Data.(obs.Fact); ok && f.Kind() == c.kind {
					if v, _ := obs.AttrOf(f, c.attr); v == c.value {
						found = true
					}
				}
			}
		}
		require.True(t, found, "%s: no %s %s=%s in seeds 1-100", c.scenario, c.kind, c.attr, c.value)
	}
}
