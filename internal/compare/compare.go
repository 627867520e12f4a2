package compare

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/internal/pool"
	"github.com/faultline-sim/faultline/scenarios"
)

// Options choose the grid.
type Options struct {
	Protocols []string // default: every commit protocol
	Classes   []string // default: every fault class
	Seeds     int      // seeds 1..Seeds
	Workers   int      // 0 = one per CPU
	// Progress, if set, is called after each run from worker goroutines.
	Progress func(done, total int)
	// Stop, if set, is polled before each run: once it returns true no new
	// run starts and the rows cover the seeds 1..Row.Runs that every
	// protocol and fault class finished.
	Stop func() bool
}

// Row is one protocol under one fault class, over every seed. A metric's
// over tag names the count it is taken over: with that count zero the
// metric has no value, and JSON writes it as null.
type Row struct {
	Protocol   string `json:"protocol"`
	FaultClass string `json:"fault_class"`
	Runs       int    `json:"runs"`
	Txns       int    `json:"transactions"` // begun, over all runs

	MessagesPerTxn float64 `json:"messages_per_txn" over:"Txns"`
	WritesPerTxn   float64 `json:"durable_writes_per_txn" over:"Txns"`
	LatencyP50Ms   float64 `json:"commit_latency_p50_ms" over:"LatencySamples"`
	LatencyP99Ms   float64 `json:"commit_latency_p99_ms" over:"LatencySamples"`
	LockHoldMeanMs float64 `json:"lock_hold_mean_ms" over:"LockHoldSamples"`
	LockHoldP99Ms  float64 `json:"lock_hold_p99_ms" over:"LockHoldSamples"`
	// UncertainMsPerTxn: participant time spent voted yes and undecided,
	// per transaction; BlockedMsPerTxn: the part of it never resolved by
	// the end of the run.
	UncertainMsPerTxn float64 `json:"uncertain_ms_per_txn" over:"Txns"`
	BlockedMsPerTxn   float64 `json:"blocked_ms_per_txn" over:"Txns"`
	DecidedFraction   float64 `json:"decided_fraction" over:"Txns"`
	CommittedFraction float64 `json:"committed_fraction" over:"Txns"`

	BlockedRuns      int    `json:"blocked_runs"`
	SafetyViolations int    `json:"safety_violation_runs"`
	LivenessFailures int    `json:"liveness_failure_runs"`
	FirstViolation   uint64 `json:"first_violation_seed,omitempty"`

	// LatencySamples and LockHoldSamples count the commits and lock
	// holdings the latency and hold metrics come from: with none, those
	// metrics have no value (JSON null, "—" in tables), not 0.
	LatencySamples  int `json:"commit_latency_samples"`
	LockHoldSamples int `json:"lock_hold_samples"`
	// LatencyDecilesMs is the commit latency distribution: the 0th, 10th,
	// ..., 100th percentiles (empty without samples).
	LatencyDecilesMs []float64 `json:"commit_latency_deciles_ms,omitempty"`
}

// MarshalJSON writes a metric without samples as null, so that a cell
// where nothing committed never reads as the fastest. Which metrics, under
// which keys, comes from the struct tags (json and over).
func (r Row) MarshalJSON() ([]byte, error) {
	type plain Row
	m := map[string]any{}
	b, err := json.Marshal(plain(r))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for _, f := range nullable {
		if reflect.ValueOf(r).FieldByIndex(f.count).Int() == 0 {
			m[f.key] = nil
		}
	}
	return json.Marshal(m)
}

// nullMetric is a Row metric with an over tag: its JSON key and the index
// of the count it is taken over.
type nullMetric struct {
	key   string
	count []int
}

// nullable lists Row's metrics with an over tag, read from the struct once.
var nullable = func() []nullMetric {
	var out []nullMetric
	rt := reflect.TypeFor[Row]()
	for i := range rt.NumField() {
		f := rt.Field(i)
		over := f.Tag.Get("over")
		if over == "" {
			continue
		}
		c, ok := rt.FieldByName(over)
		if !ok || c.Type.Kind() != reflect.Int {
			panic(fmt.Sprintf("compare: Row.%s: over:%q is not an int field of Row", f.Name, over))
		}
		key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		out = append(out, nullMetric{key, c.Index})
	}
	return out
}()

type job struct {
	cell int
	seed uint64
}

type runResult struct {
	m        checker.CommitMetrics
	verdicts []checker.Result
	err      error
}

// Run runs the grid and returns one row per protocol and fault class, in
// the order given.
func Run(o Options) ([]Row, error) {
	if len(o.Protocols) == 0 {
		o.Protocols = scenarios.CommitProtocolNames()
	}
	if len(o.Classes) == 0 {
		o.Classes = scenarios.FaultClassNames()
	}
	if o.Seeds < 1 {
		return nil, fmt.Errorf("compare: need at least one seed, got %d", o.Seeds)
	}
	var specs []scenarios.Spec
	var rows []Row
	for _, p := range o.Protocols {
		for _, c := range o.Classes {
			s, err := scenarios.CompareSpec(p, c)
			if err != nil {
				return nil, err
			}
			if err := s.Validate(); err != nil {
				return nil, err
			}
			specs = append(specs, s)
			rows = append(rows, Row{Protocol: p, FaultClass: c, Runs: o.Seeds})
		}
	}
	// Seed-major, so that a stopped grid has whole seeds for every cell.
	jobs := make([]job, 0, len(specs)*o.Seeds)
	for s := 1; s <= o.Seeds; s++ {
		for i := range specs {
			jobs = append(jobs, job{cell: i, seed: uint64(s)})
		}
	}
	results := make([]runResult, len(jobs))
	started := pool.Run(len(jobs), o.Workers, o.Stop, o.Progress, func(_, i int) {
		j := jobs[i]
		out, err := scenarios.Run(specs[j.cell], scenarios.Options{Seed: j.seed, NoTrace: true})
		if err != nil {
			results[i] = runResult{err: err}
		} else {
			results[i] = runResult{m: checker.MeasureCommit(out.History, out.Messages, out.Writes), verdicts: out.Results}
		}
	})
	if started < len(jobs) {
		covered := started / len(specs)
		jobs = jobs[:covered*len(specs)]
		for i := range rows {
			rows[i].Runs = covered
		}
	}

	type acc struct {
		m                           checker.CommitMetrics
		lat, locks                  []time.Duration
		blockedRuns, unsafe, unlive int
		firstBad                    uint64
	}
	accs := make([]acc, len(specs))
	for i, j := range jobs {
		r := results[i]
		if r.err != nil {
			return nil, fmt.Errorf("compare: %s seed %d: %w", specs[j.cell].Name, j.seed, r.err)
		}
		a := &accs[j.cell]
		a.m.Begun += r.m.Begun
		a.m.Decided += r.m.Decided
		a.m.Committed += r.m.Committed
		a.m.Messages += r.m.Messages
		a.m.Writes += r.m.Writes
		a.m.Uncertain += r.m.Uncertain
		a.m.Blocked += r.m.Blocked
		a.lat = append(a.lat, r.m.Latencies...)
		a.locks = append(a.locks, r.m.LockHolds...)
		unsafe, unlive, blocked := false, false, false
		for _, v := range r.verdicts {
			switch {
			// A safety checker's violation is a safety violation; liveness
			// after healing is counted apart.
			case v.Verdict == checker.Violation && v.Class == checker.ClassSafety:
				unsafe = true
			case v.Verdict == checker.Violation:
				unlive = true
			case v.Verdict == checker.Blocked:
				blocked = true
			}
		}
		if unsafe {
			a.unsafe++
			if a.firstBad == 0 {
				a.firstBad = j.seed
			}
		}
		if unlive {
			a.unlive++
		}
		if blocked {
			a.blockedRuns++
		}
	}
	for i := range rows {
		a := &accs[i]
		r := &rows[i]
		n := float64(max(a.m.Begun, 1))
		r.Txns = a.m.Begun
		r.MessagesPerTxn = float64(a.m.Messages) / n
		r.WritesPerTxn = float64(a.m.Writes) / n
		r.LatencyP50Ms = ms(percentile(a.lat, 0.50))
		r.LatencyP99Ms = ms(percentile(a.lat, 0.99))
		r.LockHoldMeanMs = ms(mean(a.locks))
		r.LockHoldP99Ms = ms(percentile(a.locks, 0.99))
		r.UncertainMsPerTxn = ms(a.m.Uncertain) / n
		r.BlockedMsPerTxn = ms(a.m.Blocked) / n
		r.DecidedFraction = float64(a.m.Decided) / n
		r.CommittedFraction = float64(a.m.Committed) / n
		r.BlockedRuns, r.SafetyViolations, r.LivenessFailures, r.FirstViolation = a.blockedRuns, a.unsafe, a.unlive, a.firstBad
		r.LatencySamples, r.LockHoldSamples = len(a.lat), len(a.locks)
		if len(a.lat) > 0 {
			for q := 0; q <= 10; q++ {
				r.LatencyDecilesMs = append(r.LatencyDecilesMs, ms(percentile(a.lat, float64(q)/10)))
			}
		}
	}
	return rows, nil
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e4) / 100 }

// percentile is the nearest-rank percentile; 0 for no samples.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	k := int(math.Ceil(p*float64(len(s)))) - 1
	return s[min(max(k, 0), len(s)-1)]
}

func mean(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return sum / time.Duration(len(ds))
}
