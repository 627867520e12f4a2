// Package sim is Faultline's deterministic simulation kernel.
//
// A World holds named nodes, a network of directed links, one durable store
// per node, per-node clocks, and a single event queue ordered by (simulated
// time, insertion sequence). Protocol code is written as message-driven state
// machines (Node) and acts only through the Env the kernel hands it: its local
// clock, Send, timers, its own random stream, its durable store, and Observe,
// which records a protocol-level fact for the checkers.
//
// Everything random is drawn from streams derived from the world's one seed,
// one stream per purpose (network, faults, workload, each node), so that
// changing the fault plan does not reshuffle the workload. Nothing in this
// package reads the wall clock, starts a goroutine or touches global
// randomness: the same seed and inputs give the same trace, event for event,
// and Trace.Hash proves it.
//
// Faults reach the world through the Fault interface (see package faults for
// schedules as data) and through observation hooks, which may crash the
// observing node synchronously: a node crashed inside its own handler loses
// every action it takes after that point, which is how crash points such as
// "after the votes are in, before the decision is logged" are expressed.
package sim
