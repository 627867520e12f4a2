package pool

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Run calls do(i) for every i in [0, n) on workers goroutines (one per
// CPU when workers <= 0, never more than n), and returns how many indexes
// were started. Indexes are handed out in order and each one handed out
// runs to the end, so when stop (if not nil) asks to stop, exactly the
// indexes [0, started) have run: a prefix, which a caller can report as a
// whole. progress, if not nil, is told after each run how many have
// finished. do must be safe to call from several goroutines at once.
func Run(n, workers int, stop func() bool, progress func(done, total int), do func(i int)) (started int) {
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	var next, done atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < min(workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if stop != nil && stop() {
					return
				}
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				do(i)
				if d := int(done.Add(1)); progress != nil {
					progress(d, n)
				}
			}
		}()
	}
	wg.Wait()
	return int(min(next.Load(), int64(n)))
}
