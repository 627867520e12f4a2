// Package compare runs the comparison grid: every commit protocol of the
// commit family under every fault class for the same seeds. The family is
// a registry (scenarios.RegisterCommit: one line per protocol, the
// built-ins in scenarios/commit3.go), so a protocol registered anywhere in
// the binary joins the grid, `simrun compare --protocols` and CompareSpec
// with no edit here. A seed fixes the workload (stream "workload") and the
// fault schedule (stream "faults", by role), so in one column the
// protocols see the very same transfers and faults and the differences in
// a row come from the protocols alone.
//
// Runs go through scenarios.Run and are measured by checker.MeasureCommit
// and judged by the scenario's checkers; a violation counts as unsafe or
// unlive by its checker's Class, never by its name. This package only
// schedules the runs on a worker pool (like package sweep, it is one of the
// few places with goroutines: each world stays single-threaded) and
// aggregates the results into one Row per protocol and fault class, in a
// fixed order, so the table is the same for any number of workers.
package compare
