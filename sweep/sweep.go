package sweep

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/internal/pool"
	"github.com/faultline-sim/faultline/scenarios"
)

// MaxSeeds bounds one sweep, so a typo such as 1-1e12 is refused rather
// than run for days.
const MaxSeeds = 100_000_000

// ParseRange reads "A-B" (inclusive) or a single seed "N".
func ParseRange(s string) (from, to uint64, err error) {
	a, b, isRange := strings.Cut(strings.TrimSpace(s), "-")
	if from, err = strconv.ParseUint(a, 10, 64); err != nil {
		return 0, 0, fmt.Errorf("bad seed range %q: %q is not a non-negative integer (want A-B, e.g. 1-10000)", s, a)
	}
	to = from
	if isRange {
		if to, err = strconv.ParseUint(b, 10, 64); err != nil {
			return 0, 0, fmt.Errorf("bad seed range %q: %q is not a non-negative integer (want A-B, e.g. 1-10000)", s, b)
		}
	}
	if to < from {
		return 0, 0, fmt.Errorf("bad seed range %q: start %d is after end %d", s, from, to)
	}
	if to-from >= MaxSeeds {
		return 0, 0, fmt.Errorf("bad seed range %q: more than %d seeds", s, MaxSeeds)
	}
	return from, to, nil
}

// Options configure a sweep.
type Options struct {
	From, To uint64
	Workers  int    // 0 = one per CPU
	Bug      string // planted bug to enable
	// Progress, if set, is called after each run with the number done; it
	// is called from worker goroutines.
	Progress func(done, total int)
	// Verify is how many of the first failures are re-run to confirm they
	// reproduce deterministically (default 20, negative = none).
	Verify int
	// LinTimeout bounds each linearizability search (0: the default).
	LinTimeout time.Duration
	// Stop, if set, is polled before each seed: once it returns true no
	// new seed starts, the ones in flight finish, and the result covers
	// the seeds From..To that did (To lowered, Stopped set).
	Stop func() bool
}

// Run is the per-seed summary a sweep keeps.
type Run struct {
	Seed     uint64
	Verdict  checker.Verdict
	Failures []checker.Result // the non-ok results
}

// Check is the determinism re-run of one reported seed.
type Check struct {
	Seed          uint64 `json:"seed"`
	Reproduced    bool   `json:"reproduced"`    // same verdict as in the sweep
	Deterministic bool   `json:"deterministic"` // two traced runs, same trace hash
	TraceHash     string `json:"trace_hash"`
}

// Result is a sweep's summary.
type Result struct {
	Scenario  string
	Expect    checker.Verdict
	Bug       string
	From, To  uint64
	Runs      []Run // by seed
	Counts    map[checker.Verdict]int
	ByChecker map[string]int // violations per checker
	Checks    []Check
	Stopped   bool // cut short by Options.Stop: only From..To ran
}

// Seeds returns the seeds with a verdict, ascending, at most limit (0 = all).
func (r *Result) Seeds(v checker.Verdict, limit int) []uint64 {
	var out []uint64
	for _, run := range r.Runs {
		if run.Verdict == v {
			out = append(out, run.Seed)
			if limit > 0 && len(out) == limit {
				break
			}
		}
	}
	return out
}

// Sweep runs spec for every seed in [From, To].
func Sweep(spec scenarios.Spec, o Options) (*Result, error) {
	if o.To < o.From {
		return nil, fmt.Errorf("seed range %d-%d is empty", o.From, o.To)
	}
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	// One run up front turns bad inputs (an unknown bug name) into an error
	// before any goroutine starts.
	if _, err := scenarios.Run(spec, scenarios.Options{Seed: o.From, NoTrace: true, Bug: o.Bug, LinTimeout: o.LinTimeout}); err != nil {
		return nil, err
	}
	n := int(o.To - o.From + 1)
	runs := make([]Run, n)
	// Seeds are handed out in order and every one handed out finished, so
	// a stopped sweep covers a prefix of the range.
	started := pool.Run(n, o.Workers, o.Stop, o.Progress, func(i int) {
		seed := o.From + uint64(i)
		out, err := scenarios.Run(spec, scenarios.Options{Seed: seed, NoTrace: true, Bug: o.Bug, LinTimeout: o.LinTimeout})
		if err != nil {
			// Inputs were checked above; an error here is a bug worth seeing.
			runs[i] = Run{Seed: seed, Verdict: checker.Unknown, Failures: []checker.Result{{Checker: "run", Verdict: checker.Unknown, Message: err.Error()}}}
		} else {
			runs[i] = summarize(seed, out)
		}
	})
	stopped := false
	if started < n {
		stopped, runs = true, runs[:started]
		if started > 0 {
			o.To = o.From + uint64(started) - 1
		}
	}

	res := &Result{Stopped: stopped, Scenario: spec.Name, Expect: spec.Expect, Bug: o.Bug, From: o.From, To: o.To, Runs: runs,
		Counts: map[checker.Verdict]int{}, ByChecker: map[string]int{}}
	for _, r := range runs {
		res.Counts[r.Verdict]++
		for _, f := range r.Failures {
			if f.Verdict == checker.Violation {
				res.ByChecker[f.Checker]++
			}
		}
	}
	verify := o.Verify
	if verify == 0 {
		verify = 20
	}
	if verify > 0 && !stopped {
		for _, seed := range res.Seeds(checker.Violation, verify) {
			res.Checks = append(res.Checks, recheck(spec, o, runs[seed-o.From]))
		}
	}
	return res, nil
}

func summarize(seed uint64, out *scenarios.Outcome) Run {
	r := Run{Seed: seed, Verdict: out.Verdict}
	for _, c := range out.Results {
		if c.Verdict != checker.OK {
			c.Stuck = nil     // keep sweeps small: the seed reproduces the details
			c.Visualize = nil // it would keep the whole history alive
			r.Failures = append(r.Failures, c)
		}
	}
	return r
}

func recheck(spec scenarios.Spec, o Options, run Run) Check {
	c := Check{Seed: run.Seed}
	a, err1 := scenarios.Run(spec, scenarios.Options{Seed: run.Seed, Bug: o.Bug, LinTimeout: o.LinTimeout})
	b, err2 := scenarios.Run(spec, scenarios.Options{Seed: run.Seed, Bug: o.Bug, LinTimeout: o.LinTimeout})
	if err1 != nil || err2 != nil {
		return c
	}
	c.Reproduced = a.Verdict == run.Verdict && b.Verdict == run.Verdict
	c.Deterministic = a.TraceHash == b.TraceHash
	c.TraceHash = a.TraceHash
	return c
}
