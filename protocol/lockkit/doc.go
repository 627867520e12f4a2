// Package lockkit is what every lock protocol shares, so that a lock
// service's package holds only its own story: how its server decides and
// how its client asks.
//
// Client is the one lock client driver. It runs a client's jobs in order —
// resuming after a restart at the first unfinished one — and for each job
// acquires the job's locks through the service (Service.Acquire, answered
// by Granted, Refused or Retry), enters the critical section if every lock
// is still to be trusted, works (Options.WorkBefore, WorkBetween), lets the
// service extend the lock (Extender) or veto the write (Guard), does the
// read-modify-write of each lock's storage cell carrying the lock's
// fencing token, leaves, and releases each lock (Service.Release,
// answered by Released). A lease deadline ends the critical section
// without a release; a refusal, a fenced-out write or a lost session
// (Lost) retries the job after a back-off (Backoff: Doubling, Jittered,
// Uniform). It records the lock facts the checkers read (obs.LockRequest
// ... obs.JobDone). A service keeps its own protocol state and messages and
// calls the driver back; lockmgr, redislock, redlock and zklock are such
// services, and package kittest is one written for a test.
//
// Storage is the node that locks protect: versioned integer cells that
// clients read, increment and write while they believe they hold the lock.
// It trusts its clients, as the seed article's pessimistic flow does, and
// records each write (obs.StorageWrite) with the version the writer had
// read and the version the write found, so a lost update — two clients
// acting as holders at once — is visible to the checkers. Every write
// carries the writer's token; with Fenced the node refuses a token lower
// than the highest it has accepted for the cell, on reads too, as
// Kleppmann proposes.
//
// Pending is a request resent until answered; Replies is a server's
// durable record of the last answer it gave each client, so a resent
// request gets the same answer and is never applied twice (the storage,
// the lock manager, the optimistic store and the lease box use it). Req
// numbers a client's requests across incarnations.
//
// Protocol is a lock service as the lock family's system builder
// (scenarios.Locks) sees it; Common and Fencing are the configuration parts
// the services share (their Validate is made of the project's one field
// check, package fields), and AddRoles adds a protocol's servers, the
// storage and the clients (AddClients the last two).
package lockkit
