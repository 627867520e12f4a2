// Package realserver starts, stops and faults real Redis and ZooKeeper
// servers on loopback ports, for the conformance tests and the live mode.
//
// StartRedis runs Debian's redis-server with flags only (no config file,
// no daemonizing) in a fresh temporary directory; StartZooKeeper runs
// ZooKeeper standalone with Java (QuorumPeerMain on a generated zoo.cfg).
// Both return a *Server once it answers (Redis PING, ZooKeeper's srvr
// four-letter word), within a hard start-up bound. A Server is one process
// group — the server and anything it forks — and every fault acts on the
// whole group:
//
//	Kill     SIGKILL, and wait for it: kill -9, nothing flushed
//	Restart  start again on the same port and directory (Redis reloads its
//	         append-only file, ZooKeeper its snapshot and transaction log)
//	Pause    SIGSTOP: the server still accepts TCP connections and buffers
//	         requests, but answers nothing and expires nothing
//	Resume   SIGCONT
//	Close    kill, wait and remove the directory; idempotent
//
// Nothing may be left running: every child is started with Setpgid and a
// parent-death signal (SIGKILL), so even a test binary that panics or is
// killed before its cleanups run takes its servers with it; the
// realservertest helpers register Close with t.Cleanup; CloseAll closes
// every server the
// process still has (for a CLI's signal handler); Children lists the child
// processes still alive, for a test binary to check that none are.
//
// Errors: a missing binary (redis-server, java, the ZooKeeper jar) wraps
// ErrMissing and names what is missing, so a test can skip outside CI and
// fail in CI (realservertest.Require), and a CLI can exit 2 with the
// one-line message. A port already in use wraps ErrPortInUse. A server that dies or does not
// answer during start-up gives an error that quotes the tail of its log.
//
// Network traffic stays on 127.0.0.1.
package realserver
