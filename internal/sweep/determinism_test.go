package sweep

import (
	"strconv"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/internal/scenariotest"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/sim"
	"github.com/stretchr/testify/require"
)

func TestDeterminismSeedsArePickedFromTheRange(t *testing.T) {
	seedOf := func(k int) uint64 { return 100 + 3*uint64(k) } // a shard's share
	a := DeterminismSeeds(100, 1000, 300, 5, seedOf)
	require.Equal(t, a, DeterminismSeeds(100, 1000, 300, 5, seedOf), "the same range picks the same seeds")
	require.Len(t, a, 5)
	for i, s := range a {
		require.True(t, s >= 100 && s < 1000 && (s-100)%3 == 0, "seed %d is not in the share", s)
		if i > 0 {
			require.Greater(t, s, a[i-1], "ascending and distinct")
		}
	}
	require.NotEqual(t, a, DeterminismSeeds(101, 1000, 300, 5, seedOf), "another range picks others")
	require.Equal(t, []uint64{100, 103, 106}, DeterminismSeeds(100, 108, 3, 10, seedOf), "k >= n: every seed")
	require.Empty(t, DeterminismSeeds(100, 108, 3, 0, seedOf))
}

func TestSweepRowsCarryTraceHashesAndReruns(t *testing.T) {
	spec := scenariotest.Get(t, "2pc-bank-faults")
	res, all := rows(t, spec, Options{From: 1, To: 30, Workers: 2, CheckDeterminism: 4})
	for _, r := range all {
		out, err := scenarios.Run(spec, scenarios.Options{Seed: r.Seed})
		require.NoError(t, err)
		require.Equal(t, out.TraceHash, r.TraceHash, "seed %d: the row's hash is the traced run's", r.Seed)
	}
	require.Len(t, res.Reruns, 4)
	want := DeterminismSeeds(1, 30, 30, 4, func(k int) uint64 { return uint64(k) + 1 })
	for i, x := range res.Reruns {
		require.Equal(t, want[i], x.Seed)
		require.True(t, x.Same(), "seed %d", x.Seed)
		require.Len(t, x.SweepHash, 16)
	}
	_, differ := res.Differing()
	require.False(t, differ)
}

// mapOrder is a system with a planted nondeterminism: its node sends one
// message per entry of a map, in Go's map iteration order, which changes
// from one range statement to the next, so the same seed gives another
// trace.
type mapOrder struct{}

func (mapOrder) Protocol() string                           { return "map-order" }
func (mapOrder) PlantedBugs() []string                      { return nil }
func (s mapOrder) WithBug(string) (scenarios.System, error) { return s, nil }
func (mapOrder) Validate() error                            { return nil }
func (mapOrder) Checkers(*scenarios.Spec) []checker.Checker { return nil }
func (mapOrder) Build(w *sim.World, seed uint64) error {
	w.AddNode("sender", func() sim.Node { return &mapSender{} })
	w.AddNode("sink", func() sim.Node { return &mapSender{} })
	return nil
}

type mapSender struct{}

type numbered struct{ N int }

func (m numbered) String() string { return "n" + strconv.Itoa(m.N) }

func (mapSender) Start(env *sim.Env) {
	if env.Name() != "sender" {
		return
	}
	to, _ := env.Lookup("sink")
	targets := map[int]bool{}
	for i := range 8 {
		targets[i] = true
	}
	for n := range targets { // the planted bug: map order reaches the event order
		env.Send(to, numbered{n})
	}
}
func (mapSender) Receive(*sim.Env, sim.NodeID, sim.Message) {}
func (mapSender) Timer(*sim.Env, any)                       {}

func TestCheckDeterminismCatchesMapOrderInTheEvents(t *testing.T) {
	spec := scenarios.Spec{Name: "map-order", System: mapOrder{}, MaxTime: time.Second}
	res, err := Sweep(spec, Options{From: 1, To: 50, Workers: 2, CheckDeterminism: 10})
	require.NoError(t, err)
	require.Len(t, res.Reruns, 10)
	x, differ := res.Differing()
	require.True(t, differ, "eight sends in map order: a rerun should order them differently")
	require.Len(t, x.SweepHash, 16)
	require.Len(t, x.RerunHash, 16)
	require.NotEqual(t, x.SweepHash, x.RerunHash)
	require.Contains(t, DeterminismSeeds(1, 50, 50, 10, func(k int) uint64 { return uint64(k) + 1 }), x.Seed)
}
