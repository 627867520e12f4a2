// Package jepsen converts register histories recorded by Jepsen tests of
// real databases into register histories of package history, which write
// the JSON Lines that `simrun check --model register` reads.
//
// The input is Jepsen's log of a single-register test: one line per
// invocation or completion, as in the etcd histories that porcupine keeps
// in its test_data/jepsen (from github.com/ahorn/linearizability-checker):
//
//	INFO  jepsen.util - 3	:invoke	:cas	[1 4]
//	INFO  jepsen.util - 3	:fail	:cas	[1 4]
//
// Lines of other loggers are skipped. Each line's number is its time, so
// the order of the log is the real-time order. An :info completion (a
// timeout) leaves the operation pending: the JSONL line gets no "return",
// as does an operation still open at the end of the log. A failed read
// (:fail :read :timed-out) returned having done nothing: "ok": false.
//
// Values: Jepsen's register starts missing (a read returns nil) and
// `simrun check`'s starts at 0, so nil becomes 0 and every value v becomes
// v+1 — a one-to-one renaming that keeps every verdict.
package jepsen
