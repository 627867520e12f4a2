package checker

import (
	"testing"
	"time"

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
