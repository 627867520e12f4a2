package checker

import (
	"testing"
	"time"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
	"github.com/stretchr/testify/require"
)

// Regression (issue 13, crash points of redis-lock --restart-after 30ms):
// client-1 crashes holding the lock, restarts, and re-acquires it itself
// once its key expired; client-2, waiting all along, gets it only when
// client-1 releases. The lease did its work at the re-acquire: that is the
// takeover, not client-2's later grant. Ids: client-1 0, client-2 1,
// "lock-manager" 2 stands in for Redis.
func TestTakeoverByTheRestartedHolderItself(t *testing.T) {
	h := history(2, time.Second, []sim.Crash{{Time: 100 * ms, Node: 0}},
		rec{1 * ms, 0, obs.LockRequest{Lock: "l", Req: "1"}},
		rec{2 * ms, 2, obs.Holder{Lock: "l", Client: "client-1"}},
		rec{3 * ms, 0, obs.LockGranted{Lock: "l", Req: "1"}},
		rec{50 * ms, 1, obs.LockRequest{Lock: "l", Req: "1"}},
		rec{190 * ms, 2, obs.Holder{Lock: "l"}},
		rec{194 * ms, 2, obs.Holder{Lock: "l", Client: "client-1"}},
		rec{196 * ms, 0, obs.LockGranted{Lock: "l", Req: "2"}},
		rec{360 * ms, 1, obs.LockGranted{Lock: "l", Req: "1"}},
	)
	h.Names[0] = "client-1"
	r := Takeover{Bound: 150 * ms}.Check(h)
	require.Equal(t, OK, r.Verdict, r.Message)
	require.Contains(t, r.Message, "the slowest after 96ms")
	// Without the re-acquire, client-2's grant 260ms after the crash is late.
	h.Observations = append(h.Observations[:5], h.Observations[7])
	require.Equal(t, Violation, Takeover{Bound: 150 * ms}.Check(h).Verdict)
}

// Regression (issue 13, zk-lock-fenced-faults seed 15319 and seven more):
// the ZooKeeper server is paused from before the holder's crash until
// after the heal; it can hand the lock on only once it runs again. Time
// it was paused or down, or cut off from the next holder, does not count;
// a pause of another node or a cut elsewhere excuses nothing.
func TestZKTakeoverExcludesTimeTheServerCouldNotAct(t *testing.T) {
	zkCase := func(outages ...sim.Outage) *History {
		h := history(2, 3*time.Second, []sim.Crash{{Time: 812 * ms, Node: 0}},
			rec{1 * ms, 2, obs.Holder{Lock: "l", Client: "client-1", Token: 3, Durable: true}},
			rec{2 * ms, 0, obs.LockGranted{Lock: "l", Req: "1", Token: 3}},
			rec{1762 * ms, 2, obs.Holder{Lock: "l", Client: "client-2", Token: 4, Durable: true}},
			rec{1767 * ms, 1, obs.LockGranted{Lock: "l", Req: "1", Token: 4}})
		h.Outages = outages
		return h
	}
	bound := ZKTakeover{From: 1200 * ms, Bound: 350 * ms}
	paused := sim.Outage{Kind: sim.OutPaused, Node: 2, Peer: sim.None, From: 541 * ms, To: 1762 * ms}
	r := bound.Check(zkCase(paused))
	require.Equal(t, OK, r.Verdict, r.Message)
	require.Contains(t, r.Message, "the slowest 5ms")

	require.Equal(t, Violation, bound.Check(zkCase()).Verdict, "no outage: 567ms after the heal is late")
	other := paused
	other.Node = 3 // storage
	require.Equal(t, Violation, bound.Check(zkCase(other)).Verdict, "storage's pause excuses nothing")

	down := sim.Outage{Kind: sim.OutDown, Node: 2, Peer: sim.None, From: 900 * ms, To: 1700 * ms}
	require.Equal(t, OK, bound.Check(zkCase(down)).Verdict)
	cut := sim.Outage{Kind: sim.OutCut, Node: 2, Peer: 1, From: 1000 * ms, To: -1}
	require.Equal(t, OK, bound.Check(zkCase(cut)).Verdict, "cut from the next holder until the end")
	cutOther := sim.Outage{Kind: sim.OutCut, Node: 2, Peer: 3, From: 1000 * ms, To: -1}
	require.Equal(t, Violation, bound.Check(zkCase(cutOther)).Verdict, "a cut to storage excuses nothing")
}

func TestTakeoverExcludesTimeTheServiceWasPaused(t *testing.T) {
	h := history(2, time.Second, []sim.Crash{{Time: 100 * ms, Node: 0}},
		rec{1 * ms, 0, obs.LockRequest{Lock: "l", Req: "1"}},
		rec{2 * ms, 2, obs.LockGrant{Client: "client-1", Lock: "l", Req: "1"}},
		rec{3 * ms, 0, obs.LockGranted{Lock: "l", Req: "1"}},
		rec{50 * ms, 1, obs.LockRequest{Lock: "l", Req: "1"}},
		rec{600 * ms, 1, obs.LockGranted{Lock: "l", Req: "1"}},
	)
	require.Equal(t, Violation, Takeover{Bound: 200 * ms}.Check(h).Verdict)
	h.Outages = []sim.Outage{{Kind: sim.OutPaused, Node: 2, Peer: sim.None, From: 150 * ms, To: 500 * ms}}
	r := Takeover{Bound: 200 * ms}.Check(h)
	require.Equal(t, OK, r.Verdict, r.Message)
	require.Contains(t, r.Message, "after 150ms")
}

// Regression (crash points of lockmgr-crash): client-1 crashes holding the
// lock; client-2, queued for it, crashes too (and restarts, asking afresh
// as a new process); the manager grants the lock to client-2's old
// request when client-1's lease runs out, a grant nobody takes up, and
// client-3 gets the lock when that lease runs out in turn. Each lease did
// its work within bound: the grant to the dead request took client-1's
// lock over, and client-3's took over client-2's. Ids: client-1 0,
// client-2 1, client-3 2, lock-manager 3.
func TestTakeoverThroughAGrantToADeadRequest(t *testing.T) {
	late := func(third time.Duration) *History {
		return history(3, time.Second, []sim.Crash{{Time: 3 * ms, Node: 0}, {Time: 122 * ms, Node: 1}},
			rec{1 * ms, 0, obs.LockRequest{Lock: "l", Req: "0.1"}},
			rec{2 * ms, 3, obs.LockGrant{Client: "client-1", Lock: "l", Req: "0.1"}},
			rec{2 * ms, 0, obs.LockGranted{Lock: "l", Req: "0.1"}},
			rec{2 * ms, 1, obs.LockRequest{Lock: "l", Req: "0.1"}},
			rec{2 * ms, 2, obs.LockRequest{Lock: "l", Req: "0.1"}},
			rec{152 * ms, 1, obs.LockRequest{Lock: "l", Req: "1.1"}}, // restarted: a new request
			rec{152 * ms, 3, obs.LockGrant{Client: "client-2", Lock: "l", Req: "0.1"}},
			rec{153 * ms, 3, obs.LockGrant{Client: "client-2", Lock: "l", Req: "0.1"}}, // resent
			rec{third, 3, obs.LockGrant{Client: "client-3", Lock: "l", Req: "0.1"}},
			rec{third + ms, 2, obs.LockGranted{Lock: "l", Req: "0.1"}},
		)
	}
	bound := Takeover{Bound: 200 * ms}
	r := bound.Check(late(304 * ms))
	require.Equal(t, OK, r.Verdict, r.Message)
	require.Contains(t, r.Message, "2 locks of crashed holders taken over, the slowest after 153ms")

	// A lease given to the dead request that never runs out is caught: it
	// is client-2's lock now, and client-3 waits past the bound for it.
	r = bound.Check(late(400 * ms))
	require.Equal(t, Violation, r.Verdict, r.Message)
	require.Contains(t, r.Evidence[0], "client-2 crashed holding l at 0.152000000s; client-3 got it next only at 0.401000000s")

	// A grant to a live request is no takeover by a dead client: with
	// client-2 never crashing, the only crashed holder is client-1, and
	// client-3's grant 398ms after its crash is late.
	h := late(400 * ms)
	h.Crashes = h.Crashes[:1]
	r = bound.Check(h)
	require.Equal(t, Violation, r.Verdict, r.Message)
	require.Contains(t, r.Evidence[0], "client-1 crashed holding l")
}

// The same, with client-2 crashing at the very instant of the grant to
// its request (a crash that the observations' walk hands out only after
// the facts of that instant): still a grant nobody takes up.
func TestTakeoverThroughAGrantAtTheInstantItsClientCrashed(t *testing.T) {
	h := history(3, time.Second, []sim.Crash{{Time: 3 * ms, Node: 0}, {Time: 152 * ms, Node: 1}},
		rec{1 * ms, 0, obs.LockRequest{Lock: "l", Req: "0.1"}},
		rec{2 * ms, 3, obs.LockGrant{Client: "client-1", Lock: "l", Req: "0.1"}},
		rec{2 * ms, 0, obs.LockGranted{Lock: "l", Req: "0.1"}},
		rec{2 * ms, 1, obs.LockRequest{Lock: "l", Req: "0.1"}},
		rec{2 * ms, 2, obs.LockRequest{Lock: "l", Req: "0.1"}},
		rec{152 * ms, 3, obs.LockGrant{Client: "client-2", Lock: "l", Req: "0.1"}},
		rec{305 * ms, 2, obs.LockGranted{Lock: "l", Req: "0.1"}},
	)
	r := Takeover{Bound: 200 * ms}.Check(h)
	require.Equal(t, OK, r.Verdict, r.Message)
	require.Contains(t, r.Message, "2 locks of crashed holders taken over")
}
