package checker

import (
	"strings"
	"testing"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
)

func rop(client int, kind, value string, ok bool, call, ret int64) RedisOp {
	return RedisOp{Client: client, Service: "redis", Key: "k", Kind: kind, Value: value, OK: ok, Call: call, Return: ret}
}

func TestRedisModelOnHandMadeHistories(t *testing.T) {
	expire := func(value string, at int64) RedisOp {
		return RedisOp{Client: 9, Service: "redis", Key: "k", Kind: "expire", Value: value, OK: true, Call: at, Return: at}
	}
	pending := func(op RedisOp) RedisOp { op.Pending = true; return op }
	cases := []struct {
		name string
		ops  []RedisOp
		want Verdict
	}{
		{"lock, refuse, expire, lock again", []RedisOp{
			rop(1, "set-nx", "a", true, 0, 10), rop(2, "set-nx", "b", false, 20, 30),
			expire("a", 40), rop(2, "set-nx", "b", true, 50, 60), rop(1, "check-del", "a", false, 70, 80),
			rop(2, "check-extend", "b", true, 90, 100), rop(2, "check-del", "b", true, 110, 120)}, OK},
		{"second lock with no expiry or delete between: the key was lost", []RedisOp{
			rop(1, "set-nx", "a", true, 0, 10), rop(2, "set-nx", "b", true, 20, 30)}, Violation},
		{"an expiry of a value the key does not hold", []RedisOp{
			rop(1, "set-nx", "a", true, 0, 10), expire("b", 20)}, Violation},
		{"check-and-delete succeeding for a non-owner", []RedisOp{
			rop(1, "set-nx", "a", true, 0, 10), rop(2, "check-del", "b", true, 20, 30)}, Violation},
		{"a plain DEL may delete anyone's key", []RedisOp{
			rop(1, "set-nx", "a", true, 0, 10), rop(2, "del", "", true, 20, 30), rop(3, "set-nx", "c", true, 40, 50)}, OK},
		{"a pending SET NX may have taken effect", []RedisOp{
			pending(rop(1, "set-nx", "a", false, 0, 0)), rop(2, "set-nx", "b", false, 20, 30)}, OK},
		{"or not", []RedisOp{
			pending(rop(1, "set-nx", "a", false, 0, 0)), rop(2, "set-nx", "b", true, 20, 30)}, OK},
		{"a pending SET NX the server says succeeded did take effect", []RedisOp{
			{Client: 1, Service: "redis", Key: "k", Kind: "set-nx", Value: "a", OK: true, Pending: true, Known: true},
			rop(2, "set-nx", "b", true, 20, 30)}, Violation},
		{"GET must read the current value", []RedisOp{
			rop(1, "set", "a", true, 0, 10), {Client: 2, Service: "redis", Key: "k", Kind: "get", Read: "b", Call: 20, Return: 30}}, Violation},
		{"keys of different services are independent", []RedisOp{
			rop(1, "set-nx", "a", true, 0, 10), {Client: 2, Service: "redis-2", Key: "k", Kind: "set-nx", Value: "b", OK: true, Call: 20, Return: 30}}, OK},
		{"concurrent SET NX: either may win", []RedisOp{
			rop(1, "set-nx", "a", false, 0, 30), rop(2, "set-nx", "b", true, 10, 20)}, OK},
	}
	for _, c := range cases {
		if got := CheckRedis(c.ops, LinearizabilityTimeout); got.Verdict != c.want {
			t.Errorf("%s: %s, want %s (%s)", c.name, got.Verdict, c.want, got.Summary())
		}
	}
}

// RedisOps resolves what the client never saw from what the servers
// recorded: a command served but unanswered keeps the server's result; one
// never served, or refused by a replica, had no effect and is left out.
func TestRedisOpsFromFacts(t *testing.T) {
	call := func(id, op, value string) obs.RedisCall {
		return obs.RedisCall{Service: "redis", Server: "storage", Key: "k", Op: op, Value: value, ID: id}
	}
	h := history(2, 100*ms, nil,
		rec{1 * ms, 0, call("1", "set-nx", "a")},
		rec{2 * ms, 3, obs.RedisServed{Service: "redis", Key: "k", Client: "client-1", ID: "1", OK: true}},
		// client-1 never hears back; client-2's first call is lost, its
		// second refused by a replica, its third answered.
		rec{5 * ms, 1, call("1", "set-nx", "b")},
		rec{6 * ms, 1, call("2", "set-nx", "b")},
		rec{7 * ms, 1, obs.RedisReply{Service: "redis", Key: "k", ID: "2", Err: "not-master"}},
		rec{8 * ms, 1, call("3", "set-nx", "b")},
		rec{9 * ms, 3, obs.RedisServed{Service: "redis", Key: "k", Client: "client-2", ID: "3", OK: false}},
		rec{10 * ms, 1, obs.RedisReply{Service: "redis", Key: "k", ID: "3", OK: false}},
		rec{50 * ms, 3, obs.RedisExpired{Service: "redis", Key: "k", Value: "a", Client: "client-1"}},
	)
	ops := RedisOps(h)
	if len(ops) != 3 {
		t.Fatalf("want the served call, the answered call and the expiry, got %+v", ops)
	}
	if !ops[0].Pending || !ops[0].Known || !ops[0].OK || ops[1].Pending || ops[1].OK || ops[2].Kind != "expire" || ops[2].Call != ops[2].Return {
		t.Fatalf("ops %+v", ops)
	}
	if r := (RedisLinearizable{Timeout: LinearizabilityTimeout}).Check(h); r.Verdict != OK {
		t.Fatalf("%s", r)
	}
	// Replace the expiry by a second successful lock: client-1's served
	// SET NX holds the key, so client-2's cannot succeed.
	h.Observations[len(h.Observations)-1] = rec{20 * ms, 1, call("4", "set-nx", "b")}.obs()
	h.Observations = append(h.Observations, rec{22 * ms, 1, obs.RedisReply{Service: "redis", Key: "k", ID: "4", OK: true}}.obs())
	r := RedisLinearizable{Timeout: LinearizabilityTimeout}.Check(h)
	if r.Verdict != Violation || !strings.Contains(r.Message, "redis/k") {
		t.Fatalf("a lost key must be a violation naming service and key: %s", r)
	}
}

func (r rec) obs() sim.Observation { return sim.Observation{Time: r.at, Node: r.node, Data: r.fact} }
