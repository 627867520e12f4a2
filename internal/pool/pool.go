package pool

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Size is how many goroutines Run uses for n indexes: workers, or one
// per CPU when workers <= 0, never more than n and at least one.
func Size(n, workers int) int {
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	return max(1, min(workers, n))
}

// Run calls do(w, i) for every i in [0, n) on Size(n, workers)
// goroutines, w (from 0) naming the goroutine so that each can keep a
// tally of its own, and returns how many indexes were started. Indexes are
// handed out in order and each one handed out runs to the end, so when
// stop (if not nil) asks to stop, exactly the indexes [0, started) have
// run: a prefix, which a caller can report as a whole. progress, if not
// nil, is told after each run how many have finished. do must be safe to
// call from several goroutines at once.
func Run(n, workers int, stop func() bool, progress func(done, total int), do func(w, i int)) (started int) {
	defer collectByBudget()()
	var next, done atomic.Int64
	var wg sync.WaitGroup
	for w := range Size(n, workers) {
		wg.Go(func() {
			for {
				if stop != nil && stop() {
					return
				}
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				do(w, i)
				if d := int(done.Add(1)); progress != nil {
					progress(d, n)
				}
			}
		})
	}
	wg.Wait()
	return int(min(next.Load(), int64(n)))
}
