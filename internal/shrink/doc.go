// Package shrink minimizes a failing run's fault schedule: it removes
// timed actions and triggers, as long as the run still fails the same way,
// until no single one can go (delta debugging, Zeller's ddmin). What is
// left is the handful of faults that matter — the thing to read, replay
// and turn into a regression test.
//
// Everything else stays fixed: the scenario, the seed (so the workload and
// every node's random stream are the same), the planted bug, and the
// heal-all of a liveness phase, which is part of the check rather than a
// fault.
package shrink
