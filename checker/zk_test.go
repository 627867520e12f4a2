package checker

import (
	"testing"
	"time"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
)

func kids(names ...string) []obs.ZKChild {
	var out []obs.ZKChild
	for i := 0; i+1 < len(names); i += 2 {
		var cz int64
		for _, c := range names[i+1] {
			cz = cz*10 + int64(c-'0')
		}
		out = append(out, obs.ZKChild{Name: names[i], Czxid: cz})
	}
	return out
}

// Two sessions create nodes; s1 expires (a server operation) and s2's
// node is then alone. Node ids: client-1 = 0, client-2 = 1, "lock-manager"
// stands in for the server (2).
func zkHistory(final []obs.ZKChild, pendingCreate bool) *History {
	recs := []rec{
		{1 * ms, 0, obs.ZKCall{Session: 1, Xid: 1, Op: "create", Lock: "l", Node: "a"}},
		{3 * ms, 0, obs.ZKReturn{Session: 1, Xid: 1, Op: "create", Lock: "l", Node: "a-lock-0000000000", Czxid: 3}},
		{4 * ms, 1, obs.ZKCall{Session: 2, Xid: 1, Op: "create", Lock: "l", Node: "b"}},
		{6 * ms, 1, obs.ZKReturn{Session: 2, Xid: 1, Op: "create", Lock: "l", Node: "b-lock-0000000001", Czxid: 4}},
		{7 * ms, 1, obs.ZKCall{Session: 2, Xid: 2, Op: "exists", Lock: "l", Node: "a-lock-0000000000", Watch: true}},
		{8 * ms, 1, obs.ZKReturn{Session: 2, Xid: 2, Op: "exists", Lock: "l", Node: "a-lock-0000000000", Exists: true, Czxid: 3}},
		{20 * ms, 2, obs.ZKSessionExpired{Session: 1, Client: "client-1", Zxid: 5}},
		{21 * ms, 1, obs.ZKCall{Session: 2, Xid: 3, Op: "children", Lock: "l"}},
		{23 * ms, 1, obs.ZKReturn{Session: 2, Xid: 3, Op: "children", Lock: "l", Children: final}},
		{24 * ms, 0, obs.ZKCall{Session: 1, Xid: 2, Op: "delete", Lock: "l", Node: "a-lock-0000000000"}},
		{26 * ms, 0, obs.ZKReturn{Session: 1, Xid: 2, Op: "delete", Lock: "l", Err: "session-expired"}},
	}
	if pendingCreate {
		recs = append(recs, rec{30 * ms, 1, obs.ZKCall{Session: 2, Xid: 4, Op: "create", Lock: "l", Node: "c"}},
			rec{40 * ms, 1, obs.ZKCall{Session: 2, Xid: 5, Op: "children", Lock: "l"}},
			rec{42 * ms, 1, obs.ZKReturn{Session: 2, Xid: 5, Op: "children", Lock: "l", Children: append(final, kids("c-lock-0000000002", "9")...)}})
	}
	return history(2, time.Second, nil, recs...)
}

func TestZKHistoryWithExpiryIsLinearizable(t *testing.T) {
	r := ZKLinearizable{Timeout: time.Second}.Check(zkHistory(kids("b-lock-0000000001", "4"), false))
	if r.Verdict != OK {
		t.Fatalf("%s", r)
	}
}

// After s1's expiry its node must be gone: a getChildren still listing it
// cannot be ordered after the expiry it follows in real time.
func TestZKChildrenStillListingAnExpiredNodeIsIllegal(t *testing.T) {
	r := ZKLinearizable{Timeout: time.Second}.Check(zkHistory(kids("a-lock-0000000000", "3", "b-lock-0000000001", "4"), false))
	if r.Verdict != Violation || len(r.Evidence) == 0 {
		t.Fatalf("%s", r)
	}
}

// A create whose answer never came may have made a node: a later
// getChildren showing it (with its czxid, unknown until then) is legal.
func TestZKPendingCreateMayHaveTakenEffect(t *testing.T) {
	r := ZKLinearizable{Timeout: time.Second}.Check(zkHistory(kids("b-lock-0000000001", "4"), true))
	if r.Verdict != OK || r.Message == "" {
		t.Fatalf("%s", r)
	}
}

// Czxids grow with creation order: a child listed with a smaller czxid
// than the one before it is illegal.
func TestZKCzxidsMustGrow(t *testing.T) {
	h := zkHistory(kids("b-lock-0000000001", "4"), false)
	h.Observations = append(h.Observations,
		sim.Observation{Time: 50 * ms, Node: 0, Data: obs.ZKCall{Session: 7, Xid: 1, Op: "create", Lock: "l", Node: "d"}},
		sim.Observation{Time: 52 * ms, Node: 0, Data: obs.ZKReturn{Session: 7, Xid: 1, Op: "create", Lock: "l", Node: "d-lock-0000000002", Czxid: 2}})
	if r := (ZKLinearizable{Timeout: time.Second}).Check(h); r.Verdict != Violation {
		t.Fatalf("%s", r)
	}
}

// The crashed holder's node goes when its session expires and the waiter
// learns within the bound: ok; a bound shorter than that is a violation.
func TestZKTakeoverFromTheServersRecord(t *testing.T) {
	h := history(2, time.Second, []sim.Crash{{Time: 10 * ms, Node: 0}},
		rec{1 * ms, 2, obs.Holder{Lock: "l", Client: "client-1", Token: 3, Durable: true}},
		rec{2 * ms, 0, obs.LockGranted{Lock: "l", Req: "1", Token: 3}},
		rec{160 * ms, 2, obs.Holder{Lock: "l", Client: "client-2", Token: 4, Durable: true}},
		rec{165 * ms, 1, obs.LockGranted{Lock: "l", Req: "1", Token: 4}})
	if r := (ZKTakeover{From: 0, Bound: 200 * ms}).Check(h); r.Verdict != OK {
		t.Fatalf("%s", r)
	}
	if r := (ZKTakeover{From: 0, Bound: 100 * ms}).Check(h); r.Verdict != Violation {
		t.Fatalf("%s", r)
	}
	// A crash while the server no longer records the client as holder
	// (its session expired earlier) owes nothing.
	h2 := history(2, time.Second, []sim.Crash{{Time: 500 * ms, Node: 0}},
		rec{1 * ms, 2, obs.Holder{Lock: "l", Client: "client-1", Token: 3, Durable: true}},
		rec{160 * ms, 2, obs.Holder{Lock: "l", Client: "client-2", Token: 4, Durable: true}})
	if r := (ZKTakeover{From: 0, Bound: 100 * ms}).Check(h2); r.Verdict != OK {
		t.Fatalf("%s", r)
	}
}
