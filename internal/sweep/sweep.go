package sweep

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/internal/pool"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/sim"
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

// ParseShard reads "i/n": shard i (from 0) of n.
func ParseShard(s string) (shard, shards int, err error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	switch {
	case !ok || err1 != nil || err2 != nil:
		return 0, 0, fmt.Errorf("bad shard %q: want i/n, e.g. 0/4", s)
	case n < 1:
		return 0, 0, fmt.Errorf("bad shard %q: the number of shards must be at least 1", s)
	case i < 0 || i >= n:
		return 0, 0, fmt.Errorf("bad shard %q: the index must be from 0 to %d", s, n-1)
	}
	return i, n, nil
}

// Options configure a sweep.
type Options struct {
	From, To uint64
	// Shard and Shards: run only the seeds From+Shard, From+Shard+Shards,
	// ... of the range (Shards 0 or 1: all). The shares of 0..Shards-1
	// cover the range once; striding rather than cutting it into blocks
	// spreads slow stretches of seeds over every shard.
	Shard, Shards int
	Workers       int    // 0 = one per CPU
	Bug           string // planted bug to enable
	// Progress, if set, is called after each run with the number done; it
	// is called from worker goroutines.
	Progress func(done, total int)
	// Verify is how many of the first failures are re-run to confirm they
	// reproduce deterministically (default 20, negative = none).
	Verify int
	// LinTimeout bounds each linearizability search (0: the default).
	LinTimeout time.Duration
	// Keep is how many runs of each verdict other than ok the result
	// keeps, those of the lowest seeds (default 20). Counts cover every
	// run; nothing else is kept per seed, so memory does not grow with
	// the range.
	Keep int
	// Rows, if set, receives every run, in seed order, from one goroutine.
	Rows func(Run)
	// CheckDeterminism is how many seeds of the sweep's share, chosen
	// deterministically from the range (see DeterminismSeeds), are run
	// again after the sweep with their trace stored, and their trace
	// hashes compared with the sweep's (Result.Reruns).
	CheckDeterminism int
	// Stop, if set, is polled before each seed: once it returns true no
	// new seed starts, the ones in flight finish, and the result covers
	// the seeds that did — a prefix of the shard's seeds (To lowered to
	// the last, Stopped set).
	Stop func() bool
}

// Run is the per-seed summary a sweep keeps.
type Run struct {
	Seed      uint64
	Verdict   checker.Verdict
	Failures  []checker.Result // the non-ok results
	TraceHash string           // the run's trace hash: its fingerprint
}

// Check is the determinism re-run of one reported seed.
type Check struct {
	Seed          uint64 `json:"seed"`
	Reproduced    bool   `json:"reproduced"`    // same verdict as in the sweep
	Deterministic bool   `json:"deterministic"` // two traced runs, the sweep's trace hash
	TraceHash     string `json:"trace_hash"`
}

// Result is a sweep's summary.
type Result struct {
	Scenario      string
	Expect        checker.Verdict
	Bug           string
	From, To      uint64
	Shard, Shards int // Shards > 1: the result covers one shard of the range
	Total         int // runs
	Planned       int // the seeds asked for (of the shard); Total is fewer when stopped
	Counts        map[checker.Verdict]int
	ByChecker     map[string]int // violations per checker
	Checks        []Check
	Reruns        []Rerun // Options.CheckDeterminism's seeds, ascending
	Stopped       bool    // cut short by Options.Stop: only the seeds up to To ran
	// Detections tells, per checker, where in the range it found its
	// violations, in memory that does not grow with the range: the first
	// seed, and counts per Buckets equal stretches of the seeds run.
	Detections map[string]Detection
	first      map[checker.Verdict][]Run // the Keep lowest seeds of each verdict but ok
}

// Buckets is how many stretches of a sweep's seeds Detection counts in.
const Buckets = 200

// Detection is where one checker found its violations in a sweep.
type Detection struct {
	First uint64       // the lowest seed
	Index int          // its position among the sweep's seeds, from 0
	Found [Buckets]int // violations per stretch: position k of Planned falls in k*Buckets/Planned
}

// Seeds returns seeds with a verdict other than ok, ascending, at most
// limit (0 = all kept, which is Options.Keep).
func (r *Result) Seeds(v checker.Verdict, limit int) []uint64 {
	var out []uint64
	for _, run := range r.first[v] {
		if limit > 0 && len(out) == limit {
			break
		}
		out = append(out, run.Seed)
	}
	return out
}

// Violated lists the checkers that reported a violation in some run, by
// name: the order every report of the sweep lists them in.
func (r *Result) Violated() []string { return slices.Sorted(maps.Keys(r.ByChecker)) }

// Run returns the kept run of a seed (see Seeds).
func (r *Result) Run(seed uint64) (Run, bool) {
	for _, runs := range r.first {
		for _, run := range runs {
			if run.Seed == seed {
				return run, true
			}
		}
	}
	return Run{}, false
}

// Rerun is a seed of the sweep run again for Options.CheckDeterminism.
type Rerun struct {
	Seed      uint64 `json:"seed"`
	SweepHash string `json:"sweep_hash"` // in the sweep, trace not stored
	RerunHash string `json:"rerun_hash"` // run again, trace stored
}

// Same reports whether the rerun had the sweep's trace hash.
func (r Rerun) Same() bool { return r.SweepHash == r.RerunHash }

// Differing returns the first rerun whose hash differs, if any.
func (r *Result) Differing() (Rerun, bool) {
	for _, x := range r.Reruns {
		if !x.Same() {
			return x, true
		}
	}
	return Rerun{}, false
}

// DeterminismSeeds picks k seeds of n (the seeds seedOf(0..n-1)) for a
// determinism check: a stream seeded by the range draws them, so the same
// range always picks the same seeds. Ascending; all n when k >= n.
func DeterminismSeeds(from, to uint64, n, k int, seedOf func(int) uint64) []uint64 {
	if k <= 0 || n <= 0 {
		return nil
	}
	picked := map[int]bool{}
	if k >= n {
		for i := 0; i < n; i++ {
			picked[i] = true
		}
	} else {
		r := sim.NewStream(from, "check-determinism "+strconv.FormatUint(to, 10))
		for len(picked) < k {
			picked[r.IntN(n)] = true
		}
	}
	out := make([]uint64, 0, len(picked))
	for i := range picked {
		out = append(out, seedOf(i))
	}
	slices.Sort(out)
	return out
}

// tally is one worker's share of the result; the workers' tallies are
// joined at the end, so they share nothing while they run.
type tally struct {
	total      int
	counts     map[checker.Verdict]int
	byChecker  map[string]int
	first      map[checker.Verdict][]Run
	detections map[string]*Detection
	hashes     map[uint64]string // of the seeds to check for determinism
}

func newTally() *tally {
	return &tally{counts: map[checker.Verdict]int{}, byChecker: map[string]int{}, first: map[checker.Verdict][]Run{},
		detections: map[string]*Detection{}, hashes: map[uint64]string{}}
}

// add counts the run at position k of n. A worker's seeds come in
// increasing order, so its first Keep runs of a verdict are its lowest.
func (t *tally) add(r Run, k, n, keep int) {
	t.total++
	t.counts[r.Verdict]++
	for _, f := range r.Failures {
		if f.Verdict == checker.Violation {
			t.byChecker[f.Checker]++
			d := t.detections[f.Checker]
			if d == nil {
				d = &Detection{First: r.Seed, Index: k}
				t.detections[f.Checker] = d
			}
			d.Found[k*Buckets/n]++
		}
	}
	if r.Verdict != checker.OK && len(t.first[r.Verdict]) < keep {
		t.first[r.Verdict] = append(t.first[r.Verdict], r)
	}
}

// Sweep runs spec for every seed in [From, To] (or the shard's share).
func Sweep(spec scenarios.Spec, o Options) (*Result, error) {
	if o.To < o.From {
		return nil, fmt.Errorf("seed range %d-%d is empty", o.From, o.To)
	}
	if o.Shards <= 0 {
		o.Shards = 1
	}
	if o.Shard < 0 || o.Shard >= o.Shards {
		return nil, fmt.Errorf("shard %d/%d: the index must be from 0 to %d", o.Shard, o.Shards, o.Shards-1)
	}
	if o.Keep <= 0 {
		o.Keep = 20
	}
	o.Keep = max(o.Keep, o.Verify) // the runs to verify must be kept
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	// One run up front turns bad inputs (an unknown bug name) into an error
	// before any goroutine starts.
	if _, err := scenarios.Run(spec, scenarios.Options{Seed: o.From, NoTrace: true, Bug: o.Bug, LinTimeout: o.LinTimeout}); err != nil {
		return nil, err
	}
	// The shard's seeds are From+Shard+k*Shards for k in [0, n).
	span := o.To - o.From + 1
	n := 0
	if uint64(o.Shard) < span {
		n = int((span-uint64(o.Shard)-1)/uint64(o.Shards) + 1)
	}
	seedOf := func(k int) uint64 { return o.From + uint64(o.Shard) + uint64(k)*uint64(o.Shards) }
	rerun := map[uint64]bool{} // read-only once the workers start
	for _, s := range DeterminismSeeds(o.From, o.To, n, o.CheckDeterminism, seedOf) {
		rerun[s] = true
	}

	var rows chan Run
	var rowsDone chan struct{}
	if o.Rows != nil {
		rows, rowsDone = make(chan Run, 256), make(chan struct{})
		go inOrder(rows, rowsDone, n, seedOf, o.Rows)
	}
	tallies := make([]*tally, pool.Size(n, o.Workers))
	for w := range tallies {
		tallies[w] = newTally()
	}
	started := pool.Run(n, o.Workers, o.Stop, o.Progress, func(w, k int) {
		t := tallies[w]
		seed := seedOf(k)
		var run Run
		out, err := scenarios.Run(spec, scenarios.Options{Seed: seed, NoTrace: true, Bug: o.Bug, LinTimeout: o.LinTimeout})
		if err != nil {
			// Inputs were checked above; an error here is a bug worth seeing.
			run = Run{Seed: seed, Verdict: checker.Unknown, Failures: []checker.Result{{Checker: "run", Verdict: checker.Unknown, Message: err.Error()}}}
		} else {
			run = summarize(seed, out)
		}
		t.add(run, k, n, o.Keep)
		if rerun[seed] {
			t.hashes[seed] = run.TraceHash
		}
		if rows != nil {
			rows <- run
		}
	})
	if rows != nil {
		close(rows)
		<-rowsDone
	}

	// Seeds are handed out in order and every one handed out finished, so
	// a stopped sweep covers a prefix of the shard's seeds.
	stopped := false
	if started < n {
		stopped = true
		if started > 0 {
			o.To = seedOf(started - 1)
		}
	}

	res := &Result{Scenario: spec.Name, Expect: spec.Expect, Bug: o.Bug, From: o.From, To: o.To, Shard: o.Shard, Shards: o.Shards,
		Planned: n, Stopped: stopped, Counts: map[checker.Verdict]int{}, ByChecker: map[string]int{}, Detections: map[string]Detection{},
		first: map[checker.Verdict][]Run{}}
	for _, t := range tallies {
		for c, d := range t.detections {
			if have, ok := res.Detections[c]; ok {
				if have.First < d.First {
					d.First, d.Index = have.First, have.Index
				}
				for b := range d.Found {
					d.Found[b] += have.Found[b]
				}
			}
			res.Detections[c] = *d
		}
		res.Total += t.total
		for v, c := range t.counts {
			res.Counts[v] += c
		}
		for c, k := range t.byChecker {
			res.ByChecker[c] += k
		}
		for v, runs := range t.first {
			res.first[v] = append(res.first[v], runs...)
		}
	}
	for v, runs := range res.first {
		sort.Slice(runs, func(i, j int) bool { return runs[i].Seed < runs[j].Seed })
		res.first[v] = runs[:min(len(runs), o.Keep)]
	}
	hashes := map[uint64]string{}
	for _, t := range tallies {
		maps.Copy(hashes, t.hashes)
	}
	for _, seed := range slices.Sorted(maps.Keys(rerun)) {
		h, ran := hashes[seed]
		if !ran {
			continue // a stopped sweep did not get to it
		}
		x := Rerun{Seed: seed, SweepHash: h}
		if out, err := scenarios.Run(spec, scenarios.Options{Seed: seed, Bug: o.Bug, LinTimeout: o.LinTimeout}); err == nil {
			x.RerunHash = out.TraceHash
		}
		res.Reruns = append(res.Reruns, x)
	}
	verify := o.Verify
	if verify == 0 {
		verify = 20
	}
	if verify > 0 && !stopped {
		for _, seed := range res.Seeds(checker.Violation, verify) {
			run, _ := res.Run(seed)
			res.Checks = append(res.Checks, recheck(spec, o, run))
		}
	}
	return res, nil
}

// inOrder hands runs to emit in seed order. Workers take seeds in order,
// so only runs that overtook a slower one wait here.
func inOrder(rows <-chan Run, done chan<- struct{}, n int, seedOf func(int) uint64, emit func(Run)) {
	defer close(done)
	waiting := map[uint64]Run{}
	k := 0
	for r := range rows {
		waiting[r.Seed] = r
		for k < n {
			next, ok := waiting[seedOf(k)]
			if !ok {
				break
			}
			delete(waiting, next.Seed)
			emit(next)
			k++
		}
	}
}

func summarize(seed uint64, out *scenarios.Outcome) Run {
	r := Run{Seed: seed, Verdict: out.Verdict, TraceHash: out.TraceHash}
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
	c.Deterministic = a.TraceHash == b.TraceHash && a.TraceHash == run.TraceHash
	c.TraceHash = a.TraceHash
	return c
}
