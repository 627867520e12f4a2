package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/internal/sweep"
)

// rowLine is one seed of `sweep --rows FILE`.
type rowLine struct {
	Seed      uint64           `json:"seed"`
	Verdict   checker.Verdict  `json:"verdict"`
	Failures  []checker.Result `json:"failures,omitempty"`
	TraceHash string           `json:"trace_hash"`
	// Violated is the seed's set of checkers that reported a violation,
	// sorted: what simrun diff compares.
	Violated []string `json:"violated"`
}

// rowWriter streams a sweep's runs as JSON Lines, in seed order, flushed
// at least every second so the file shows a long sweep's progress and
// survives its being stopped.
type rowWriter struct {
	f     *os.File
	w     *bufio.Writer
	enc   *json.Encoder
	flush time.Time
	err   error
}

func newRowWriter(path string) (*rowWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("sweep: --rows: %w", err)
	}
	w := bufio.NewWriter(f)
	return &rowWriter{f: f, w: w, enc: json.NewEncoder(w), flush: time.Now()}, nil
}

func (r *rowWriter) write(run sweep.Run) {
	if r.err != nil {
		return
	}
	r.err = r.enc.Encode(rowLine{Seed: run.Seed, Verdict: run.Verdict, Failures: run.Failures, TraceHash: run.TraceHash, Violated: violatedSet(run.Failures)})
	if r.err == nil && time.Since(r.flush) >= time.Second {
		r.err, r.flush = r.w.Flush(), time.Now()
	}
}

func (r *rowWriter) close() error {
	err := r.err
	if err == nil {
		err = r.w.Flush()
	}
	if cerr := r.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sweep: --rows %s: %w", r.f.Name(), err)
	}
	return nil
}

// tuneGC lets a sweep's collector run less often. A sweep's live heap is
// a few small worlds, so at the default GOGC=100 it collects every few
// megabytes allocated — a quarter of a 2pc-bank-faults sweep's CPU time —
// and each cycle makes every worker help. 400 with a soft limit of 64 MB
// keeps memory bounded; GOGC or GOMEMLIMIT in the environment win.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(64 << 20)
	}
}
