package pool

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// gcBudget is how far the heap may grow, past what the last collection
// before the runs found live, before the collector runs (see
// collectByBudget).
const gcBudget = 80 << 20

var gcState struct {
	sync.Mutex
	users   int   // Runs under way
	percent int   // the GC percentage they replaced
	limit   int64 // and the memory limit
}

// collectByBudget switches the collector, while Runs go on, from
// "collect when the heap has grown by GOGC percent" to "collect when it
// has grown by gcBudget", and returns what puts the old settings back.
//
// The runs of a sweep are many small worlds, each garbage as soon as its
// verdict is tallied: the live heap stays at a few megabytes while the
// runs allocate hundreds of megabytes a second, so a percentage of the
// live heap means a collection every few milliseconds. On two cores that
// collector, not the runs, is what kept two workers from being twice as
// fast as one. 10,000 seeds of 2pc-bank-faults, 1 worker against 2:
// 1.6× at GOGC=400 (peak RSS 34–63 MB), 1.76–1.86× with a 64 MB budget
// (70–75 MB), 1.83–1.88× with 80 MB (85–90 MB); a smaller budget loses
// more to the collector than the cache gains (1.56× at 24 MB). The budget is a
// soft limit: a scenario whose runs hold more than it gets collections
// as often as the runtime allows rather than running out of memory. A
// user who set GOGC or GOMEMLIMIT keeps them.
func collectByBudget() (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	s := &gcState
	s.Lock()
	defer s.Unlock()
	if s.users == 0 {
		live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		metrics.Read(live)
		var base int64
		if live[0].Value.Kind() == metrics.KindUint64 {
			base = int64(live[0].Value.Uint64())
		}
		s.percent = debug.SetGCPercent(-1)
		s.limit = debug.SetMemoryLimit(base + gcBudget)
	}
	s.users++
	return func() {
		s.Lock()
		defer s.Unlock()
		if s.users--; s.users == 0 {
			debug.SetMemoryLimit(s.limit)
			debug.SetGCPercent(s.percent)
		}
	}
}
