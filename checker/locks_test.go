package checker

import (
	"strings"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
)

const ms = time.Millisecond

// rec is one observation: at ms, by node, fact.
type rec struct {
	at   time.Duration
	node sim.NodeID
	fact obs.Fact
}

// history builds a History of nodes "client-1".."client-n" (ids 0..n-1)
// plus "lock-manager" and "storage".
func history(n int, end time.Duration, crashes []sim.Crash, recs ...rec) *History {
	h := &History{End: end, Crashes: crashes}
	for i := 1; i <= n; i++ {
		h.Names = append(h.Names, "client-"+string(rune('0'+i)))
	}
	h.Names = append(h.Names, "lock-manager", "storage")
	h.Up = make([]bool, len(h.Names))
	for i := range h.Up {
		h.Up[i] = true
	}
	for _, c := range crashes {
		h.Up[c.Node] = false
	}
	for _, r := range recs {
		h.Observations = append(h.Observations, sim.Observation{Time: r.at, Node: r.node, Data: r.fact})
	}
	return h
}

func TestMutualExclusionInTrueTime(t *testing.T) {
	enter := func(at time.Duration, c sim.NodeID, tok int64) rec {
		return rec{at, c, obs.EnterCS{Lock: "lock-1", Token: tok}}
	}
	leave := func(at time.Duration, c sim.NodeID, tok int64) rec {
		return rec{at, c, obs.LeaveCS{Lock: "lock-1", Token: tok, Why: "done"}}
	}
	seq := history(2, time.Second, nil, enter(10*ms, 0, 1), leave(20*ms, 0, 1), enter(20*ms, 1, 2), leave(30*ms, 1, 2))
	if r := (MutualExclusion{}).Check(seq); r.Verdict != OK {
		t.Fatalf("one after the other: %s", r)
	}
	overlap := history(2, time.Second, nil, enter(10*ms, 0, 1), enter(15*ms, 1, 2), leave(20*ms, 0, 1), leave(30*ms, 1, 2))
	r := MutualExclusion{}.Check(overlap)
	if r.Verdict != Violation || !strings.Contains(r.Message, "client-2 (token 2) entered at 0.015000000s while client-1 (token 1)") {
		t.Fatalf("overlap: %s", r)
	}
	// A holder that crashes inside stops believing at its crash: the next
	// holder entering later is no overlap, even with no cs-leave recorded.
	crashed := history(2, time.Second, []sim.Crash{{Time: 20 * ms, Node: 0}}, enter(10*ms, 0, 1), enter(30*ms, 1, 2), leave(40*ms, 1, 2))
	if r := (MutualExclusion{}).Check(crashed); r.Verdict != OK {
		t.Fatalf("crashed holder: %s", r)
	}
	alive := history(2, time.Second, nil, enter(10*ms, 0, 1), enter(30*ms, 1, 2), leave(40*ms, 1, 2))
	if r := (MutualExclusion{}).Check(alive); r.Verdict != Violation {
		t.Fatalf("holder that never left and never crashed: %s", r)
	}
}

func TestLostUpdates(t *testing.T) {
	w := func(at time.Duration, client string, read, prev int64) rec {
		return rec{at, 3, obs.StorageWrite{Key: "lock-1", Client: client, Token: 1, ReadVersion: read, PrevVersion: prev, Version: prev + 1, Value: read + 1}}
	}
	if r := (LostUpdates{}).Check(history(2, time.Second, nil, w(10*ms, "client-1", 0, 0), w(20*ms, "client-2", 1, 1))); r.Verdict != OK {
		t.Fatalf("chained writes: %s", r)
	}
	// client-2 read version 0 too, so its write overwrites client-1's.
	r := LostUpdates{}.Check(history(2, time.Second, nil, w(10*ms, "client-1", 0, 0), w(20*ms, "client-2", 0, 1)))
	if r.Verdict != Violation || !strings.Contains(r.Message, "client-2 (token 1) wrote at 0.020000000s based on version 0, but version 1 (by client-1") {
		t.Fatalf("lost update: %s", r)
	}
}

func TestTakeoverAfterHolderCrash(t *testing.T) {
	recs := func(grant2 time.Duration) []rec {
		return []rec{
			{1 * ms, 0, obs.LockRequest{Lock: "lock-1", Req: "0.1"}},
			{2 * ms, 0, obs.LockGranted{Lock: "lock-1", Req: "0.1", Token: 1}},
			{3 * ms, 1, obs.LockRequest{Lock: "lock-1", Req: "0.1"}},
			{grant2, 1, obs.LockGranted{Lock: "lock-1", Req: "0.1", Token: 2}},
		}
	}
	crash := []sim.Crash{{Time: 5 * ms, Node: 0}}
	if r := (Takeover{From: 0, Bound: 200 * ms}).Check(history(2, time.Second, crash, recs(155*ms)...)); r.Verdict != OK || !strings.Contains(r.Message, "after 150ms") {
		t.Fatalf("taken over after 150ms: %s", r)
	}
	if r := (Takeover{From: 0, Bound: 200 * ms}).Check(history(2, time.Second, crash, recs(500*ms)...)); r.Verdict != Violation {
		t.Fatalf("taken over after 495ms: %s", r)
	}
	// Waiting before the heal time is excused.
	if r := (Takeover{From: 400 * ms, Bound: 200 * ms}).Check(history(2, time.Second, crash, recs(500*ms)...)); r.Verdict != OK {
		t.Fatalf("taken over 100ms after healing: %s", r)
	}
	// A waiter that crashed before the holder did wants nothing: nobody is
	// owed a takeover.
	both := []sim.Crash{{Time: 4 * ms, Node: 1}, {Time: 5 * ms, Node: 0}}
	if r := (Takeover{From: 0, Bound: 200 * ms}).Check(history(2, time.Second, both, recs(2 * time.Second)[:3]...)); r.Verdict != OK {
		t.Fatalf("the only waiter crashed first: %s", r)
	}
}

func TestProgressFindsDeadlockAndReportsCycles(t *testing.T) {
	jobs := map[string]int{"client-1": 1, "client-2": 1}
	stuck := history(2, 2*time.Second, nil,
		rec{1 * ms, 0, obs.JobStart{Job: "j1"}}, rec{1 * ms, 1, obs.JobStart{Job: "j2"}},
		rec{2 * ms, 0, obs.LockRequest{Lock: "lock-2", Req: "0.2"}}, rec{2 * ms, 1, obs.LockRequest{Lock: "lock-1", Req: "0.2"}})
	r := Progress{Bound: 500 * ms, Jobs: jobs}.Check(stuck)
	if r.Verdict != Blocked || !strings.Contains(r.Message, "2 lock requests waited longer than 500ms") {
		t.Fatalf("two clients waiting for ever: %s", r)
	}
	resolved := history(2, 2*time.Second, nil,
		rec{2 * ms, 0, obs.LockRequest{Lock: "lock-2", Req: "0.2"}}, rec{3 * ms, 1, obs.LockRequest{Lock: "lock-1", Req: "0.2"}},
		rec{4 * ms, 2, obs.Deadlock{Lock: "lock-1", Cycle: []string{"client-2", "client-1", "client-2"}, Victim: "client-2"}},
		rec{5 * ms, 1, obs.LockDenied{Lock: "lock-1", Req: "0.2", Reason: "deadlock"}},
		rec{6 * ms, 0, obs.LockGranted{Lock: "lock-2", Req: "0.2", Token: 3}},
		rec{9 * ms, 0, obs.JobDone{Job: "j1"}}, rec{20 * ms, 1, obs.JobDone{Job: "j2"}})
	r = Progress{Bound: 500 * ms, Jobs: jobs}.Check(resolved)
	if r.Verdict != OK || !strings.Contains(r.Message, "every client finished") || len(r.Evidence) != 1 ||
		!strings.Contains(r.Evidence[0], "client-2 -> client-1 -> client-2") || !strings.Contains(r.Evidence[0], "victim client-2") {
		t.Fatalf("resolved deadlock: %s %v", r, r.Evidence)
	}
}

func TestInventory(t *testing.T) {
	initial := map[string]int64{"item-1": 10}
	sale := func(at time.Duration, c sim.NodeID, order string, units int64) []rec {
		return []rec{{at, c, obs.Order{Order: order, Item: "item-1", Units: units}}, {at + ms, c, obs.Sold{Order: order, Item: "item-1", Units: units}}}
	}
	applied := func(at time.Duration, v, ver int64) rec {
		return rec{at, 3, obs.KVApplied{Key: "item-1", Client: "client-1", Value: v, Version: ver}}
	}
	ok := append(append(sale(1*ms, 0, "o1", 6), applied(2*ms, 4, 1)), sale(3*ms, 1, "o2", 4)...)
	ok = append(ok, applied(4*ms, 0, 2))
	if r := (Inventory{Initial: initial}).Check(history(2, time.Second, nil, ok...)); r.Verdict != OK {
		t.Fatalf("10 units sold out of 10: %s", r)
	}
	// Both sales confirmed from the same version: 12 sold, stock fell by 6.
	over := append(append(sale(1*ms, 0, "o1", 6), sale(1*ms, 1, "o2", 6)...), applied(2*ms, 4, 1), applied(2*ms, 4, 2))
	if r := (Inventory{Initial: initial}).Check(history(2, time.Second, nil, over...)); r.Verdict != Violation || !strings.Contains(r.Message, "oversold") {
		t.Fatalf("oversold: %s", r)
	}
	// An order whose client crashed may have sold: stock falling by its
	// units is fine, falling by more is not.
	doubt := []rec{{1 * ms, 0, obs.Order{Order: "o1", Item: "item-1", Units: 3}}, applied(2*ms, 7, 1)}
	if r := (Inventory{Initial: initial}).Check(history(1, time.Second, nil, doubt...)); r.Verdict != OK {
		t.Fatalf("in-doubt sale: %s", r)
	}
	doubt[1] = applied(2*ms, 5, 1)
	if r := (Inventory{Initial: initial}).Check(history(1, time.Second, nil, doubt...)); r.Verdict != Violation {
		t.Fatalf("stock fell by more than in doubt: %s", r)
	}
}
