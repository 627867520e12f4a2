// Package explore enumerates crash points systematically instead of
// waiting for random faults to hit them.
//
// A crash point is "node N crashes right after it records its k-th
// observation of kind K" — after it votes, after it logs a decision, after
// a lock is granted. One fault-free run lists every such point; then each
// point gets a run of its own, with exactly that crash (and, optionally, a
// restart), through the same trigger mechanism fault schedules use. A
// crash at an observation happens inside the node's handler, so everything
// the node would have done after it in that step is lost: that is where
// protocols hide their recovery bugs.
package explore
