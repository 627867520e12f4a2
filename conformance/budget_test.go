package conformance

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestBudgetGrowsWithTheCountAskedForAndStaysBounded(t *testing.T) {
	require.Equal(t, budget, budgetFor(5000, defaultChecks, false), "the default count keeps the default budget")
	require.Equal(t, budget, budgetFor(10, defaultChecks, true))
	require.Equal(t, 10*budget, budgetFor(500, defaultChecks, true))
	require.Equal(t, 50*budget, budgetFor(500, 10, true), "a slow test (10 by default) gets time at its own pace")
	require.Equal(t, maxBudget, budgetFor(500, 2, true))
}

func TestSkippedSequencesFailATestWhoseCountWasAskedFor(t *testing.T) {
	spent := &tally{start: time.Now().Add(-time.Hour), budget: time.Minute}
	require.True(t, spent.over())
	require.NoError(t, spent.shortfall(), "by default skipped sequences are only reported")
	spent.asked = true
	require.ErrorContains(t, spent.shortfall(), "1 of the sequences asked for (-rapid.checks or RAPID_CHECKS) were not run")
	fresh := &tally{start: time.Now(), budget: time.Minute, asked: true}
	require.False(t, fresh.over())
	require.NoError(t, fresh.shortfall())
}
