package checker

import (
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
)

// Adversarial self-tests. Every checker gets hand-made histories with a
// crash, a restart, a pause and an expiry put immediately before and
// immediately after each boundary of the history it reads (a call, an
// entry, a leave, a grant, an expiry, a vote, a decision), each with the
// verdict a correct checker gives. The verdicts are written by hand from
// what the property means, not taken from the checker: a checker that
// ends a belief at a crash before the entry, releases a prepared
// transaction's locks at a crash, or misses a commit decided before a
// participant voted under-reports here and fails.
//
// The disruptions, at a point p on the boundary's node n:
//   - crash: n is down from p to the end; whatever it would have recorded
//     from p on never happened.
//   - restart: n crashes at p-eps/2 and is back at p; what it records
//     after p stays.
//   - pause: n handles nothing from p for pauseFor; what it would have
//     recorded in that time is recorded when it resumes, in order.
//   - expiry: the service expires n's lease or session at p (a fact of the
//     table's own kind); "-" where the checker has no expiry to read.
//
// "Immediately" is eps = 1µs, shorter than any gap between facts.

const (
	eps      = time.Microsecond
	pauseFor = 20 * time.Millisecond
)

type disruption int

const (
	crashAt disruption = iota
	restartAt
	pauseAt
	expiryAt
)

var disruptionNames = []string{"crash", "restart", "pause", "expiry"}

// boundary is one point of a base history with the verdicts expected when
// each disruption comes just before and just after it: want has eight
// letters, crash-before, crash-after, restart-before, restart-after,
// pause-before, pause-after, expiry-before, expiry-after; O ok, V
// violation, B blocked, U unknown, - not applicable.
type boundary struct {
	name string
	at   time.Duration
	node sim.NodeID
	want string
}

type selfTable struct {
	name    string
	checker Checker
	base    func() *History
	wantAll Verdict // the base history's verdict
	// expire records, at t, the service's expiry of node's lease or
	// session; nil when the checker has none to read.
	expire func(h *History, node sim.NodeID, t time.Duration)
	bounds []boundary
}

var letters = map[byte]Verdict{'O': OK, 'V': Violation, 'B': Blocked, 'U': Unknown}

func disrupt(h *History, d disruption, node sim.NodeID, p time.Duration, expire func(*History, sim.NodeID, time.Duration)) {
	switch d {
	case crashAt:
		keep := h.Observations[:0]
		for _, o := range h.Observations {
			if o.Node != node || o.Time < p {
				keep = append(keep, o)
			}
		}
		h.Observations = keep
		var crashes []sim.Crash
		for _, c := range h.Crashes {
			if c.Node != node || c.Time < p {
				crashes = append(crashes, c)
			}
		}
		h.Crashes = append(crashes, sim.Crash{Time: p, Node: node})
		var outs []sim.Outage
		for _, o := range h.Outages {
			if o.Node != node || o.From < p {
				outs = append(outs, o)
			}
		}
		h.Outages = append(outs, sim.Outage{Kind: sim.OutDown, Node: node, Peer: sim.None, From: p, To: -1})
		h.Up[node] = false
	case restartAt:
		down := p - eps/2
		keep := h.Observations[:0]
		for _, o := range h.Observations {
			if o.Node != node || o.Time < down || o.Time >= p {
				keep = append(keep, o)
			}
		}
		h.Observations = keep
		h.Crashes = append(h.Crashes, sim.Crash{Time: down, Node: node})
		h.Outages = append(h.Outages, sim.Outage{Kind: sim.OutDown, Node: node, Peer: sim.None, From: down, To: p})
	case pauseAt:
		for i, o := range h.Observations {
			if o.Node == node && o.Time >= p && o.Time < p+pauseFor {
				h.Observations[i].Time = p + pauseFor
			}
		}
		h.Outages = append(h.Outages, sim.Outage{Kind: sim.OutPaused, Node: node, Peer: sim.None, From: p, To: p + pauseFor})
	case expiryAt:
		expire(h, node, p)
	}
	sort.SliceStable(h.Observations, func(i, j int) bool { return h.Observations[i].Time < h.Observations[j].Time })
	sort.SliceStable(h.Crashes, func(i, j int) bool { return h.Crashes[i].Time < h.Crashes[j].Time })
	sort.SliceStable(h.Outages, func(i, j int) bool { return h.Outages[i].From < h.Outages[j].From })
}

func (tb selfTable) run(t *testing.T) int {
	t.Helper()
	if got := RunAll(tb.base(), []Checker{tb.checker})[0]; got.Verdict != tb.wantAll {
		t.Errorf("%s: base history: got %s, want %s", tb.name, got, tb.wantAll)
	}
	cases := 0
	for _, b := range tb.bounds {
		if len(b.want) != 8 {
			t.Fatalf("%s %s: want %q needs 8 letters", tb.name, b.name, b.want)
		}
		for i := 0; i < 8; i++ {
			if b.want[i] == '-' {
				continue
			}
			want, ok := letters[b.want[i]]
			if !ok {
				t.Fatalf("%s %s: bad letter %q", tb.name, b.name, b.want[i])
			}
			d := disruption(i / 2)
			p, side := b.at-eps, "before"
			if i%2 == 1 {
				p, side = b.at+eps, "after"
			}
			h := tb.base()
			disrupt(h, d, b.node, p, tb.expire)
			cases++
			if got := RunAll(h, []Checker{tb.checker})[0]; got.Verdict != want {
				t.Errorf("%s: %s just %s %s: got %s, want %s", tb.name, disruptionNames[d], side, b.name, got, want)
			}
		}
	}
	return cases
}

// Node ids of history(2, ...): the two clients, the service, the storage.
const (
	cl1 sim.NodeID = iota
	cl2
	svc
	stor
)

func lockHist(crashes []sim.Crash, recs ...rec) func() *History {
	return func() *History {
		// A fresh crash list each time: disrupt appends to it and sorts it.
		h := history(2, 300*ms, append([]sim.Crash(nil), crashes...), recs...)
		for _, c := range crashes {
			h.Outages = append(h.Outages, sim.Outage{Kind: sim.OutDown, Node: c.Node, Peer: sim.None, From: c.Time, To: -1})
		}
		return h
	}
}

func leaseExpiry(h *History, node sim.NodeID, t time.Duration) {
	h.Observations = append(h.Observations, sim.Observation{Time: t, Node: svc, Data: obs.LeaseExpired{Lock: "l", Client: h.name(node)}})
}

func sessionExpiry(h *History, node sim.NodeID, t time.Duration) {
	h.Observations = append(h.Observations, sim.Observation{Time: t, Node: svc, Data: obs.ZKSessionExpired{Session: 1, Client: h.name(node)}})
}

// keyExpiry: the service's key for the lock runs out; nobody holds it.
func keyExpiry(h *History, _ sim.NodeID, t time.Duration) {
	h.Observations = append(h.Observations, sim.Observation{Time: t, Node: svc, Data: obs.Holder{Lock: "l"}})
}

func commitHist(end time.Duration, os ...sim.Observation) func() *History {
	return func() *History {
		h := hist(end, append([]sim.Observation(nil), os...)...)
		h.Stores = stores(map[string]any{"balance/a": int64(95)}, map[string]any{"balance/b": int64(105)})
		return h
	}
}

func selfTables() []selfTable {
	return []selfTable{
		{
			// client-1 inside [10, 50], client-2 inside [30, 70]: overlap.
			name: "mutex", checker: MutualExclusion{}, wantAll: Violation, expire: leaseExpiry,
			base: lockHist(nil,
				rec{10 * ms, cl1, obs.EnterCS{Lock: "l"}}, rec{50 * ms, cl1, obs.LeaveCS{Lock: "l", Why: obs.LeaveDone}},
				rec{30 * ms, cl2, obs.EnterCS{Lock: "l"}}, rec{70 * ms, cl2, obs.LeaveCS{Lock: "l", Why: obs.LeaveDone}}),
			bounds: []boundary{
				// A crash before the entry does not end the belief that
				// starts after a restart; a crash after the entry does.
				{"enter client-1", 10 * ms, cl1, "OOVOVVVV"},
				{"leave client-1", 50 * ms, cl1, "VVVVVVVV"},
				{"enter client-2", 30 * ms, cl2, "OVVVVVVV"},
				{"leave client-2", 70 * ms, cl2, "VVVVVVVV"},
			},
		},
		{
			// client-1 holds l from 3ms and crashes at 40ms; client-2 asked
			// at 20ms and gets it at 105ms: 65ms, bound 50ms.
			name: "takeover", checker: Takeover{Bound: 50 * ms}, wantAll: Violation, expire: leaseExpiry,
			base: lockHist([]sim.Crash{{Time: 40 * ms, Node: cl1}},
				rec{1 * ms, cl1, obs.LockRequest{Lock: "l", Req: "1"}},
				rec{2 * ms, svc, obs.LockGrant{Lock: "l", Client: "client-1", Req: "1"}},
				rec{3 * ms, cl1, obs.LockGranted{Lock: "l", Req: "1"}}, rec{3 * ms, cl1, obs.EnterCS{Lock: "l"}},
				rec{20 * ms, cl2, obs.LockRequest{Lock: "l", Req: "1"}},
				rec{103 * ms, svc, obs.LeaseExpired{Lock: "l", Client: "client-1"}},
				rec{104 * ms, svc, obs.LockGrant{Lock: "l", Client: "client-2", Req: "1"}},
				rec{105 * ms, cl2, obs.LockGranted{Lock: "l", Req: "1"}}),
			bounds: []boundary{
				{"grant to client-1", 3 * ms, cl1, "OVVVVVVV"},
				{"call of client-2", 20 * ms, cl2, "OOVOVV--"},
				// The service down or paused while the holder's crash is
				// to be taken over excuses that time; a blip does not.
				{"holder's crash (at the service)", 40 * ms, svc, "OOVVOOVV"},
				{"grant to client-2 (at the service)", 104 * ms, svc, "VVVVVVVV"},
				{"client-2 learns its grant", 105 * ms, cl2, "VVVVVVVV"},
			},
		},
		{
			// The server records client-1 as holder; client-1 crashes at
			// 40ms; the server makes client-2 the holder at 103ms and
			// client-2 learns it at 105ms: 65ms, bound 50ms.
			name: "zk-takeover", checker: ZKTakeover{Bound: 50 * ms}, wantAll: Violation, expire: sessionExpiry,
			base: lockHist([]sim.Crash{{Time: 40 * ms, Node: cl1}},
				rec{1 * ms, svc, obs.Holder{Lock: "l", Client: "client-1", Token: 3, Durable: true}},
				rec{2 * ms, cl1, obs.LockGranted{Lock: "l", Req: "1", Token: 3}},
				rec{103 * ms, svc, obs.Holder{Lock: "l", Client: "client-2", Token: 4, Durable: true}},
				rec{105 * ms, cl2, obs.LockGranted{Lock: "l", Req: "1", Token: 4}}),
			bounds: []boundary{
				{"holder client-1 (at the server)", 1 * ms, svc, "UOVVVVVV"},
				{"holder's crash (at the server)", 40 * ms, svc, "OOVVOOVV"},
				{"holder client-2 (at the server)", 103 * ms, svc, "VVVVVVVV"},
				// client-2 crashing before it learns leaves its own node
				// holding the lock to the end: still not taken over.
				{"client-2 learns its grant", 105 * ms, cl2, "VVVVVVVV"},
			},
		},
		{
			// The server records client-1, frees the lock at 50ms and
			// records client-2 at 60ms; client-1 writes at 10ms (holder)
			// and at 70ms (stale), client-2 at 80ms.
			name: "storage", checker: StorageSafety{Quorum: 1}, wantAll: Violation, expire: keyExpiry,
			base: lockHist(nil,
				rec{1 * ms, svc, obs.Holder{Lock: "l", Client: "client-1"}},
				rec{10 * ms, stor, obs.StorageWrite{Key: "l", Client: "client-1", Version: 1, Value: 1}},
				rec{50 * ms, svc, obs.Holder{Lock: "l"}},
				rec{60 * ms, svc, obs.Holder{Lock: "l", Client: "client-2"}},
				rec{70 * ms, stor, obs.StorageWrite{Key: "l", Client: "client-1", ReadVersion: 1, PrevVersion: 1, Version: 2, Value: 2}},
				rec{80 * ms, stor, obs.StorageWrite{Key: "l", Client: "client-2", ReadVersion: 2, PrevVersion: 2, Version: 3, Value: 3}}),
			bounds: []boundary{
				{"holder client-1 (at the server)", 1 * ms, svc, "VVVVVVVV"},
				{"lock freed (at the server)", 50 * ms, svc, "VVVVVVVV"},
				{"holder client-2 (at the server)", 60 * ms, svc, "VVVVVVVV"},
				// A write the storage accepts while nobody holds the lock,
				// or another client does, is damage whatever the writer
				// does next; the storage's own crash drops what it would
				// have accepted.
				{"stale write accepted", 70 * ms, stor, "OVVVVVVV"},
			},
		},
		{
			name: "lost-updates", checker: LostUpdates{}, wantAll: Violation,
			base: lockHist(nil,
				rec{10 * ms, stor, obs.StorageWrite{Key: "l", Client: "client-1", Version: 1, Value: 1}},
				rec{20 * ms, stor, obs.StorageWrite{Key: "l", Client: "client-2", ReadVersion: 0, PrevVersion: 1, Version: 2, Value: 1}}),
			bounds: []boundary{
				// The storage records both writes: down before the first,
				// it recorded none.
				{"first write", 10 * ms, stor, "UOVVVV--"},
				{"write on a stale read", 20 * ms, stor, "OVVVVV--"},
			},
		},
		{
			// client-1 takes l at [1, 2]; client-2 takes it at [20, 21]
			// with no release or expiry between: not linearizable.
			name: "lock-linear", checker: LockLinearizable{}, wantAll: Violation, expire: leaseExpiry,
			base: lockHist(nil,
				rec{1 * ms, cl1, obs.LockRequest{Lock: "l", Req: "1"}}, rec{2 * ms, cl1, obs.LockGranted{Lock: "l", Req: "1"}},
				rec{20 * ms, cl2, obs.LockRequest{Lock: "l", Req: "1"}}, rec{21 * ms, cl2, obs.LockGranted{Lock: "l", Req: "1"}}),
			bounds: []boundary{
				// Expiring a lease its client does not hold is illegal.
				{"call of client-2", 20 * ms, cl2, "OOVVVVVV"},
				{"return of client-2", 21 * ms, cl2, "OVVVVVVV"},
				{"return of client-1", 2 * ms, cl1, "OVVVVVOO"},
				// client-1's lease expiring before client-2's acquire
				// returns makes it legal; after, it does not. Its crash
				// frees nothing: only the lease does.
				{"return of client-2 (client-1's lease)", 21 * ms, cl1, "VVVVVVOV"},
			},
		},
		{
			// client-1 is answered at once; client-2 asks at 20ms and is
			// answered at 200ms: 180ms, bound 100ms.
			name: "progress", checker: Progress{Bound: 100 * ms, Jobs: map[string]int{"client-1": 1, "client-2": 1}}, wantAll: Blocked,
			base: lockHist(nil,
				rec{1 * ms, cl1, obs.JobStart{Job: "j1", Locks: []string{"l"}}}, rec{1 * ms, cl1, obs.LockRequest{Lock: "l", Req: "1"}},
				rec{2 * ms, cl1, obs.LockGranted{Lock: "l", Req: "1"}}, rec{50 * ms, cl1, obs.JobDone{Job: "j1"}},
				rec{20 * ms, cl2, obs.JobStart{Job: "j2", Locks: []string{"l"}}}, rec{20 * ms, cl2, obs.LockRequest{Lock: "l", Req: "1"}},
				rec{200 * ms, cl2, obs.LockGranted{Lock: "l", Req: "1"}}, rec{210 * ms, cl2, obs.JobDone{Job: "j2"}}),
			bounds: []boundary{
				// A wait that ends in a crash is not a stall before it;
				// one with no answer until a crash 180ms later is.
				{"call of client-2", 20 * ms, cl2, "OOBBBB--"},
				{"answer to client-2", 200 * ms, cl2, "BBBBBB--"},
			},
		},
		{
			// participant-1 votes yes for t1 and t2 on account a before
			// deciding either: two undecided holders of a.
			name: "isolation", checker: Isolation{}, wantAll: Violation,
			base: commitHist(50*ms,
				obsAt(1, p1, yes("t1", "a", -60)), obsAt(5, p1, yes("t2", "a", -60)),
				obsAt(8, p1, obs.Decide{Txn: "t1", Commit: true}), obsAt(9, p1, obs.Decide{Txn: "t2", Commit: true})),
			bounds: []boundary{
				// A restart between the votes releases nothing.
				{"vote t1", 1 * ms, p1, "UOVVVV--"},
				{"vote t2", 5 * ms, p1, "OVVVVV--"},
				{"decide t1", 8 * ms, p1, "VVVVVV--"},
			},
		},
		{
			name: "isolation (in turn)", checker: Isolation{}, wantAll: OK,
			base: commitHist(50*ms,
				obsAt(1, p1, yes("t1", "a", -60)), obsAt(5, p1, obs.Decide{Txn: "t1", Commit: true}),
				obsAt(8, p1, yes("t2", "a", -60)), obsAt(9, p1, obs.Decide{Txn: "t2", Commit: true})),
			bounds: []boundary{
				{"decide t1", 5 * ms, p1, "OOOOOO--"},
				{"vote t2", 8 * ms, p1, "OOOOOO--"},
			},
		},
		{
			// t1 moves 60 from a, t3 brings 50 back: a ends at 90, b at 110.
			name: "accounts", checker: Accounts{Initial: 100}, wantAll: OK,
			base: func() *History {
				h := hist(50*ms,
					obsAt(1, p1, yes("t1", "a", -60)), obsAt(1, p2, yes("t1", "b", 60)),
					obsAt(3, p1, obs.Decide{Txn: "t1", Commit: true}), obsAt(3, p2, obs.Decide{Txn: "t1", Commit: true}),
					obsAt(5, p1, yes("t3", "a", 50)), obsAt(5, p2, yes("t3", "b", -50)),
					obsAt(6, p1, obs.Decide{Txn: "t3", Commit: true}), obsAt(6, p2, obs.Decide{Txn: "t3", Commit: true}))
				h.Stores = accountStores(90, 110)
				return h
			},
			bounds: []boundary{
				// Without its decision the balance the store holds has no
				// commit to account for it.
				{"vote t3", 5 * ms, p1, "VVOOOO--"},
				{"decide t3", 6 * ms, p1, "VOOOOO--"},
			},
		},
		{
			// The same, with t2 taking another 60 from a before t3: a
			// goes to -20 and ends at 30.
			name: "accounts (overdraft)", checker: Accounts{Initial: 100}, wantAll: Violation,
			base: func() *History {
				h := hist(50*ms,
					obsAt(1, p1, yes("t1", "a", -60)), obsAt(1, p2, yes("t1", "b", 60)),
					obsAt(2, p1, yes("t2", "a", -60)), obsAt(2, p2, yes("t2", "b", 60)),
					obsAt(3, p1, obs.Decide{Txn: "t1", Commit: true}), obsAt(3, p2, obs.Decide{Txn: "t1", Commit: true}),
					obsAt(4, p1, obs.Decide{Txn: "t2", Commit: true}), obsAt(4, p2, obs.Decide{Txn: "t2", Commit: true}),
					obsAt(5, p1, yes("t3", "a", 50)), obsAt(5, p2, yes("t3", "b", -50)),
					obsAt(6, p1, obs.Decide{Txn: "t3", Commit: true}), obsAt(6, p2, obs.Decide{Txn: "t3", Commit: true}))
				h.Stores = accountStores(30, 170)
				return h
			},
			bounds: []boundary{
				{"vote t2", 2 * ms, p1, "VVVVVV--"},
				{"decide t2 (the overdraft)", 4 * ms, p1, "VVVVVV--"},
			},
		},
		{
			name: "atomicity", checker: Atomicity{}, wantAll: OK,
			base: commitHist(50*ms, cleanRun()...),
			bounds: []boundary{
				// A vote recorded only after the commit decision was not
				// one the decision could rest on.
				{"vote participant-2", 2 * ms, p2, "VOOOVO--"},
				{"decide coordinator", 3 * ms, coord, "OOOOOO--"},
				{"decide participant-1", 4 * ms, p1, "OOOOOO--"},
			},
		},
		{
			name: "atomicity (split)", checker: Atomicity{}, wantAll: Violation,
			base: commitHist(50*ms,
				obsAt(1, coord, begin("t1")), obsAt(2, p1, obs.Vote{Txn: "t1", Yes: true}), obsAt(2, p2, obs.Vote{Txn: "t1", Yes: true}),
				obsAt(3, coord, obs.Decide{Txn: "t1", Commit: true}), obsAt(4, p1, obs.Decide{Txn: "t1", Commit: true}),
				obsAt(5, p2, obs.Decide{Txn: "t1", Commit: false})),
			bounds: []boundary{
				{"decide coordinator", 3 * ms, coord, "VVVVVV--"},
				{"abort participant-2", 5 * ms, p2, "OVVVVV--"},
			},
		},
		{
			name: "conservation", checker: Conservation{Initial: 200}, wantAll: OK,
			base: commitHist(50*ms, cleanRun()...),
			bounds: []boundary{
				// In doubt with a yes vote about a commit: its part is
				// pending, and the store already has it — money appeared.
				{"vote participant-2", 2 * ms, p2, "OVOOOO--"},
				{"decide participant-2", 4 * ms, p2, "VOOOOO--"},
			},
		},
		{
			name: "blocking", checker: Blocking{MinFor: 100 * ms}, wantAll: Blocked,
			base: commitHist(time.Second, obsAt(0, coord, begin("t1")), obsAt(1, p1, obs.Vote{Txn: "t1", Yes: true, Locks: []string{"a"}})),
			bounds: []boundary{
				// A participant down at the end is not waiting.
				{"vote participant-1", 1 * ms, p1, "OOBBBB--"},
			},
		},
		{
			name: "blocking (decided)", checker: Blocking{MinFor: 100 * ms}, wantAll: OK,
			base: commitHist(time.Second, obsAt(0, coord, begin("t1")), obsAt(1, p1, obs.Vote{Txn: "t1", Yes: true}),
				obsAt(500, p1, obs.Decide{Txn: "t1", Commit: false})),
			bounds: []boundary{
				{"decide participant-1", 500 * ms, p1, "OOOOOO--"},
			},
		},
		{
			// Healed at 100ms, bound 200ms: participant-1 decides at 250ms.
			name: "liveness", checker: Liveness{HealAt: 100 * ms, Bound: 200 * ms}, wantAll: OK,
			base: commitHist(time.Second, obsAt(0, coord, begin("t1")), obsAt(1, p1, obs.Vote{Txn: "t1", Yes: true}),
				obsAt(200, coord, obs.Decide{Txn: "t1", Commit: false}), obsAt(250, p1, obs.Decide{Txn: "t1", Commit: false})),
			bounds: []boundary{
				{"vote participant-1", 1 * ms, p1, "OVOOOO--"},
				// Down for good before deciding is undecided after healing.
				{"decide participant-1", 250 * ms, p1, "VOOOOO--"},
			},
		},
		{
			name: "liveness (late)", checker: Liveness{HealAt: 100 * ms, Bound: 200 * ms}, wantAll: Violation,
			base: commitHist(time.Second, obsAt(0, coord, begin("t1")), obsAt(1, p1, obs.Vote{Txn: "t1", Yes: true}),
				obsAt(200, coord, obs.Decide{Txn: "t1", Commit: false}), obsAt(350, p1, obs.Decide{Txn: "t1", Commit: false})),
			bounds: []boundary{
				{"decide participant-1", 350 * ms, p1, "VVVVVV--"},
			},
		},
	}
}

// TestCheckerSelfTables runs every table and logs the number of cases
// per checker.
func TestCheckerSelfTables(t *testing.T) {
	perChecker := map[string]int{}
	var order []string
	for _, tb := range append(selfTables(), moreSelfTables()...) {
		n := tb.run(t)
		name := reflect.TypeOf(tb.checker).Name()
		if _, seen := perChecker[name]; !seen {
			order = append(order, name)
		}
		perChecker[name] += n
	}
	total := 0
	for _, name := range order {
		total += perChecker[name]
		t.Logf("%-17s %3d cases", name, perChecker[name])
	}
	t.Logf("%-17s %3d cases", "all", total)
	if total == 0 {
		t.Fatal("no cases")
	}
}
