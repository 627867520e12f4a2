// Package zklock is the seed article's ZooKeeper lock as a real client of
// a real ZooKeeper (github.com/go-zookeeper/zk), recording each acquire
// and release as obs lock facts, and a monitor that records, from a
// session of its own, what the server says about the lock: who holds it
// (the owner of the lowest node) and when a holder's node vanished without
// a release — its session expired.
//
// The recipe: create <dir>/<client>-<guid>-lock- as an ephemeral
// sequential node; list the children and sort them by their sequence
// suffix; the lowest holds the lock, with the node's czxid as its fencing
// token; any other watches the node just below it (exists with a watch)
// and looks again when that goes. When a create's reply is lost (the
// connection broke), the client looks for its GUID among the children
// before creating again, so it never leaves a second node of its own.
//
// Sessions: the client learns that its session expired only from the
// server, on reconnecting; it treats StateExpired as "lock lost" (the
// library then opens a new session by itself, which holds nothing). A
// client cut off from the server cannot learn it and goes on believing —
// the case the live scenarios reproduce. Events are read by a callback
// and the library's event channel is drained, since a full channel drops
// events, StateExpired included.
package zklock
