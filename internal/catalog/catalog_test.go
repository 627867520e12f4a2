package catalog_test

import (
	"os"
	"testing"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/internal/catalog"
	"github.com/faultline-sim/faultline/internal/explore"
	"github.com/faultline-sim/faultline/internal/scenariotest"
	"github.com/faultline-sim/faultline/protocol/plant"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/stretchr/testify/require"

	_ "github.com/faultline-sim/faultline/protocol/lockkit/kittest" // the lease box: its scenarios, and its bugs in the catalog
)

func TestTheCatalogHasEveryPlantedBugAndAtLeast24(t *testing.T) {
	require.Empty(t, catalog.Uncatalogued(), "planted bugs without a means to catch them")
	distinct := map[string]bool{}
	for _, e := range catalog.All() {
		distinct[e.Protocol+"/"+e.Bug] = true
		_, err := scenarios.Get(e.Means.Scenario)
		require.NoError(t, err, e.Bug)
		require.Positive(t, e.Means.Budget, e.Bug)
	}
	require.GreaterOrEqual(t, len(distinct), 24)
}

// Every bug is caught by its means within its budget. Each means stops at
// its first catch, so the whole catalog costs about a second; with
// FAULTLINE_CATALOG_FULL set the control below runs each means over its
// whole budget instead of up to the catching seed.
func TestEveryPlantedBugIsCaughtByItsMeansWithinItsBudget(t *testing.T) {
	full := os.Getenv("FAULTLINE_CATALOG_FULL") != ""
	for _, e := range catalog.All() {
		t.Run(e.Protocol+"/"+e.Bug+"/"+string(e.Means.Kind), func(t *testing.T) {
			got, err := e.Catch(0)
			require.NoError(t, err)
			require.True(t, got.Caught, "%s escaped %s", e.Bug, e.Means.Command(e.Bug))
			t.Logf("caught after %d runs (seed %d) by %s", got.Runs, got.Seed, got.Checker)
			// The control: without the bug the same means finds nothing,
			// so it is the bug it catches, not the means that always fires.
			clean := e
			clean.Bug = ""
			spec := scenariotest.Get(t, e.Means.Scenario)
			if e.Means.Unsynced != "" {
				spec.Faults.Unsynced = e.Means.Unsynced
			}
			switch e.Means.Kind {
			case catalog.Runs:
				last := got.Seed
				if full {
					last = uint64(e.Means.Budget)
				}
				for seed := uint64(1); seed <= last; seed++ {
					out, err := scenarios.Run(spec, scenarios.Options{Seed: seed, NoTrace: true})
					require.NoError(t, err)
					require.True(t, out.AsExpected(), "seed %d without the bug: %s", seed, out.Verdict)
				}
			case catalog.CrashPoints:
				res, err := explore.CrashPoints(spec, explore.Options{Seed: 1, RestartAfter: e.Means.RestartAfter, PerKind: e.Means.Budget, Nodes: e.Means.Nodes})
				require.NoError(t, err)
				require.Zero(t, res.Counts[checker.Violation], "crash points without the bug")
			}
		})
	}
}

// A protocol registers its bugs once, and only bugs it plants.
func TestRegisterRefusesWhatTheCodeWouldNotBackUp(t *testing.T) {
	require.PanicsWithValue(t, `catalog: protocol "leasebox" registered twice`, func() { catalog.Register("leasebox", nil) })
	require.PanicsWithValue(t, `catalog: toy has no planted bug "nothing"`, func() {
		catalog.Register("toy", plant.Catalog{{Name: "something"}}, catalog.Catches{Bug: "nothing"})
	})
	for _, e := range catalog.All() {
		require.NotEqual(t, "toy", e.Protocol, "a refused registration leaves nothing behind")
	}
}
