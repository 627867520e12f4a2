package checker

import (
	"fmt"
	"hash/fnv"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/faultline-sim/faultline/obs"
)

// RedisOp is one operation of a Redis history: a command a client sent
// (Call when sent, Return when the reply came) or a key's expiry, which
// the server performs on its own (Kind "expire", Call == Return).
type RedisOp struct {
	Client  int
	Name    string
	Service string // the logical Redis: operations on different services or keys are independent
	Key     string
	Kind    string // "set-nx", "set", "get", "del", "pexpire", "check-del", "check-extend", "expire"
	Value   string // set or compared; for expire, the value the key held
	OK      bool
	Read    string // what a get returned
	Call    int64
	Return  int64
	Pending bool // the reply never reached the client: Return is ignored
	// Known: pending, but the server recorded serving it, so its result
	// (OK, Read) is known though the client never saw it.
	Known bool
	Note  string
}

// RedisOps turns a run's Redis facts into a history. A command whose reply
// never came is pending to the end, with the result the server recorded
// (obs.RedisServed) if it reached one, and left out if it reached none: it
// had no effect. A command refused by a replica had none either. An expiry
// is a server-side operation, in a lane of its own per server.
func RedisOps(h *History) []RedisOp {
	lanes, _ := clientLanes(h, func(d any) bool { _, ok := d.(obs.RedisCall); return ok })
	lane := laneOf(lanes)
	served := map[reqKey]obs.RedisServed{} // -> the first serving
	for _, o := range h.Observations {
		if f, ok := o.Data.(obs.RedisServed); ok {
			if _, dup := served[reqKey{f.Client, f.ID}]; !dup {
				served[reqKey{f.Client, f.ID}] = f
			}
		}
	}
	var ops []RedisOp
	drop := map[int]bool{}
	open := calls[reqKey, int]{} // -> index in ops
	for _, o := range h.Observations {
		node := h.name(o.Node)
		t := int64(o.Time)
		switch f := o.Data.(type) {
		case obs.RedisCall:
			open[reqKey{node, f.ID}] = len(ops)
			op := RedisOp{Client: lane(node), Name: node, Service: f.Service, Key: f.Key, Kind: f.Op,
				Value: f.Value, Call: t, Pending: true, Note: "sent to " + f.Server + ", id " + f.ID}
			if sv, ok := served[reqKey{node, f.ID}]; ok {
				op.Known, op.OK, op.Read = true, sv.OK, sv.Value
			} else {
				drop[len(ops)] = true // unless a reply turns up
			}
			ops = append(ops, op)
		case obs.RedisReply:
			i, ok := open.answer(reqKey{node, f.ID})
			if !ok {
				continue
			}
			if f.Err != "" {
				drop[i] = true
				continue
			}
			delete(drop, i)
			ops[i].OK, ops[i].Read, ops[i].Return, ops[i].Pending, ops[i].Known = f.OK, f.Value, t, false, false
		case obs.RedisExpired:
			ops = append(ops, RedisOp{Client: lane(node + " (expiry)"), Name: node, Service: f.Service, Key: f.Key, Kind: "expire",
				Value: f.Value, OK: true, Call: t, Return: t, Note: "server " + node + ": TTL ran out, holder " + f.Client})
		}
	}
	if len(drop) == 0 {
		return ops
	}
	kept := ops[:0]
	for i, op := range ops {
		if !drop[i] {
			kept = append(kept, op)
		}
	}
	return kept
}

// redisInput is one operation as the model sees it.
type redisInput struct {
	Part   string // service/key
	Kind   string
	Value  string
	Client int
}

type redisOutput struct {
	OK      bool
	Read    string
	Pending bool
}

// redisStep is a key's sequential specification (its value, "" =
// absent). TTLs are not modelled: a key ends only by a delete or by an
// expiry the server recorded, so a key that vanished otherwise (a restart
// without persistence, a failover to a replica that never got it) is
// caught. A command whose reply never came and whose serving was not
// recorded takes effect if it can and is legal everywhere (see lockStep).
func redisStep(s string, in redisInput, out redisOutput) (bool, string) {
	exists := s != ""
	matches := exists && s == in.Value
	if out.Pending {
		switch {
		case in.Kind == "set-nx" && !exists, in.Kind == "set":
			return true, in.Value
		case in.Kind == "del", in.Kind == "check-del" && matches:
			return true, ""
		}
		return true, s
	}
	switch in.Kind {
	case "set-nx":
		if out.OK && !exists {
			return true, in.Value
		}
		return !out.OK && exists, s
	case "set":
		return out.OK, in.Value
	case "get":
		return out.Read == s, s
	case "del":
		return out.OK == exists, ""
	case "pexpire":
		return out.OK == exists, s
	case "check-del":
		if out.OK && matches {
			return true, ""
		}
		return out.OK == matches, s
	case "check-extend":
		return out.OK == matches, s
	case "expire":
		return matches, ""
	}
	return false, s
}

func describeRedis(names func(int) string, in redisInput, out redisOutput) string {
	if in.Kind == "expire" {
		return fmt.Sprintf("%s expires (held %s)", in.Part, in.Value)
	}
	s := fmt.Sprintf("%s %s %s", names(in.Client), in.Kind, in.Part)
	if in.Value != "" {
		s += " " + in.Value
	}
	switch {
	case out.Pending:
		return s + " -> ?"
	case in.Kind == "get" && out.Read == "":
		return s + " -> nil"
	case in.Kind == "get":
		return s + " -> " + out.Read
	case out.OK:
		return s + " -> ok"
	}
	return s + " -> no"
}

// RedisModel is the porcupine model of Redis keys used as locks,
// partitioned by service and key.
func RedisModel(names func(int) string) porcupine.Model {
	return porcupine.Model{
		Partition: keyPartition(func(op porcupine.Operation) string { return op.Input.(redisInput).Part }),
		Init:      func() any { return "" },
		Step: func(state, input, output any) (bool, any) {
			return redisStep(state.(string), input.(redisInput), output.(redisOutput))
		},
		Equal: func(a, b any) bool { return a.(string) == b.(string) },
		Hash: func(state any) uint64 {
			h := fnv.New64a()
			h.Write([]byte(state.(string)))
			return h.Sum64()
		},
		DescribeOperation: func(input, output any) string {
			return describeRedis(names, input.(redisInput), output.(redisOutput))
		},
		DescribeState: func(state any) string {
			if state.(string) == "" {
				return "absent"
			}
			return state.(string)
		},
		DescribeOperationMetadata: describeMeta,
	}
}

// CheckRedis checks a Redis history for linearizability, key by key of
// each service.
//
// Inert operations are left out of the search (see the note before
// check): a command whose reply never came and that changes nothing (get,
// pexpire, check-extend), and a check-and-delete or check-and-extend
// refused for a value no SET could have stored in its key; of the other
// no-ops, only the innermost of each condition are kept (implied).
// Redlock's refusals are mostly such — the release of a value whose SET
// NX failed, a SET NX refused while another client held the key — and
// during a pause of one server dozens of them are concurrent: one
// redlock-faults history took 52 s to prove illegal with them, 7 ms
// without.
func CheckRedis(ops []RedisOp, timeout time.Duration) Linearizability {
	byIndex := map[int]string{}
	stored := map[string]bool{} // part + "\x00" + value: some SET may have stored it
	pending := 0
	for _, op := range ops {
		if op.Kind != "expire" {
			byIndex[op.Client] = op.Name
		}
		if (op.Kind == "set" || op.Kind == "set-nx") && (op.OK || op.Pending && !op.Known) {
			stored[op.Service+"/"+op.Key+"\x00"+op.Value] = true
		}
		if op.Pending {
			pending++
		}
	}
	names := nameFunc(byIndex)
	m := RedisModel(names)
	hist := make([]porcupine.Operation, 0, len(ops))
	for i, op := range ops {
		in := redisInput{Part: op.Service + "/" + op.Key, Kind: op.Kind, Value: op.Value, Client: op.Client}
		out := redisOutput{OK: op.OK, Read: op.Read, Pending: op.Pending && !op.Known}
		switch {
		case out.Pending && (op.Kind == "get" || op.Kind == "pexpire" || op.Kind == "check-extend"),
			(op.Kind == "check-del" || op.Kind == "check-extend") && !op.OK && !out.Pending && !stored[in.Part+"\x00"+op.Value]:
			continue // inert
		}
		ret := retOf(op.Return, op.Pending)
		hist = append(hist, porcupine.Operation{ClientId: op.Client, Input: in, Output: out, Call: op.Call, Return: ret,
			Metadata: opMeta{index: i, note: op.Note}})
	}
	hist = implied(hist, func(op porcupine.Operation) string {
		in, out := op.Input.(redisInput), op.Output.(redisOutput)
		if out.Pending {
			return ""
		}
		switch {
		case in.Kind == "set-nx" && !out.OK, in.Kind == "pexpire" && out.OK:
			return in.Part + "\x00present"
		case in.Kind == "del" && !out.OK, in.Kind == "pexpire" && !out.OK, in.Kind == "get" && out.Read == "":
			return in.Part + "\x00absent"
		case in.Kind == "get":
			return in.Part + "\x00= " + out.Read
		case in.Kind == "check-extend" && out.OK && in.Value != "":
			return in.Part + "\x00= " + in.Value
		case (in.Kind == "check-del" || in.Kind == "check-extend") && !out.OK:
			return in.Part + "\x00!= " + in.Value
		}
		return ""
	})
	l := check(m, hist, func(op porcupine.Operation) string { return op.Input.(redisInput).Part }, timeout)
	l.Ops, l.Pending = len(ops), pending
	l.rowName = names
	return l
}

// RedisLinearizable checks the Redis servers' history with porcupine:
// every command as its client saw it, every expiry as the server did it.
// A correct server gives a linearizable history even when a paused
// client goes on using a lock that expired: that is MutualExclusion's and
// StorageSafety's to see. What it catches is a server that forgets — a
// restart without persistence, a failover that loses a write.
type RedisLinearizable struct {
	Timeout time.Duration // bound on each porcupine search
}

func (RedisLinearizable) Name() string    { return "redis-linear" }
func (RedisLinearizable) Class() Class    { return ClassSafety }
func (RedisLinearizable) Needs() []string { return []string{obs.KindOf[obs.RedisCall]()} }

// Check runs the check.
func (x RedisLinearizable) Check(h *History) Result {
	return linResult("redis-linear", "redis", "key", CheckRedis(RedisOps(h), x.Timeout))
}
