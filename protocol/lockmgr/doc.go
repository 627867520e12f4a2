// Package lockmgr is the seed article's pessimistic lock manager: one
// central manager grants locks on named resources, queues (FIFO) or refuses
// requests for held ones, and frees a lock whose holder lets its lease run
// out, so a crashed client cannot keep a lock for ever. Every grant carries
// a fencing token from one durable, increasing counter.
//
// Clients run jobs that each need several locks, taken in the job's own
// order, so two clients can wait for each other. The manager keeps the
// wait-for graph of its queues and, when a queued request closes a cycle,
// refuses that request (the victim); in timeout-only mode it instead
// refuses any request that waited longer than a bound, which also ends the
// deadlock but later and often for both clients.
//
// The client (Client, a lockkit.Service driven by lockkit.Client) asks for
// each lock of a job in the job's order, resending a request until it is
// answered. Holding every lock, the client enters its critical section:
// for each lock it reads the cell the lock protects on the storage node
// (lockkit.Storage), adds one and writes it back with the grant's token,
// then leaves and releases. It trusts a lease only until the time it sent
// the request that was granted plus the TTL minus a margin, and leaves the
// critical section at that deadline whatever it was doing. A refused
// client gives back what it holds and retries the job after a randomized,
// growing backoff; a restarted one first releases what it held. The
// manager answers a resent request from its durable record of the last
// answer to each client (lockkit.Replies).
//
// Data flow: client -> Acquire -> manager -> Grant | Queued | Deny;
// client -> Read/Write -> storage; client -> Release -> manager ->
// ReleaseReply. Facts recorded on the way (package obs) are what the
// checkers read.
//
// Planted bugs (Bugs, a plant.Catalog: grant-held, release-non-holder) are
// off unless a test or `simrun --bug` turns them on.
package lockmgr
