// Package sweep runs one scenario over a range of seeds, one world per
// goroutine. It is the only place in Faultline with parallelism: every
// world is single-threaded and independent, and results are stored by seed,
// so the summary is the same for any number of workers.
//
// Every failure a sweep reports is run again, twice, with the full trace:
// the verdict must reproduce and the two trace hashes must agree, so a
// reported seed is known to replay before anyone tries it.
package sweep
