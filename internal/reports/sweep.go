package reports

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/internal/sweep"
)

// ListedSeeds is how many failing seeds a sweep summary lists.
const ListedSeeds = 20

// SweepText writes a sweep summary for people. elapsed is wall time, shown
// for information only.
func SweepText(w io.Writer, r *sweep.Result, elapsed time.Duration) {
	n := sweepTotal(r)
	fmt.Fprintf(w, "scenario  %s", r.Scenario)
	if r.Bug != "" {
		fmt.Fprintf(w, " (planted bug %s)", r.Bug)
	}
	fmt.Fprintf(w, "\nseeds     %d-%d (%d runs", r.From, r.To, n)
	if r.Shards > 1 {
		fmt.Fprintf(w, " of shard %d/%d", r.Shard, r.Shards)
	}
	if elapsed > 0 {
		fmt.Fprintf(w, " in %.1fs", elapsed.Seconds())
	}
	fmt.Fprintf(w, ")\nverdicts  ok %d, blocked %d, violation %d, unknown %d (scenario expects %s)\n",
		r.Counts[checker.OK], r.Counts[checker.Blocked], r.Counts[checker.Violation], r.Counts[checker.Unknown], r.Expect)
	if len(r.ByChecker) > 0 {
		var parts []string
		for _, c := range r.Violated() {
			parts = append(parts, fmt.Sprintf("%s %d", c, r.ByChecker[c]))
		}
		fmt.Fprintf(w, "violated  %s\n", strings.Join(parts, ", "))
	}
	if rows := failingSeeds(r); len(rows) > 0 {
		fmt.Fprintf(w, "first failing seeds (%d of %d):\n", len(rows), r.Counts[checker.Violation])
		for _, f := range rows {
			det := ""
			switch f.Replay {
			case replayFailed:
				det = " [DID NOT REPRODUCE]"
			case replayDiverged:
				det = " [NOT DETERMINISTIC]"
			case replayOK:
				det = " [replays: " + f.TraceHash + "]"
			}
			fmt.Fprintf(w, "  %-48s %s%s\n", f.Reproduce, truncate(f.Finding, 110), det)
		}
		fmt.Fprintf(w, "shrink the first to its essential faults: %s\n", shrinkCommand(r, rows[0].Seed))
	}
	if seeds := r.Seeds(checker.Blocked, 5); len(seeds) > 0 && r.Expect != checker.Blocked {
		fmt.Fprintf(w, "first blocked seeds: %v\n", seeds)
	}
	// An unknown is not a pass: say where to look and why the first one
	// could not be judged (a search that ran out, a run with no evidence).
	if seeds := r.Seeds(checker.Unknown, 5); len(seeds) > 0 {
		fmt.Fprintf(w, "first unknown seeds: %v (seed %d: %s)\n", seeds, seeds[0], truncate(firstFinding(r, seeds[0]), 110))
	}
}

// firstFinding is a kept run's first finding of its own verdict,
// "checker: message": a violation's first violation, not a search that
// ran out before it.
func firstFinding(r *sweep.Result, seed uint64) string {
	run, _ := r.Run(seed)
	for _, f := range run.Failures {
		if f.Verdict == run.Verdict {
			return f.Checker + ": " + f.Message
		}
	}
	return ""
}

// failingSeed is one listed failure of a sweep: how to rerun it, its
// first finding, and whether its recheck replayed.
type failingSeed struct {
	Seed      uint64
	Reproduce string
	Finding   string
	Replay    replay
	TraceHash string
}

type replay int

const (
	replayNotRun   replay = iota
	replayOK              // reproduced with the same trace hash twice
	replayFailed          // the rerun did not fail
	replayDiverged        // two traced reruns differed
)

// failingSeeds lists the first ListedSeeds violations of a sweep.
func failingSeeds(r *sweep.Result) []failingSeed {
	checks := map[uint64]sweep.Check{}
	for _, c := range r.Checks {
		checks[c.Seed] = c
	}
	var out []failingSeed
	for _, s := range r.Seeds(checker.Violation, ListedSeeds) {
		f := failingSeed{Seed: s, Reproduce: Reproduce(r.Scenario, s, r.Bug)}
		f.Finding = firstFinding(r, s)
		if c, ok := checks[s]; ok {
			switch {
			case !c.Reproduced:
				f.Replay = replayFailed
			case !c.Deterministic:
				f.Replay = replayDiverged
			default:
				f.Replay, f.TraceHash = replayOK, c.TraceHash
			}
		}
		out = append(out, f)
	}
	return out
}

func shrinkCommand(r *sweep.Result, seed uint64) string {
	cmd := fmt.Sprintf("%s shrink %s --seed %d", Program(), r.Scenario, seed)
	if r.Bug != "" {
		cmd += " --bug " + r.Bug
	}
	return cmd
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

// SweepJSON is a sweep as one JSON object.
type SweepJSON struct {
	Scenario       string         `json:"scenario"`
	Bug            string         `json:"bug,omitempty"`
	From           uint64         `json:"from"`
	To             uint64         `json:"to"`
	Shard          string         `json:"shard,omitempty"` // "i/n": the runs are shard i's share of from-to
	Runs           int            `json:"runs"`
	OK             int            `json:"ok"`
	Blocked        int            `json:"blocked"`
	Violation      int            `json:"violation"`
	Unknown        int            `json:"unknown"`
	Expect         string         `json:"expect"`
	ByChecker      map[string]int `json:"violations_by_checker"`
	FailingSeeds   []uint64       `json:"failing_seeds"`
	FirstFailing   *uint64        `json:"first_failing_seed"`
	BlockedSeeds   []uint64       `json:"blocked_seeds"`
	UnknownSeeds   []uint64       `json:"unknown_seeds"` // runs that could not be judged: not passes
	Reproduce      []string       `json:"reproduce"`
	Determinism    []sweep.Check  `json:"determinism_checks"`
	Reruns         []sweep.Rerun  `json:"determinism_reruns,omitempty"` // sweep --check-determinism
	ElapsedSeconds float64        `json:"elapsed_seconds"`
	Stopped        bool           `json:"stopped"` // interrupted: only seeds from-to ran
}

// NewSweepJSON builds the JSON form of a sweep.
func NewSweepJSON(r *sweep.Result, elapsed time.Duration) SweepJSON {
	j := SweepJSON{Scenario: r.Scenario, Bug: r.Bug, From: r.From, To: r.To, Runs: sweepTotal(r),
		OK: r.Counts[checker.OK], Blocked: r.Counts[checker.Blocked], Violation: r.Counts[checker.Violation],
		Unknown: r.Counts[checker.Unknown], Expect: string(r.Expect), ByChecker: r.ByChecker,
		FailingSeeds: r.Seeds(checker.Violation, ListedSeeds), BlockedSeeds: r.Seeds(checker.Blocked, ListedSeeds),
		UnknownSeeds: r.Seeds(checker.Unknown, ListedSeeds),
		Determinism:  r.Checks, Reruns: r.Reruns, ElapsedSeconds: elapsed.Seconds(), Reproduce: []string{}, Stopped: r.Stopped}
	if r.Shards > 1 {
		j.Shard = fmt.Sprintf("%d/%d", r.Shard, r.Shards)
	}
	if j.FailingSeeds == nil {
		j.FailingSeeds = []uint64{}
	}
	if j.BlockedSeeds == nil {
		j.BlockedSeeds = []uint64{}
	}
	if j.UnknownSeeds == nil {
		j.UnknownSeeds = []uint64{}
	}
	if j.Determinism == nil {
		j.Determinism = []sweep.Check{}
	}
	if len(j.FailingSeeds) > 0 {
		first := j.FailingSeeds[0]
		j.FirstFailing = &first
	}
	for _, s := range j.FailingSeeds {
		j.Reproduce = append(j.Reproduce, Reproduce(r.Scenario, s, r.Bug))
	}
	return j
}
