// Package explore enumerates crash points systematically instead of
// waiting for random faults to hit them.
//
// A crash point is "node N crashes right after effect k of its h-th
// handler run": after it logs a prepared record, after it sends its vote,
// after it records that the votes are in. One fault-free run lists every
// effect each handler performs (through the kernel's effect hooks), so a
// crash between a durable write and a send is a point whether or not a
// fact is recorded there, and protocol code need not order itself around
// its observations. Only writes and sends change what survives a crash or
// what other nodes see, so the timers set and facts recorded after one stay
// with it: each point crashes after the last of them (Result.Distinct).
// Points are sampled per node and effect kind ("put prepared/", "send
// Vote", "observe votes-in"), spread over the run, and each gets a run of
// its own with exactly that crash — a faults.EffectCrash action, so the run
// can be saved, replayed and shrunk like any other — and optionally a
// restart. The crash happens inside the handler, so everything the node
// would have done after it in that step is lost: that is where protocols
// hide their recovery bugs.
package explore
