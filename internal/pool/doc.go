// Package pool runs many independent, deterministic simulation runs (the
// seeds of a sweep, the cells of a compare grid) on a few goroutines. It
// is the one place those tools spread work over CPUs, stop early on
// request, and report progress, so that each of them only says what one
// run is.
package pool
