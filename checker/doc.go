// Package checker turns what a run recorded — observations (package obs)
// and the final durable state — into verdicts. Checkers never look inside
// protocol code, so they judge any protocol that records the same facts.
//
// A checker is a value implementing Checker: a name, a class (safety,
// liveness or info), the fact kinds it needs, and Check. Its options are
// fields — MutualExclusion{Fenced: true}, StorageSafety{Quorum: 3},
// Takeover{From: heal, Bound: ttl} — so a scenario configures a checker
// where it lists it, and callers count findings by Class (the comparison
// grid's safety column) instead of recognising checkers by name.
//
// RunAll is the one place results are made. It applies the no-evidence
// rule: a checker none of whose needed facts appears in the history
// reports unknown ("no evidence"), never ok — a system that records no
// critical sections has not been shown mutually exclusive. Needs lists the
// facts that make a check meaningful, not every fact it reads: Takeover
// needs lock grants, and with grants "no holder crashed" is a real ok.
// A checker of final state (Conservation) judges missing evidence itself.
//
// Results are values: ok, violation (with evidence naming nodes,
// transactions and times), blocked (a finding, not a safety violation: 2PC
// is expected to block), or unknown (no evidence, or the checker could not
// decide, e.g. a linearizability search that timed out). A checker never
// panics on an odd history; it says what it found.
package checker
