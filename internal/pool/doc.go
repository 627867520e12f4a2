// Package pool runs many independent, deterministic simulation runs (the
// seeds of a sweep, the cells of a compare grid) on a few goroutines. It
// is the one place those tools spread work over CPUs, stop early on
// request, and report progress, so that each of them only says what one
// run is. While runs go on it also sets the collector to a memory budget
// rather than a percentage (gc.go), since their garbage is many small
// worlds and their live heap small.
package pool
