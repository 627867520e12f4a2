// Package zklock is the ZooKeeper lock recipe on a simulated ZooKeeper.
//
// The server (node "zookeeper") stands for a whole replicated ensemble: one
// linearizable server whose state — sessions, znodes, watches, the zxid
// counter — is durable, so a crash is an ensemble-wide outage after which
// everything is as before. It keeps sessions alive on client heartbeats and
// expires a session whose client has been silent for the session timeout;
// like ZooKeeper's session tracker it measures that on its monotonic clock
// (timers), so jumps of its wall clock do not expire anyone, and after a
// restart every session gets a fresh timeout, as after a leader election.
// Expiring a session deletes its ephemeral nodes and notifies their
// watchers. Every write (session start and end, create, delete) takes the
// next zxid; a node's czxid is the zxid of its creation. Each transaction
// is one atomic durable write, as ZooKeeper logs a transaction whole.
//
// The client (Client, a lockkit.Service driven by lockkit.Client) follows
// the recipe of ZooKeeper's documentation: create
// <lock>/<guid>-lock- EPHEMERAL|SEQUENTIAL; getChildren; the lowest
// sequence number holds the lock; otherwise exists(predecessor, watch) on
// the predecessor only (no herd effect) and, when it is gone, getChildren
// again. The GUID lets a client whose create reply was lost find its own
// node instead of creating a second one and waiting on its orphan (Z2).
// Release is deleting one's node. The holder's fencing token is its node's
// czxid: each new holder's node was created after the previous holder's.
//
// In its critical section the client reads the cell its lock protects on
// the storage node (lockkit.Storage), works for Config.Work and writes the
// value plus one, with its token. It learns of the server only through
// answers: with no heartbeat answer for SuspendAfter it is "suspended" (it
// cannot tell whether its session lives) and only when it can talk to the
// server again does it learn whether the session expired ("lost"). What it
// does when suspended is Config.LeaveOnSuspend: by default it goes on, as
// the seed article's recipe does, believing it holds the lock until told
// its session is gone — Kleppmann's Z1: cut off or paused inside its
// critical section, it still writes after the next holder took over.
// Curator's advice (LeaveOnSuspend) stops the critical section when
// suspended, which narrows the window but cannot close it: a paused process
// does not notice anything until it runs again. Only fencing closes it.
//
// Package conformance checks this server against ZooKeeper 3.8 (random
// sequences of session opens, creates, getChildren, exists and data
// watches, deletes, closes, session expiries and server restarts, compared
// answer by answer
// with czxids counted from the first create, and watch event by event).
// Found and fixed: a delete of a missing node takes a zxid, as ZooKeeper's
// error txn does. Confirmed: a node's sequence number counts the creates
// under its parent — deletes leave no gap. Deliberate simplifications:
//   - Only ephemeral sequential nodes under implicit lock directories; no
//     data, no setData, no child watches. An exists on a missing node sets
//     no watch here; ZooKeeper sets one for the node's creation, which
//     cannot fire, since sequential names are never created twice.
//   - A session expires exactly SessionTimeout after its last request;
//     ZooKeeper expires it up to one tick later, and clamps the timeout to
//     2-20 ticks. The tests wait past both before they count on it.
//   - A closed session answers session-expired; a real client refuses
//     locally once closed.
//   - A crash is an ensemble-wide outage after which everything is as
//     before. The tests compare it with kill -9 and restart of a standalone
//     ZooKeeper, which agrees: sessions, nodes, watches and zxids go on.
//
// Data flow: client -> Connect/Request -> server -> Connected/Reply, and
// WatchEvent when a watched node goes; client -> Read/Write -> storage.
package zklock
