package checker

import (
	"testing"
	"time"

	"github.com/faultline-sim/faultline/obs"
	"pgregory.net/rapid"
)

// The models must never reject a history that is linearizable by
// construction: operations are run one at a time on a sequential lock (or
// register), each at its own linearization point, and every drawn call
// and return interval contains that point. A false "not linearizable" here
// would be a checker bug, the worst kind for a tool that judges protocols.

func TestLockModelAcceptsSequentialExecutions(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		holder, token := -1, int64(0)
		n := rapid.IntRange(1, 14).Draw(t, "ops")
		var ops []LockOp
		for i := 0; i < n; i++ {
			at := int64(100 * (i + 1))
			c := rapid.IntRange(0, 2).Draw(t, "client")
			op := LockOp{Client: c, Lock: "a", Call: at - rapid.Int64Range(0, 150).Draw(t, "before"),
				Return: at + rapid.Int64Range(0, 150).Draw(t, "after")}
			switch kind := rapid.IntRange(0, 2).Draw(t, "kind"); {
			case kind == 2 && holder >= 0:
				op = LockOp{Client: holder, Lock: "a", Kind: Expire, OK: true, Token: token, Call: at, Return: at}
				holder = -1
			case kind == 1:
				op.Kind, op.Token, op.OK = Release, token, holder == c
				if holder != c {
					op.Token = 0
				}
				if op.OK {
					holder = -1
				}
			default:
				op.Kind, op.OK = Acquire, holder < 0
				if op.OK {
					token += rapid.Int64Range(1, 3).Draw(t, "token step")
					holder, op.Token = c, token
				}
			}
			// An operation whose effect happened may still never return.
			if op.Kind != Expire && rapid.IntRange(0, 9).Draw(t, "pending") == 0 {
				op.Pending = true
			}
			ops = append(ops, op)
		}
		if l := CheckLocks(ops, 10*time.Second); l.Verdict != OK {
			t.Fatalf("sequential execution judged %s: %s\n%+v", l.Verdict, l.Summary(), ops)
		}
	})
}

func TestRegisterModelAcceptsSequentialExecutions(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		versioned := rapid.Bool().Draw(t, "versioned")
		value, version := int64(0), int64(0)
		n := rapid.IntRange(1, 14).Draw(t, "ops")
		var ops []RegisterOp
		for i := 0; i < n; i++ {
			at := int64(100 * (i + 1))
			op := RegisterOp{Client: rapid.IntRange(0, 2).Draw(t, "client"), Key: "x",
				Call: at - rapid.Int64Range(0, 150).Draw(t, "before"), Return: at + rapid.Int64Range(0, 150).Draw(t, "after")}
			switch rapid.IntRange(0, 2).Draw(t, "kind") {
			case 0:
				op.Kind, op.OK, op.Value, op.Version = Read, true, value, version
			case 1:
				op.Kind, op.OK, op.Value = Write, true, rapid.Int64Range(0, 3).Draw(t, "value")
				value, version = op.Value, version+1
			default:
				op.Kind, op.Value = CAS, rapid.Int64Range(0, 3).Draw(t, "new")
				current := value
				if versioned {
					current = version
				}
				op.Expect = current
				if rapid.Bool().Draw(t, "mismatch") {
					op.Expect = current + rapid.Int64Range(1, 2).Draw(t, "off")
				}
				op.OK = op.Expect == current
				if op.OK {
					value, version = op.Value, version+1
				}
			}
			if rapid.IntRange(0, 9).Draw(t, "pending") == 0 {
				op.Pending = true
			}
			ops = append(ops, op)
		}
		if l := CheckRegister(ops, versioned, nil, 10*time.Second); l.Verdict != OK {
			t.Fatalf("sequential execution judged %s: %s\n%+v", l.Verdict, l.Summary(), ops)
		}
	})
}

// The models give one successor per operation: an operation that never
// returned takes effect if it can, and "it did not take effect" is
// covered by porcupine placing it at the end of the history, where its
// return is. The tests below check that claim against a brute-force
// search of the older semantics — every order that respects real time,
// each pending operation either applied or dropped — on random short
// histories, most of them broken by a perturbed result. Both verdicts
// must agree, whichever they are.

// bruteForce reports whether some order of the n operations, respecting
// real time (a before b when a returned before b was called; pending
// operations never return), with each pending operation applied or
// dropped, is legal for step from init.
func bruteForce[S comparable](init S, n int, call, ret []int64, pending []bool, step func(s S, i int) (bool, S)) bool {
	type key struct {
		left uint32
		s    S
	}
	seen := map[key]bool{}
	var search func(left uint32, s S) bool
	search = func(left uint32, s S) bool {
		if left == 0 {
			return true
		}
		k := key{left, s}
		if done, ok := seen[k]; ok {
			return done
		}
		found := false
		for i := 0; i < n && !found; i++ {
			if left&(1<<i) == 0 {
				continue
			}
			first := true // no other operation left must come before i
			for j := 0; j < n; j++ {
				if j != i && left&(1<<j) != 0 && !pending[j] && ret[j] < call[i] {
					first = false
					break
				}
			}
			if !first {
				continue
			}
			if ok, next := step(s, i); ok && search(left&^(1<<i), next) {
				found = true
			} else if pending[i] && search(left&^(1<<i), s) {
				found = true
			}
		}
		seen[k] = found
		return found
	}
	return search(1<<n-1, init)
}

func drawSpan(t *rapid.T, at int64) (call, ret int64) {
	return at - rapid.Int64Range(0, 150).Draw(t, "before"), at + rapid.Int64Range(0, 150).Draw(t, "after")
}

// regRef is a register written from its definition, independent of
// regStep: value, and version counting successful updates.
type regRef struct{ value, version int64 }

func regRefStep(versioned bool, s regRef, op RegisterOp) (bool, regRef) {
	upd := regRef{op.Value, s.version + 1}
	cur := s.value
	if versioned {
		cur = s.version
	}
	switch {
	case op.Pending && op.Kind == Read:
		return true, s
	case op.Pending && op.Kind == Write, op.Pending && op.Kind == CAS && op.Expect == cur:
		return true, upd
	case op.Pending:
		return true, s
	case op.Kind == Read:
		return !op.OK || (op.Value == s.value && (!versioned || op.Version == s.version)), s
	case op.Kind == Write && op.OK:
		return true, upd
	case op.Kind == Write:
		return true, s
	case op.OK:
		return op.Expect == cur, upd
	}
	return op.Expect != cur, s
}

// The histories below come from a sequential system, each operation at
// its own instant inside its drawn interval; an operation may never
// return, with its effect applied or not; then, half the time, one
// result is changed, which usually makes the history illegal.

// pendingEffect draws whether an operation never returned and, if so,
// whether its effect happened anyway.
// historiesPerCheck: rapid's 100 checks of a few operations each are too
// few to meet the rarer interleavings, so each check draws several.
const historiesPerCheck = 5

func pendingEffect(t *rapid.T) (pending, effect bool) {
	pending = rapid.IntRange(0, 3).Draw(t, "pending") == 0
	return pending, !pending || rapid.Bool().Draw(t, "took effect")
}

func perturb(t *rapid.T, n int) int {
	if rapid.Bool().Draw(t, "perturb") {
		return rapid.IntRange(0, n-1).Draw(t, "perturbed op")
	}
	return -1
}

func TestRegisterModelMatchesBruteForce(t *testing.T) {
	againstBruteForce(t, func(t *rapid.T, n int) Verdict {
		versioned := rapid.Bool().Draw(t, "versioned")
		ops := make([]RegisterOp, n)
		s := regRef{}
		bad := perturb(t, n)
		for i := range ops {
			call, ret := drawSpan(t, int64(100*(i+1)))
			op := RegisterOp{Client: rapid.IntRange(0, 2).Draw(t, "client"), Key: "x", Call: call, Return: ret,
				Kind: RegisterOpKind(rapid.IntRange(0, 2).Draw(t, "kind")), Value: rapid.Int64Range(0, 2).Draw(t, "value"), OK: true}
			var effect bool
			op.Pending, effect = pendingEffect(t)
			cur := s.value
			if versioned {
				cur = s.version
			}
			switch op.Kind {
			case Read:
				op.Value, op.Version = s.value, s.version
			case CAS:
				op.Expect = cur + rapid.Int64Range(0, 1).Draw(t, "mismatch")
				op.OK = op.Expect == cur
			}
			if op.OK && op.Kind != Read && effect {
				s = regRef{op.Value, s.version + 1}
			}
			if i == bad {
				op.Value, op.Version, op.OK = op.Value+1, op.Version+1, !op.OK
			}
			ops[i] = op
		}
		call, ret, pending := spans(n, func(i int) (int64, int64, bool) { return ops[i].Call, ops[i].Return, ops[i].Pending })
		want := bruteForce(regRef{}, n, call, ret, pending, func(s regRef, i int) (bool, regRef) { return regRefStep(versioned, s, ops[i]) })
		return requireVerdict(t, want, CheckRegister(ops, versioned, nil, 10*time.Second), ops)
	})
}

func TestLockModelMatchesBruteForce(t *testing.T) {
	againstBruteForce(t, func(t *rapid.T, n int) Verdict {
		ops := make([]LockOp, n)
		holder, token := -1, int64(0)
		bad := perturb(t, n)
		for i := range ops {
			at := int64(100 * (i + 1))
			call, ret := drawSpan(t, at)
			c := rapid.IntRange(0, 2).Draw(t, "client")
			op := LockOp{Client: c, Lock: "a", Call: call, Return: ret, Kind: LockOpKind(rapid.IntRange(0, 2).Draw(t, "kind"))}
			var effect bool
			op.Pending, effect = pendingEffect(t)
			switch {
			case op.Kind == Expire && holder >= 0:
				op = LockOp{Client: holder, Lock: "a", Kind: Expire, OK: true, Token: token, Call: at, Return: at}
				holder = -1
			case op.Kind == Expire || op.Kind == Acquire:
				op.Kind, op.OK = Acquire, holder < 0
				if op.OK && effect {
					token += rapid.Int64Range(1, 2).Draw(t, "token step")
					holder, op.Token = c, token
				}
			default:
				op.OK = holder == c
				if op.OK {
					op.Token = token
				}
				if op.OK && effect {
					holder = -1
				}
			}
			if i == bad {
				op.OK, op.Token = !op.OK, op.Token+1
			}
			ops[i] = op
		}
		call, ret, pending := spans(n, func(i int) (int64, int64, bool) { return ops[i].Call, ops[i].Return, ops[i].Pending })
		want := bruteForce(lockRef{holder: -1}, n, call, ret, pending, func(s lockRef, i int) (bool, lockRef) { return lockRefStep(s, ops[i]) })
		return requireVerdict(t, want, CheckLocks(ops, 10*time.Second), ops)
	})
}

func TestRedisModelMatchesBruteForce(t *testing.T) {
	kinds := []string{"set-nx", "set", "get", "del", "pexpire", "check-del", "check-extend", "expire"}
	againstBruteForce(t, func(t *rapid.T, n int) Verdict {
		ops := make([]RedisOp, n)
		key := "" // the true value; "" = absent
		bad := perturb(t, n)
		for i := range ops {
			at := int64(100 * (i + 1))
			call, ret := drawSpan(t, at)
			op := RedisOp{Client: rapid.IntRange(0, 2).Draw(t, "client"), Service: "r", Key: "k", Call: call, Return: ret,
				Kind: rapid.SampledFrom(kinds).Draw(t, "kind"), Value: rapid.SampledFrom([]string{"a", "b"}).Draw(t, "value")}
			var effect bool
			op.Pending, effect = pendingEffect(t)
			next := key
			switch op.Kind {
			case "set-nx":
				op.OK = key == ""
				if op.OK {
					next = op.Value
				}
			case "set":
				op.OK, next = true, op.Value
			case "get":
				op.Value, op.Read = "", key
			case "del", "pexpire":
				op.Value, op.OK = "", key != ""
				if op.Kind == "del" {
					next = ""
				}
			case "check-del", "check-extend":
				op.OK = key != "" && key == op.Value
				if op.OK && op.Kind == "check-del" {
					next = ""
				}
			case "expire":
				if key == "" {
					op.Kind, op.Value, op.Read = "get", "", key
					break
				}
				op = RedisOp{Client: 3, Service: "r", Key: "k", Kind: "expire", Value: key, OK: true, Call: at, Return: at}
				next, effect = "", true
			}
			if effect {
				key = next
			}
			if i == bad {
				op.OK = !op.OK
				if op.Kind == "get" || op.Kind == "expire" {
					op.Read, op.Value = op.Read+"x", op.Value+"x"
				}
			}
			ops[i] = op
		}
		call, ret, pending := spans(n, func(i int) (int64, int64, bool) { return ops[i].Call, ops[i].Return, ops[i].Pending })
		want := bruteForce("", n, call, ret, pending, func(s string, i int) (bool, string) { return redisRefStep(s, ops[i]) })
		return requireVerdict(t, want, CheckRedis(ops, 10*time.Second), ops)
	})
}

// lockRef is a lock written from its definition, independent of lockStep:
// the holder (-1 free) and the last token granted (0 with known false:
// granted to a client whose answer never came, so not known).
type lockRef struct {
	holder int
	token  int64
	known  bool
}

func lockRefStep(s lockRef, op LockOp) (bool, lockRef) {
	holds := s.holder == op.Client && (op.Token == 0 || !s.known || op.Token == s.token)
	free := lockRef{-1, s.token, s.known}
	switch {
	case op.Kind == Expire:
		return holds, free
	case op.Kind == Acquire && op.Pending && s.holder < 0:
		return true, lockRef{holder: op.Client}
	case op.Kind == Acquire && op.OK:
		grows := op.Token == 0 || !s.known || op.Token > s.token
		return s.holder < 0 && grows, lockRef{op.Client, op.Token, op.Token != 0}
	case op.Kind == Acquire:
		return op.Pending || s.holder >= 0, s
	case op.Pending && holds:
		return true, free
	case op.Pending:
		return true, s
	case op.OK:
		return holds, free
	}
	return !holds, s
}

// redisRefStep is a Redis key written from the commands' definitions,
// independent of redisStep: its value, "" = absent.
func redisRefStep(s string, op RedisOp) (bool, string) {
	mine := s != "" && s == op.Value
	type effect struct {
		ok   bool   // the answer the command gives in s
		read string // what a get returns
		next string
	}
	e := map[string]effect{
		"set-nx":       {s == "", "", op.Value},
		"set":          {true, "", op.Value},
		"get":          {true, s, s},
		"del":          {s != "", "", ""},
		"pexpire":      {s != "", "", s},
		"check-del":    {mine, "", ""},
		"check-extend": {mine, "", s},
		"expire":       {mine, "", ""},
	}[op.Kind]
	if !e.ok && op.Kind != "get" {
		e.next = s // a refused command changes nothing
	}
	switch {
	case op.Pending:
		return true, e.next
	case op.Kind == "get":
		return op.Read == s, s
	case op.Kind == "expire":
		return mine, e.next
	}
	return op.OK == e.ok, e.next
}

func spans(n int, at func(int) (int64, int64, bool)) (call, ret []int64, pending []bool) {
	call, ret, pending = make([]int64, n), make([]int64, n), make([]bool, n)
	for i := range call {
		call[i], ret[i], pending[i] = at(i)
	}
	return call, ret, pending
}

// againstBruteForce runs history on historiesPerCheck histories of 1 to 7
// operations in each rapid case; history draws one, requires porcupine and
// the brute force to agree on it and returns that verdict. A comparison
// that never saw one of the verdicts fails: it would prove nothing about
// that side.
func againstBruteForce(t *testing.T, history func(t *rapid.T, n int) Verdict) {
	t.Helper()
	seen := map[Verdict]int{}
	rapid.Check(t, func(t *rapid.T) {
		for range historiesPerCheck {
			seen[history(t, rapid.IntRange(1, 7).Draw(t, "ops"))]++
		}
	})
	if n := seen[OK] + seen[Violation]; seen[OK] < n/20 || seen[Violation] < n/20 {
		t.Fatalf("random histories gave %d linearizable and %d not: too few of one to compare", seen[OK], seen[Violation])
	}
}

func requireVerdict(t *rapid.T, linearizable bool, got Linearizability, ops any) Verdict {
	want := Violation
	if linearizable {
		want = OK
	}
	if got.Verdict != want {
		t.Fatalf("porcupine says %s, brute force %s: %s\n%+v", got.Verdict, want, got.Summary(), ops)
	}
	return want
}

// zkTruth is a lock directory as a correct server keeps it, to draw
// histories from.
type zkTruth struct {
	kids    []obs.ZKChild
	owner   map[string]int64 // node -> session
	next    int64
	zxid    int64
	expired map[int64]bool
}

// TestZKModelMatchesBruteForce checks that one successor per operation
// (a pending create or delete takes effect) and leaving out reads that
// never returned give the verdicts of the search that also drops each
// pending operation. The brute force uses zkStep for the effects; the
// hand-made histories in zk_test.go check zkStep itself.
func TestZKModelMatchesBruteForce(t *testing.T) {
	againstBruteForce(t, func(t *rapid.T, n int) Verdict {
		ops := make([]ZKOp, n)
		z := zkTruth{owner: map[string]int64{}, expired: map[int64]bool{}}
		bad := perturb(t, n)
		for i := range ops {
			at := int64(100 * (i + 1))
			call, ret := drawSpan(t, at)
			session := rapid.Int64Range(1, 2).Draw(t, "session")
			op := ZKOp{Client: int(session), Session: session, Lock: "l", Call: call, Return: ret,
				Kind: ZKOpKind(rapid.IntRange(0, 4).Draw(t, "kind"))}
			var effect bool
			op.Pending, effect = pendingEffect(t)
			if op.Kind == ZKExpire {
				op = ZKOp{Client: 3, Session: session, Lock: "l", Kind: ZKExpire, Call: at, Return: at}
				effect = true
			}
			if op.Kind != ZKExpire && z.expired[session] {
				op.Err = "session-expired"
				if op.Pending {
					op.Err = "" // no answer came
				}
				ops[i] = op
				continue
			}
			switch op.Kind {
			case ZKCreate:
				op.Node = rapid.SampledFrom([]string{"a", "b"}).Draw(t, "prefix")
				op.Result = zkNodeName(op.Node, z.next)
				if effect {
					z.zxid++
					op.Czxid = z.zxid
					z.next++
					z.kids = append(z.kids, obs.ZKChild{Name: op.Result, Czxid: op.Czxid})
					z.owner[op.Result] = session
				}
			case ZKChildren:
				op.Kids = append([]obs.ZKChild{}, z.kids...)
			case ZKExists, ZKDelete:
				op.Node = zkNodeName(rapid.SampledFrom([]string{"a", "b"}).Draw(t, "prefix"), rapid.Int64Range(0, 2).Draw(t, "seq"))
				at := -1
				for j, k := range z.kids {
					if k.Name == op.Node {
						at = j
					}
				}
				op.Exists = at >= 0
				if op.Exists {
					op.Czxid = z.kids[at].Czxid
				}
				if op.Kind == ZKDelete {
					op.Exists, op.Czxid = false, 0
					if at < 0 {
						op.Err = "no-node"
					} else if effect {
						z.kids = append(z.kids[:at:at], z.kids[at+1:]...)
					}
				}
			case ZKExpire:
				var keep []obs.ZKChild
				for _, k := range z.kids {
					if z.owner[k.Name] != session {
						keep = append(keep, k)
					}
				}
				z.kids, z.expired[session] = keep, true
			}
			if i == bad {
				switch {
				case op.Kind == ZKChildren && len(op.Kids) > 0:
					op.Kids = op.Kids[1:]
				case op.Kind == ZKExpire:
					op.Session = 3 - op.Session
				default:
					op.Exists, op.Czxid = !op.Exists, op.Czxid+1
					if op.Err == "" && op.Kind == ZKDelete {
						op.Err = "no-node"
					}
				}
			}
			if op.Pending { // no answer came
				op.Err, op.Result, op.Czxid, op.Exists, op.Kids = "", "", 0, false, nil
			}
			ops[i] = op
		}
		call, ret, pending := spans(n, func(i int) (int64, int64, bool) { return ops[i].Call, ops[i].Return, ops[i].Pending })
		want := bruteForce(zkState{}, n, call, ret, pending, func(s zkState, i int) (bool, zkState) {
			op := ops[i]
			return zkStep(s, zkInput{Lock: op.Lock, Kind: op.Kind, Session: op.Session, Node: op.Node},
				zkOutput{Err: op.Err, Result: op.Result, Czxid: op.Czxid, Exists: op.Exists, Kids: encodeChildren(op.Kids), Pending: op.Pending})
		})
		return requireVerdict(t, want, CheckZK(ops, 10*time.Second), ops)
	})
}
