package sweep

import (
	"sort"
	"sync/atomic"
	"testing"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/internal/scenariotest"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/stretchr/testify/require"
)

func TestParseRange(t *testing.T) {
	from, to, err := ParseRange("1-10000")
	require.NoError(t, err)
	require.Equal(t, [2]uint64{1, 10000}, [2]uint64{from, to})
	from, to, err = ParseRange("7")
	require.NoError(t, err)
	require.Equal(t, [2]uint64{7, 7}, [2]uint64{from, to})
	for in, want := range map[string]string{
		"9-1":          "start 9 is after end 1",
		"a-5":          `"a" is not a non-negative integer`,
		"1-":           `"" is not a non-negative integer`,
		"-3":           `"" is not a non-negative integer`,
		"":             "bad seed range",
		"1-1000000000": "more than",
	} {
		_, _, err := ParseRange(in)
		require.ErrorContains(t, err, want, in)
	}
	i, n, err := ParseShard("2/5")
	require.NoError(t, err)
	require.Equal(t, [2]int{2, 5}, [2]int{i, n})
	for in, want := range map[string]string{"5/5": "from 0 to 4", "-1/3": "from 0 to 2", "1/0": "at least 1", "1": "want i/n", "a/2": "want i/n"} {
		_, _, err := ParseShard(in)
		require.ErrorContains(t, err, want, in)
	}
}

// rows sweeps and collects every run through Options.Rows.
func rows(t *testing.T, spec scenarios.Spec, o Options) (*Result, []Run) {
	t.Helper()
	var all []Run
	o.Rows = func(r Run) { all = append(all, r) }
	res, err := Sweep(spec, o)
	require.NoError(t, err)
	return res, all
}

func TestResultsAreTheSameForAnyWorkerCount(t *testing.T) {
	spec := scenariotest.Get(t, "2pc-bank-faults")
	for _, bug := range []string{"", "commit-on-partial-votes"} {
		one, oneRows := rows(t, spec, Options{From: 1, To: 40, Workers: 1, Bug: bug})
		two, twoRows := rows(t, spec, Options{From: 1, To: 40, Workers: 2, Bug: bug})
		require.Equal(t, oneRows, twoRows)
		require.Equal(t, one, two)
		require.Equal(t, 40, one.Total)
		require.Len(t, oneRows, 40)
		for i, r := range oneRows {
			require.Equal(t, uint64(i+1), r.Seed) // rows come in seed order
		}
	}
}

// A result keeps counts for every run but only the lowest Keep seeds of
// each failing verdict, whatever the order the workers finish in.
func TestResultKeepsCountsAndTheFirstFailures(t *testing.T) {
	spec := scenariotest.Get(t, "2pc-bank-faults")
	res, all := rows(t, spec, Options{From: 1, To: 60, Workers: 2, Bug: "commit-on-partial-votes", Keep: 3, Verify: -1})
	var violations []uint64
	for _, r := range all {
		if r.Verdict == checker.Violation {
			violations = append(violations, r.Seed)
		}
	}
	require.Greater(t, len(violations), 3)
	require.Equal(t, len(violations), res.Counts[checker.Violation])
	require.Equal(t, violations[:3], res.Seeds(checker.Violation, 0))
	run, ok := res.Run(violations[1])
	require.True(t, ok)
	require.Equal(t, all[violations[1]-1], run)
	_, ok = res.Run(violations[3])
	require.False(t, ok, "a fourth failure is counted, not kept")
}

// The shards' shares cover the range once, and together give the
// counts of the whole sweep.
func TestShardsCoverTheRangeOnce(t *testing.T) {
	spec := scenariotest.Get(t, "2pc-bank-faults")
	whole, wholeRows := rows(t, spec, Options{From: 5, To: 41, Bug: "commit-on-partial-votes", Verify: -1})
	var joined []Run
	counts := map[checker.Verdict]int{}
	for i := 0; i < 3; i++ {
		part, partRows := rows(t, spec, Options{From: 5, To: 41, Shard: i, Shards: 3, Bug: "commit-on-partial-votes", Verify: -1})
		for _, r := range partRows {
			require.Equal(t, uint64(i), (r.Seed-5)%3, "seed %d in shard %d", r.Seed, i)
		}
		require.Equal(t, len(partRows), part.Total)
		joined = append(joined, partRows...)
		for v, c := range part.Counts {
			counts[v] += c
		}
	}
	sort.Slice(joined, func(a, b int) bool { return joined[a].Seed < joined[b].Seed })
	require.Equal(t, wholeRows, joined)
	require.Equal(t, whole.Counts, counts)
	_, err := Sweep(spec, Options{From: 1, To: 5, Shard: 3, Shards: 3})
	require.ErrorContains(t, err, "from 0 to 2")
}

func TestReportedFailuresAreReplayedAndDeterministic(t *testing.T) {
	spec := scenariotest.Get(t, "2pc-bank-faults")
	res, err := Sweep(spec, Options{From: 1, To: 30, Bug: "commit-on-partial-votes", Verify: 3})
	require.NoError(t, err)
	require.Greater(t, res.Counts[checker.Violation], 3)
	require.Len(t, res.Checks, 3)
	for _, c := range res.Checks {
		require.True(t, c.Reproduced, "seed %d", c.Seed)
		require.True(t, c.Deterministic, "seed %d", c.Seed)
		require.Len(t, c.TraceHash, 16)
	}
	require.Equal(t, res.Seeds(checker.Violation, 3), []uint64{res.Checks[0].Seed, res.Checks[1].Seed, res.Checks[2].Seed})
	require.Positive(t, res.ByChecker["atomicity"])
}

func TestBadInputIsAnErrorBeforeAnyRun(t *testing.T) {
	spec := scenariotest.Get(t, "2pc-bank")
	_, err := Sweep(spec, Options{From: 1, To: 5, Bug: "nope"})
	require.ErrorContains(t, err, `no planted bug "nope"`)
	_, err = Sweep(spec, Options{From: 5, To: 1})
	require.Error(t, err)
}

// A stopped sweep covers a prefix of its range, every seed of it run, and
// says so; the counts are those of that prefix.
func TestStoppedSweepCoversAPrefixOfTheRange(t *testing.T) {
	spec := scenariotest.Get(t, "2pc-bank-faults")
	var done atomic.Int64
	res, runs := rows(t, spec, Options{From: 5, To: 1000, Workers: 2,
		Progress: func(int, int) { done.Add(1) },
		Stop:     func() bool { return done.Load() >= 10 }})
	require.True(t, res.Stopped)
	require.GreaterOrEqual(t, res.Total, 10)
	require.Less(t, res.Total, 996)
	require.Len(t, runs, res.Total)
	require.Equal(t, uint64(5), res.From)
	require.Equal(t, res.From+uint64(res.Total)-1, res.To)
	total := 0
	for i, r := range runs {
		require.Equal(t, uint64(5+i), r.Seed, "every seed of the prefix ran")
		require.NotEmpty(t, r.Verdict)
	}
	for _, n := range res.Counts {
		total += n
	}
	require.Equal(t, res.Total, total)

	full, fullRuns := rows(t, spec, Options{From: 5, To: res.To, Workers: 1})
	require.False(t, full.Stopped)
	require.Equal(t, fullRuns, runs, "the prefix is what a sweep of just those seeds gives")
	require.Equal(t, full.Counts, res.Counts)

	none, err := Sweep(spec, Options{From: 5, To: 10, Stop: func() bool { return true }})
	require.NoError(t, err)
	require.True(t, none.Stopped)
	require.Zero(t, none.Total)
}
