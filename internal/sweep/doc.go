// Package sweep runs one scenario over a range of seeds (or one shard's
// share of it), one world per goroutine. It is the only place in Faultline
// with parallelism: every world is single-threaded and independent. Each
// worker tallies its own runs — verdict counts and its lowest failing
// seeds, nothing per seed — and the tallies are joined at the end, so the
// summary is the same for any number of workers and its memory does not
// grow with the range; Options.Rows streams every run in seed order for
// those who want the rows.
//
// Every failure a sweep reports is run again, twice, with the full trace:
// the verdict must reproduce and the two trace hashes must agree, so a
// reported seed is known to replay before anyone tries it. Every run
// carries its trace hash (Run.TraceHash), and Options.CheckDeterminism
// runs a few seeds picked from the range again and compares their hashes.
package sweep
