package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"github.com/faultline-sim/faultline/internal/reports"
	"github.com/faultline-sim/faultline/internal/sweep"
	"github.com/spf13/cobra"
)

func newMerge() *cobra.Command {
	return &cobra.Command{
		Use:   "merge SHARD.json...",
		Short: "Combine the --json output of sweep --shard i/n runs into the one sweep's JSON",
		Long: `Read the JSON that "simrun sweep SCENARIO --seeds A-B --shard i/n --json"
printed for every shard i of n (same scenario, range, planted bug and n; each
shard once) and print what "simrun sweep SCENARIO --seeds A-B --json" would
have: summed counts, the first failing and blocked seeds of the whole range,
their reproduce commands and determinism checks. elapsed_seconds is the
longest shard's (the shards ran side by side).

Exit status: 0 no violation, 1 a violation in some shard, 2 bad input
(the message names the file).`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return fmt.Errorf("merge: no shard files (give every shard's sweep --json output)")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			shards := make([]reports.SweepJSON, len(args))
			for i, path := range args {
				var err error
				if shards[i], err = readSweepJSON(path); err != nil {
					return err
				}
			}
			merged, err := mergeSweeps(args, shards)
			if err != nil {
				return err
			}
			if err := reports.WriteJSON(c.OutOrStdout(), merged); err != nil {
				return err
			}
			if merged.Violation > 0 {
				return exitCode(1)
			}
			return nil
		},
	}
}

func readSweepJSON(path string) (reports.SweepJSON, error) {
	var j reports.SweepJSON
	data, err := os.ReadFile(path)
	if err != nil {
		return j, fmt.Errorf("merge: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return j, fmt.Errorf("merge: %s: not the JSON of simrun sweep --json: %v", path, err)
	}
	if j.Scenario == "" {
		return j, fmt.Errorf("merge: %s: no \"scenario\": not the JSON of simrun sweep --json", path)
	}
	return j, nil
}

// mergeSweeps checks that the shards are the n shares of one sweep and
// combines them.
func mergeSweeps(paths []string, shards []reports.SweepJSON) (reports.SweepJSON, error) {
	first := shards[0]
	n := 1
	seen := map[int]string{}
	for i, s := range shards {
		idx, count := 0, 1
		if s.Shard != "" {
			var err error
			if idx, count, err = sweep.ParseShard(s.Shard); err != nil {
				return first, fmt.Errorf("merge: %s: %v", paths[i], err)
			}
		}
		if i == 0 {
			n = count
		}
		switch {
		case s.Stopped:
			return first, fmt.Errorf("merge: %s was interrupted (its seeds stop at %d): run that shard again", paths[i], s.To)
		case s.Scenario != first.Scenario || s.Bug != first.Bug || s.From != first.From || s.To != first.To || s.Expect != first.Expect:
			return first, fmt.Errorf("merge: %s is a sweep of %s, not of %s like %s", paths[i], describeSweep(s), describeSweep(first), paths[0])
		case count != n:
			return first, fmt.Errorf("merge: %s is shard %s, but %s is one of %d shards", paths[i], s.Shard, paths[0], n)
		case seen[idx] != "":
			return first, fmt.Errorf("merge: %s and %s are both shard %d/%d", seen[idx], paths[i], idx, n)
		}
		seen[idx] = paths[i]
	}
	if len(shards) != n {
		var missing []int
		for i := 0; i < n; i++ {
			if seen[i] == "" {
				missing = append(missing, i)
			}
		}
		return first, fmt.Errorf("merge: shards %v of %d are missing", missing, n)
	}

	m := reports.SweepJSON{Scenario: first.Scenario, Bug: first.Bug, From: first.From, To: first.To, Expect: first.Expect,
		ByChecker: map[string]int{}}
	var failing, blocked, unknown []uint64
	checks := map[uint64]sweep.Check{}
	for _, s := range shards {
		m.Runs += s.Runs
		m.OK += s.OK
		m.Blocked += s.Blocked
		m.Violation += s.Violation
		m.Unknown += s.Unknown
		for c, k := range s.ByChecker {
			m.ByChecker[c] += k
		}
		failing = append(failing, s.FailingSeeds...)
		blocked = append(blocked, s.BlockedSeeds...)
		unknown = append(unknown, s.UnknownSeeds...)
		for _, c := range s.Determinism {
			checks[c.Seed] = c
		}
		m.ElapsedSeconds = max(m.ElapsedSeconds, s.ElapsedSeconds)
	}
	// Each shard listed its own lowest failing seeds, so the lowest of the
	// whole range are among them; likewise each checked its first ones.
	m.FailingSeeds, m.BlockedSeeds, m.UnknownSeeds = lowest(failing), lowest(blocked), lowest(unknown)
	m.Reproduce, m.Determinism = []string{}, []sweep.Check{}
	for _, seed := range m.FailingSeeds {
		m.Reproduce = append(m.Reproduce, reports.Reproduce(m.Scenario, seed, m.Bug))
		if c, ok := checks[seed]; ok {
			m.Determinism = append(m.Determinism, c)
		}
	}
	if len(m.FailingSeeds) > 0 {
		f := m.FailingSeeds[0]
		m.FirstFailing = &f
	}
	return m, nil
}

func lowest(seeds []uint64) []uint64 {
	sort.Slice(seeds, func(i, j int) bool { return seeds[i] < seeds[j] })
	out := append([]uint64{}, seeds[:min(len(seeds), reports.ListedSeeds)]...)
	return out
}

func describeSweep(s reports.SweepJSON) string {
	d := fmt.Sprintf("%s seeds %d-%d (expect %s)", s.Scenario, s.From, s.To, s.Expect)
	if s.Bug != "" {
		d += " with bug " + s.Bug
	}
	return d
}
