// Package checker turns what a run recorded — observations (package obs)
// and the final durable state — into verdicts. Checkers never look inside
// protocol code, so they judge any protocol that records the same facts.
//
// Results are values: ok, violation (with evidence naming nodes,
// transactions and times), blocked (a finding, not a safety violation: 2PC
// is expected to block), or unknown (the checker could not decide, e.g. a
// linearizability search that timed out). A checker never panics on an odd
// history; it says what it found.
package checker
