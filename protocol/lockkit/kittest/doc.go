// Package kittest is a lock service written for a test of the lock kit,
// none of the built-ins: the lease box. It proves that a new lock service
// is one package. The package touches nothing else: its init registers it
// in the lock family (scenarios.RegisterLock) and its planted bugs, with
// how each is caught, in the bug catalog (catalog.Register), and one blank
// import makes simrun know it. Its test runs it under sweep,
// shrink and crash points and has each find its planted bug.
//
// The lease box is one server ("leasebox") that keeps, per lock, a lease:
// holder, token and expiry, on the server's clock. An acquire is granted
// when the lock is free or its lease ran out, with the next token of one
// durable counter, and refused as busy otherwise: there is no queue, a
// refused client tries again after a short random delay (lockkit.Client's
// Retry). A release names its token. The lease, the counter and the answer
// given are written in one atomic batch, so a crash anywhere leaves a
// resent request its answer and never grants a held lock again.
//
// Planted bug volatile-leases: the server keeps leases and the counter in
// memory only, so a restarted server grants a lock whose holder is still
// working under it.
package kittest
