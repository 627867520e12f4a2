// Package proxy is a fault-injecting TCP proxy for live runs: it sits
// between the lock clients and one real server (redis-server, ZooKeeper)
// on 127.0.0.1 and delays, drops or refuses traffic, switchable while the
// run goes on.
//
// Each client connects through a door of its own (Door), so a fault can
// hit one client (a partition of that client from the server) or every
// client at once (Set with label "": a total partition, or the server's
// network gone). Faults:
//
//	Delay   every chunk is forwarded this long after it was read, in order
//	Drop    nothing is forwarded: bytes are read and thrown away, so the
//	        peer sees silence, as across a partition (connections stay
//	        open, new ones are accepted and hear nothing). A connection
//	        that lost bytes is closed when the drop ends: its byte stream
//	        has a hole, as a real TCP connection would have broken after
//	        a long partition.
//	Refuse  every connection is closed at once and new ones are closed as
//	        soon as they are accepted, as with a dead host that resets.
//
// SetTarget moves the proxy to another server (a virtual address moving
// to a promoted replica): open connections are closed, new ones go to the
// new target.
package proxy
