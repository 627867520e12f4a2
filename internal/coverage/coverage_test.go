package coverage

import (
	"testing"

	"github.com/faultline-sim/faultline/internal/scenariotest"
	"github.com/stretchr/testify/require"
)

// The scripted 2PC blocking case never decides the in-doubt transaction;
// the random family does, and has participants vote no. The counts and
// what is missing say so.
func TestCollectCountsFactsValuesAndMessages(t *testing.T) {
	s := scenariotest.Get(t, "2pc-coordinator-crash")
	tl, err := Collect(s, Options{From: 1, To: 2})
	require.NoError(t, err)
	require.Equal(t, "2pc", tl.Protocol)
	require.Equal(t, 2, tl.Runs)
	require.Positive(t, tl.Facts["vote"])
	require.Positive(t, tl.Values["vote yes=true"])
	require.Positive(t, tl.Messages["txn.Prepare"])
	require.Positive(t, tl.Messages["twopc.Inquiry"], "uncertain participants keep asking")
	require.Zero(t, tl.Messages["no.Such"])

	u, err := UniverseOf("2pc", 2)
	require.NoError(t, err)
	require.Contains(t, u.Scenarios, "2pc-bank-faults")
	require.Contains(t, u.Values, "decide via=termination", "every declared value of a recorded kind")
	facts, values, messages := tl.Missing(u)
	require.NotContains(t, facts, "vote")
	require.Contains(t, values, "decide via=presumed-abort")
	require.NotContains(t, values, "vote yes=true")
	require.NotContains(t, messages, "txn.Prepare")
}

// In redis-lock-faults extends do fail: a client leaves its critical
// section because check-and-extend found its key gone — what no scripted
// Redis scenario does.
func TestRedisLockFaultsFailsExtends(t *testing.T) {
	s := scenariotest.Get(t, "redis-lock-faults")
	tl, err := Collect(s, Options{From: 1, To: 30})
	require.NoError(t, err)
	require.Positive(t, tl.Values["cs-leave why=lost"], "%v", tl.Values)

	scripted := scenariotest.Get(t, "redis-lock")
	tl, err = Collect(scripted, Options{From: 1, To: 30})
	require.NoError(t, err)
	require.Zero(t, tl.Values["cs-leave why=lost"])
}

func TestCollectRejectsAnEmptyRange(t *testing.T) {
	s := scenariotest.Get(t, "2pc-bank")
	_, err := Collect(s, Options{From: 5, To: 4})
	require.ErrorContains(t, err, "seed range 5-4 is empty")
}
