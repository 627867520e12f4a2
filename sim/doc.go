// Package sim is Faultline's deterministic simulation kernel.
//
// A World holds named nodes, a network of directed links, one durable store
// per node, per-node clocks, and a single event queue ordered by (simulated
// time, insertion sequence). Protocol code is written as message-driven state
// machines (Node) and acts only through the Env the kernel hands it: its local
// clock, Send, timers, its own random stream, its durable store, and Observe,
// which records a protocol-level fact for the checkers.
//
// Durable state is plain data, read back typed. Env.Put (and Batch.Put)
// store a deep copy of the value, so stored state never aliases volatile
// memory or a message, and refuse pointers, funcs and channels with an
// error naming the key; Load and LoadFrom read a value as a type and panic
// with a *TypeError naming the key and both types when it is another. A
// Batch written with Env.Write is atomic: a crash keeps all of it or none.
// Env.Atomic goes further, for servers that apply a request as one
// transaction: the writes inside are one atomic write that reads inside
// already see, and the sends and records inside go out after it.
// Every write is synced as it is made; the store keeps unsynced writes
// apart all the same (a crash drops them), which is where a storage fault
// losing unsynced writes will plug in.
//
// Everything random is drawn from streams derived from the world's one seed,
// one stream per purpose (network, faults, workload, each node), so that
// changing the fault plan does not reshuffle the workload. Nothing in this
// package reads the wall clock, starts a goroutine or touches global
// randomness: the same seed and inputs give the same trace, event for event,
// and Trace.Hash proves it. Every run hashes its canonical trace as the
// events happen, stored or not (Config.NoTrace), so World.TraceHash is a
// fingerprint of every run, equal to the stored trace's Trace.Hash.
//
// The event loop is kept free of allocation: queue items hold no pointers,
// a payload that implements TraceAppender writes its trace text without
// fmt, and Send, Observe, SetTimer and Put — the typed forms of the Env
// methods — keep messages, facts, timer tags and stored values in per-type
// arenas instead of boxing each on the heap. Messages stay immutable once
// sent: an arena slot is written once and never reused.
//
// Faults reach the world through the Fault interface (see package faults for
// schedules as data) and through hooks, which may crash a node
// synchronously inside its own handler: the node then loses every action it
// takes after that point. Observation hooks (OnObserve) see each recorded
// fact, so a fault can follow "the votes are in". Effect hooks (OnEffect)
// see every effect of every handler — durable put, delete or batch, send,
// timer set or cancel, observation — named stably by node, handler run and
// index within the run, so a crash can be placed between any two effects
// whether or not a fact is recorded there. With no effect hook the kernel
// only counts effects, and the normal path does not allocate for them.
package sim
