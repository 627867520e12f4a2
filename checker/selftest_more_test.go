package checker

import (
	"time"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
)

// Self-test tables for the checkers selftest_test.go leaves out: ballots,
// inventory and the linearizability checkers of the versioned store, of
// Redis and of ZooKeeper. Same disruptions, same reading of the letters;
// every verdict is worked out by hand from the property (the comments say
// how where it is not plain).

// Acceptors of the ballots tables: the three nodes of hist().
const (
	acc1 = coord
	acc2 = p1
	acc3 = p2
)

func accept(ballot int64, value string) obs.Accept {
	return obs.Accept{Txn: "t1", Instance: "p", Ballot: ballot, Value: value, Quorum: 2}
}

func promise(ballot int64) obs.Promise { return obs.Promise{Txn: "t1", Instance: "p", Ballot: ballot} }

func ballotsHist(os ...sim.Observation) func() *History {
	return func() *History { return hist(100*ms, append([]sim.Observation(nil), os...)...) }
}

func kvHist(recs ...rec) func() *History {
	return func() *History { return history(2, 100*ms, nil, recs...) }
}

func kvRead(req string, value, version int64) obs.KVReturn {
	return obs.KVReturn{Req: req, Key: "x", Op: "get", OK: true, Value: value, Version: version}
}

func redisCall(id, op, value string) obs.RedisCall {
	return obs.RedisCall{Service: "r", Server: "lock-manager", Key: "l", Op: op, Value: value, ID: id}
}

func redisServed(client, id string) obs.RedisServed {
	return obs.RedisServed{Service: "r", Key: "l", Client: client, ID: id, OK: true}
}

func redisReply(id string) obs.RedisReply {
	return obs.RedisReply{Service: "r", Key: "l", ID: id, OK: true}
}

// redisExpiry: the server's key l, holding the node's name (the value its
// set-nx wrote), runs out at t.
func redisExpiry(h *History, node sim.NodeID, t time.Duration) {
	h.Observations = append(h.Observations, sim.Observation{Time: t, Node: svc, Data: obs.RedisExpired{Service: "r", Key: "l", Value: h.name(node), Client: h.name(node)}})
}

// zkExpiry: the server expires the node's session (client-1 has session
// 1, client-2 session 2).
func zkExpiry(h *History, node sim.NodeID, t time.Duration) {
	h.Observations = append(h.Observations, sim.Observation{Time: t, Node: svc, Data: obs.ZKSessionExpired{Session: int64(node) + 1, Client: h.name(node)}})
}

// zkBase is zkHistory with a final getChildren listing final; without
// client-1's late delete (answered session-expired) when withDelete is
// false.
func zkBase(final []obs.ZKChild, withDelete bool) func() *History {
	return func() *History {
		h := zkHistory(final, false)
		if !withDelete {
			keep := h.Observations[:0]
			for _, o := range h.Observations {
				if o.Time < 24*ms {
					keep = append(keep, o)
				}
			}
			h.Observations = keep
		}
		return h
	}
}

func moreSelfTables() []selfTable {
	redisOK := []rec{
		{1 * ms, cl1, redisCall("1", "set-nx", "client-1")}, {2 * ms, svc, redisServed("client-1", "1")}, {3 * ms, cl1, redisReply("1")},
		{40 * ms, cl1, redisCall("2", "check-del", "client-1")}, {41 * ms, svc, redisServed("client-1", "2")}, {42 * ms, cl1, redisReply("2")},
		{60 * ms, cl2, redisCall("1", "set-nx", "client-2")}, {61 * ms, svc, redisServed("client-2", "1")}, {62 * ms, cl2, redisReply("1")},
	}
	// The same without client-1's release: client-2 acquires a key
	// client-1 still holds.
	redisTwo := append(append([]rec(nil), redisOK[:3]...), redisOK[6:]...)
	return []selfTable{
		{
			// acceptors 1 and 2 accept "prepared" at ballot 1 (chosen);
			// 2 and 3 promise ballot 2 and accept "aborted" (chosen too).
			name: "ballots", checker: Ballots{}, wantAll: Violation,
			base: ballotsHist(
				obsAt(1, acc1, accept(1, "prepared")), obsAt(2, acc2, accept(1, "prepared")),
				obsAt(5, acc2, promise(2)), obsAt(6, acc3, promise(2)),
				obsAt(8, acc2, accept(2, "aborted")), obsAt(9, acc3, accept(2, "aborted"))),
			bounds: []boundary{
				// acceptor-2 is in both quorums: without its first accept
				// "prepared" is not chosen, without its later facts
				// "aborted" is not. A pause only delays them, in order.
				{"accept ballot 1 at acceptor 2", 2 * ms, acc2, "OOVVVV--"},
				{"promise ballot 2 at acceptor 2", 5 * ms, acc2, "OOVVVV--"},
				{"accept ballot 2 at acceptor 2", 8 * ms, acc2, "OVVVVV--"},
				{"accept ballot 1 at acceptor 1", 1 * ms, acc1, "OVVVVV--"},
				{"accept ballot 2 at acceptor 3", 9 * ms, acc3, "OVVVVV--"},
			},
		},
		{
			// The same with the second leader proposing the value already
			// chosen (what a correct phase 1 makes it do): one value.
			name: "ballots (same value)", checker: Ballots{}, wantAll: OK,
			base: ballotsHist(
				obsAt(1, acc1, accept(1, "prepared")), obsAt(2, acc2, accept(1, "prepared")),
				obsAt(5, acc2, promise(2)), obsAt(6, acc3, promise(2)),
				obsAt(8, acc2, accept(2, "prepared")), obsAt(9, acc3, accept(2, "prepared"))),
			bounds: []boundary{
				{"accept ballot 1 at acceptor 2", 2 * ms, acc2, "OOOOOO--"},
				{"accept ballot 2 at acceptor 3", 9 * ms, acc3, "OOOOOO--"},
			},
		},
		{
			// acceptor-1 promises ballot 3, then accepts ballot 2: below
			// its promise. A promise is durable, so a restart between
			// does not excuse it.
			name: "ballots (accept below promise)", checker: Ballots{}, wantAll: Violation,
			base: ballotsHist(obsAt(1, acc1, promise(3)), obsAt(5, acc1, accept(2, "prepared"))),
			bounds: []boundary{
				{"promise ballot 3", 1 * ms, acc1, "UOVVVV--"},
				{"accept ballot 2", 5 * ms, acc1, "OVVVVV--"},
			},
		},
		{
			// acceptor-1 promises 3 then 2: its promise went down.
			name: "ballots (promise goes down)", checker: Ballots{}, wantAll: Violation,
			base: ballotsHist(obsAt(1, acc1, promise(3)), obsAt(5, acc1, promise(2))),
			bounds: []boundary{
				{"promise ballot 2", 5 * ms, acc1, "OVVVVV--"},
			},
		},
		{
			// 10 units of x. client-1 orders 3, the store applies 7, client-1
			// is told sold; client-2 orders 8 and is told out of stock.
			name: "inventory", checker: Inventory{Initial: map[string]int64{"x": 10}}, wantAll: OK,
			base: kvHist(
				rec{1 * ms, cl1, obs.Order{Order: "o1", Item: "x", Units: 3}},
				rec{2 * ms, stor, obs.KVApplied{Key: "x", Client: "client-1", Version: 1, Value: 7}},
				rec{3 * ms, cl1, obs.Sold{Order: "o1", Item: "x", Units: 3}},
				rec{5 * ms, cl2, obs.Order{Order: "o2", Item: "x", Units: 8}},
				rec{7 * ms, cl2, obs.OutOfStock{Order: "o2", Item: "x", Stock: 7}}),
			bounds: []boundary{
				// Stock that falls with no order behind it is a
				// violation; an order whose client crashed before the
				// outcome is in doubt and may have sold.
				{"order of client-1", 1 * ms, cl1, "VOOOOO--"},
				{"sale applied (at the store)", 2 * ms, stor, "VOOOOO--"},
				{"sold to client-1", 3 * ms, cl1, "OOOOOO--"},
				{"order of client-2", 5 * ms, cl2, "OOOOOO--"},
				{"out of stock for client-2", 7 * ms, cl2, "OOOOOO--"},
			},
		},
		{
			// Both clients buy 6 of 10 and are told sold, but the store
			// applied 4 twice (client-2 read the stock before client-1's
			// sale): 12 confirmed, 6 gone.
			name: "inventory (oversold)", checker: Inventory{Initial: map[string]int64{"x": 10}}, wantAll: Violation,
			base: kvHist(
				rec{1 * ms, cl1, obs.Order{Order: "o1", Item: "x", Units: 6}},
				rec{2 * ms, cl2, obs.Order{Order: "o2", Item: "x", Units: 6}},
				rec{3 * ms, stor, obs.KVApplied{Key: "x", Client: "client-1", Version: 1, Value: 4}},
				rec{4 * ms, cl1, obs.Sold{Order: "o1", Item: "x", Units: 6}},
				rec{6 * ms, stor, obs.KVApplied{Key: "x", Client: "client-2", Version: 2, Value: 4}},
				rec{7 * ms, cl2, obs.Sold{Order: "o2", Item: "x", Units: 6}}),
			bounds: []boundary{
				// Without client-2's confirmation its 6 are in doubt and
				// the books can balance.
				{"sold to client-2", 7 * ms, cl2, "OVVVVV--"},
				{"client-2's sale applied (at the store)", 6 * ms, stor, "VVVVVV--"},
				{"sold to client-1", 4 * ms, cl1, "OVVVVV--"},
			},
		},
		{
			// A sale that drives the stock below zero.
			name: "inventory (negative)", checker: Inventory{Initial: map[string]int64{"x": 2}}, wantAll: Violation,
			base: kvHist(
				rec{1 * ms, cl1, obs.Order{Order: "o1", Item: "x", Units: 3}},
				rec{2 * ms, stor, obs.KVApplied{Key: "x", Client: "client-1", Version: 1, Value: -1}},
				rec{3 * ms, cl1, obs.Sold{Order: "o1", Item: "x", Units: 3}}),
			bounds: []boundary{
				{"sale applied (at the store)", 2 * ms, stor, "VVVVVV--"},
				{"sold to client-1", 3 * ms, cl1, "VVVVVV--"},
			},
		},
		{
			// x starts at 10 (version 0). client-1's cas to 7 returns at
			// 5ms; client-2 reads 7 at version 1.
			name: "kv-linear", checker: RegisterLinearizable{Initial: map[string]int64{"x": 10}, Timeout: time.Second}, wantAll: OK,
			base: kvHist(
				rec{3 * ms, cl1, obs.KVCall{Req: "1", Key: "x", Op: "cas", Expect: 0, Value: 7}},
				rec{5 * ms, cl1, obs.KVReturn{Req: "1", Key: "x", Op: "cas", OK: true}},
				rec{8 * ms, cl2, obs.KVCall{Req: "1", Key: "x", Op: "get"}},
				rec{9 * ms, cl2, kvRead("1", 7, 1)}),
			bounds: []boundary{
				// A cas never called cannot explain the read; one paused
				// before its call starts after the read returned.
				{"call of client-1's cas", 3 * ms, cl1, "VOOOVO--"},
				// Unanswered, the cas may have taken effect.
				{"return of client-1's cas", 5 * ms, cl1, "OOOOOO--"},
				{"return of client-2's read", 9 * ms, cl2, "OOOOOO--"},
			},
		},
		{
			// client-2's cas from version 0 succeeds after client-1's cas
			// from version 0 returned: a lost update.
			name: "kv-linear (lost update)", checker: RegisterLinearizable{Initial: map[string]int64{"x": 10}, Timeout: time.Second}, wantAll: Violation,
			base: kvHist(
				rec{3 * ms, cl1, obs.KVCall{Req: "1", Key: "x", Op: "cas", Expect: 0, Value: 7}},
				rec{5 * ms, cl1, obs.KVReturn{Req: "1", Key: "x", Op: "cas", OK: true}},
				rec{8 * ms, cl2, obs.KVCall{Req: "1", Key: "x", Op: "cas", Expect: 0, Value: 2}},
				rec{10 * ms, cl2, obs.KVReturn{Req: "1", Key: "x", Op: "cas", OK: true}}),
			bounds: []boundary{
				// Either cas unanswered may not have happened; paused, both
				// are still answered ok and one of them must have failed.
				{"return of client-1's cas", 5 * ms, cl1, "OVVVVV--"},
				{"call of client-2's cas", 8 * ms, cl2, "OOVVVV--"},
				{"return of client-2's cas", 10 * ms, cl2, "OVVVVV--"},
			},
		},
		{
			// client-1 takes l (set-nx) and releases it (check-del);
			// client-2 takes it after.
			name: "redis-linear", checker: RedisLinearizable{Timeout: time.Second}, wantAll: OK, expire: redisExpiry,
			base: kvHist(redisOK...),
			bounds: []boundary{
				// The server served client-1's set-nx: unanswered, it
				// still holds the key and, unreleased and unexpired, the
				// key is not free for client-2. Expired, client-1's
				// check-del cannot find its value.
				{"client-1's set-nx returns", 3 * ms, cl1, "VVOOOOVV"},
				{"the server serves client-1's check-del", 41 * ms, svc, "OOOOOO--"},
				// client-2's key cannot expire before it is set; just
				// after the call the set-nx can come first.
				{"call of client-2's set-nx", 60 * ms, cl2, "OOOOOOVO"},
			},
		},
		{
			// client-2's set-nx succeeds while client-1's key is there.
			name: "redis-linear (two holders)", checker: RedisLinearizable{Timeout: time.Second}, wantAll: Violation, expire: redisExpiry,
			base: kvHist(redisTwo...),
			bounds: []boundary{
				// Served, client-2's set-nx counts even unanswered; its
				// own key expiring does not free client-1's.
				{"call of client-2's set-nx", 60 * ms, cl2, "OVVVVVVV"},
				// client-1's key expiring before client-2's set-nx could
				// take effect frees it; after its return it is too late.
				{"call of client-2's set-nx (client-1's key)", 60 * ms, cl1, "VVVVVVOO"},
				{"return of client-2's set-nx (client-1's key)", 62 * ms, cl1, "VVVVVVOV"},
			},
		},
		{
			// Two sessions create nodes; session 1 expires at 20ms; a
			// getChildren lists only session 2's node; client-1's late
			// delete is refused: session-expired (zkHistory).
			name: "zk-linear", checker: ZKLinearizable{Timeout: time.Second}, wantAll: OK, expire: zkExpiry,
			base: zkBase(kids("b-lock-0000000001", "4"), true),
			bounds: []boundary{
				// Session 1 expiring around its create's return deletes
				// the node client-2 then finds.
				{"client-1's create returns", 3 * ms, cl1, "OOOOOOVV"},
				// Session 2 expired, its later getChildren must fail.
				{"client-2's exists returns", 8 * ms, cl2, "OOOOOOVV"},
				// Without the expiry (or with it late) client-1's node
				// must still be listed and its delete cannot be refused.
				{"the server expires session 1", 20 * ms, svc, "VOOOVO--"},
				{"client-2's getChildren returns", 23 * ms, cl2, "OOOOOOOO"},
			},
		},
		{
			// The getChildren after the expiry still lists session 1's
			// node (no late delete here).
			name: "zk-linear (stale children)", checker: ZKLinearizable{Timeout: time.Second}, wantAll: Violation, expire: zkExpiry,
			base: zkBase(kids("a-lock-0000000000", "3", "b-lock-0000000001", "4"), false),
			bounds: []boundary{
				{"the server expires session 1", 20 * ms, svc, "OVVVOV--"},
				// An unanswered read is inert; session 2 expired, its
				// getChildren must fail.
				{"call of client-2's getChildren", 21 * ms, cl2, "OOVVVVVV"},
			},
		},
	}
}
