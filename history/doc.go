// Package history reads, writes and checks operation histories in
// Faultline's JSON Lines format, one operation per line:
//
//	{"client": 1, "key": "x", "op": "cas", "expect": 0, "value": 5, "ok": true, "call": 10, "return": 20}
//
// It is how a history recorded anywhere — by Faultline, by a test of a
// real system, by a Go test of one's own — is checked for
// linearizability against a lock or a register model. `simrun check` is a
// thin command over it; a Go test calls Parse (or builds a History) and
// Check directly.
//
// Fields: client (integer), key (string, optional), op (acquire or release
// for the lock model; read, write or cas for the register model), value
// (integer: written, read, or the new value of a cas), expect (integer,
// cas only), ok (boolean, default true: acquire granted, release
// accepted, cas succeeded), call and return (integer timestamps; return
// absent or null = the operation never returned). A register starts at 0,
// a lock free. Intervals are closed: an operation returning at 20 and one
// called at 20 overlap.
//
// The model checking itself is the checker package's (CheckLocks,
// CheckRegister, over porcupine); this package only turns lines into its
// operations.
package history
