// Package compare runs the comparison grid: every commit protocol under
// every fault class for the same seeds. A seed fixes the workload (stream
// "workload") and the fault schedule (stream "faults", by role), so in one
// column the protocols see the very same transfers and faults and the
// differences in a row come from the protocols alone.
//
// Runs go through scenarios.Run and are measured by checker.MeasureCommit
// and judged by the scenario's checkers; this package only schedules the
// runs on a worker pool (like package sweep, it is one of the few places
// with goroutines: each world stays single-threaded) and aggregates the
// results into one Row per protocol and fault class, in a fixed order, so
// the table is the same for any number of workers.
package compare
