package checker

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

const testTimeout = 10 * time.Second

func acq(c int, call, ret int64, ok bool, token int64) LockOp {
	return LockOp{Client: c, Lock: "a", Kind: Acquire, OK: ok, Token: token, Call: call, Return: ret}
}

func rel(c int, call, ret int64, ok bool, token int64) LockOp {
	return LockOp{Client: c, Lock: "a", Kind: Release, OK: ok, Token: token, Call: call, Return: ret}
}

func TestLockHistories(t *testing.T) {
	cases := []struct {
		name string
		ops  []LockOp
		want Verdict
	}{
		{"one holder at a time", []LockOp{acq(0, 0, 10, true, 1), rel(0, 20, 30, true, 1), acq(1, 25, 40, true, 2)}, OK},
		{"two holders at once", []LockOp{acq(0, 0, 10, true, 1), acq(1, 12, 20, true, 2)}, Violation},
		{"refused while held", []LockOp{acq(0, 0, 10, true, 1), acq(1, 12, 20, false, 0)}, OK},
		{"refused while free", []LockOp{acq(1, 0, 10, false, 0)}, Violation},
		{"concurrent acquires, one wins", []LockOp{acq(0, 0, 10, true, 1), acq(1, 0, 10, false, 0)}, OK},
		{"release by a non-holder accepted", []LockOp{acq(0, 0, 10, true, 1), rel(1, 20, 30, true, 0)}, Violation},
		{"release by a non-holder refused", []LockOp{acq(0, 0, 10, true, 1), rel(1, 20, 30, false, 0)}, OK},
		{"stale token released", []LockOp{acq(0, 0, 10, true, 5), rel(0, 20, 30, true, 4)}, Violation},
		{"token goes backwards", []LockOp{acq(0, 0, 10, true, 5), rel(0, 20, 30, true, 5), acq(1, 40, 50, true, 3)}, Violation},
		{"lease expiry frees the lock", []LockOp{acq(0, 0, 10, true, 1),
			{Client: 0, Lock: "a", Kind: Expire, OK: true, Token: 1, Call: 50, Return: 50},
			acq(1, 60, 70, true, 2), rel(0, 80, 90, false, 1)}, OK},
		{"expiry of a lease nobody holds", []LockOp{{Client: 0, Lock: "a", Kind: Expire, OK: true, Token: 1, Call: 50, Return: 50}}, Violation},
		// A holder crashed before its acquire returned: the grant may have
		// happened (then only an expiry frees the lock) or not.
		{"pending acquire that took effect", []LockOp{{Client: 0, Lock: "a", Kind: Acquire, Call: 0, Pending: true},
			acq(1, 10, 20, false, 0), {Client: 0, Lock: "a", Kind: Expire, OK: true, Token: 1, Call: 50, Return: 50}, acq(1, 60, 70, true, 2)}, OK},
		{"pending acquire that did not", []LockOp{{Client: 0, Lock: "a", Kind: Acquire, Call: 0, Pending: true}, acq(1, 10, 20, true, 1)}, OK},
		{"pending acquire cannot excuse two holders", []LockOp{acq(1, 0, 5, true, 1), {Client: 0, Lock: "a", Kind: Acquire, Call: 0, Pending: true}, acq(2, 10, 20, true, 2)}, Violation},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := CheckLocks(c.ops, testTimeout)
			if got.Verdict != c.want {
				t.Fatalf("verdict %s, want %s (%s)", got.Verdict, c.want, got.Summary())
			}
		})
	}
}

func TestLocksArePartitioned(t *testing.T) {
	// The same client holds two different locks at once: legal, because
	// each lock is its own partition.
	ops := []LockOp{acq(0, 0, 10, true, 1), acq(1, 0, 10, true, 2)}
	ops[1].Lock = "b"
	if got := CheckLocks(ops, testTimeout); got.Verdict != OK || got.Keys != 2 {
		t.Fatalf("got %s on %d keys, want ok on 2", got.Verdict, got.Keys)
	}
}

func TestViolationIsExplainedAndVisualized(t *testing.T) {
	got := CheckLocks([]LockOp{acq(0, 0, 10, true, 1), acq(1, 12, 20, true, 2)}, testTimeout)
	if got.Verdict != Violation || len(got.Failures) != 1 {
		t.Fatalf("got %s with %d failures", got.Verdict, len(got.Failures))
	}
	f := got.Failures[0]
	if f.Key != "a" || f.Longest != 1 || !strings.Contains(f.Last, "client 0 acquire -> ok") || len(f.Stuck) != 1 || !strings.Contains(f.Stuck[0], "client 1 acquire -> ok") {
		t.Fatalf("explanation %+v", f)
	}
	var b bytes.Buffer
	if err := got.Visualize(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "<html") || !strings.Contains(b.String(), "client 1 acquire") {
		t.Fatalf("visualization does not show the history (%d bytes)", b.Len())
	}
}

func reg(c int, kind RegisterOpKind, value, expect int64, ok bool, call, ret int64) RegisterOp {
	return RegisterOp{Client: c, Key: "x", Kind: kind, Value: value, Expect: expect, OK: ok, Call: call, Return: ret}
}

func TestRegisterHistories(t *testing.T) {
	cases := []struct {
		name      string
		ops       []RegisterOp
		versioned bool
		want      Verdict
	}{
		{"read the initial 0", []RegisterOp{reg(0, Read, 0, 0, true, 0, 10)}, false, OK},
		{"stale read after a write", []RegisterOp{reg(0, Write, 1, 0, true, 0, 10), reg(1, Read, 0, 0, true, 20, 30)}, false, Violation},
		{"concurrent read may see either", []RegisterOp{reg(0, Write, 1, 0, true, 0, 10), reg(1, Read, 0, 0, true, 5, 30)}, false, OK},
		{"cas on the right value", []RegisterOp{reg(0, CAS, 5, 0, true, 0, 10), reg(1, Read, 5, 0, true, 20, 30)}, false, OK},
		{"cas fails on the right value", []RegisterOp{reg(0, CAS, 5, 0, false, 0, 10)}, false, Violation},
		{"two cas from the same value", []RegisterOp{reg(0, CAS, 5, 0, true, 0, 10), reg(1, CAS, 6, 0, true, 0, 10)}, false, Violation},
		{"pending write may show up", []RegisterOp{{Client: 0, Key: "x", Kind: Write, Value: 7, Call: 0, Pending: true}, reg(1, Read, 7, 0, true, 50, 60)}, false, OK},
		{"pending write may not", []RegisterOp{{Client: 0, Key: "x", Kind: Write, Value: 7, Call: 0, Pending: true}, reg(1, Read, 0, 0, true, 50, 60)}, false, OK},
		{"pending write cannot undo", []RegisterOp{{Client: 0, Key: "x", Kind: Write, Value: 7, Call: 0, Pending: true},
			reg(1, Read, 7, 0, true, 50, 60), reg(1, Read, 0, 0, true, 70, 80)}, false, Violation},
		// Versioned: the lost update optimistic locking prevents — two
		// updates both succeed against version 0.
		{"versioned lost update", []RegisterOp{reg(0, CAS, 5, 0, true, 0, 10), reg(1, CAS, 6, 0, true, 20, 30)}, true, Violation},
		{"versioned conflict then retry", []RegisterOp{reg(0, CAS, 5, 0, true, 0, 10), reg(1, CAS, 6, 0, false, 20, 30),
			{Client: 1, Key: "x", Kind: Read, Value: 5, Version: 1, OK: true, Call: 40, Return: 50}, reg(1, CAS, 6, 1, true, 60, 70)}, true, OK},
		{"versioned read with wrong version", []RegisterOp{reg(0, CAS, 5, 0, true, 0, 10),
			{Client: 1, Key: "x", Kind: Read, Value: 5, Version: 0, OK: true, Call: 40, Return: 50}}, true, Violation},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := CheckRegister(c.ops, c.versioned, nil, testTimeout)
			if got.Verdict != c.want {
				t.Fatalf("verdict %s, want %s (%s)", got.Verdict, c.want, got.Summary())
			}
		})
	}
}

func TestRegisterInitialValues(t *testing.T) {
	ops := []RegisterOp{{Client: 0, Key: "x", Kind: Read, Value: 60, Version: 0, OK: true, Call: 10, Return: 20}}
	if got := CheckRegister(ops, true, map[string]int64{"x": 60}, testTimeout); got.Verdict != OK {
		t.Fatalf("read of the initial 60: %s", got.Summary())
	}
	if got := CheckRegister(ops, true, nil, testTimeout); got.Verdict != Violation {
		t.Fatalf("read of 60 from a register at 0: %s", got.Summary())
	}
}

// concurrent30 is 29 fully concurrent writes and a read of a value none of
// them wrote: illegal, but proving it means trying every order, which
// porcupine cannot do in any reasonable time.
func concurrent30() []RegisterOp {
	var ops []RegisterOp
	for i := 0; i < 29; i++ {
		ops = append(ops, reg(i, Write, int64(i+1), 0, true, 0, 100))
	}
	return append(ops, reg(29, Read, 1000, 0, true, 0, 100))
}

func TestSearchTimeoutIsUnknownNotOK(t *testing.T) {
	got := CheckRegister(concurrent30(), false, nil, 300*time.Millisecond)
	if got.Verdict != Unknown {
		t.Fatalf("30 fully concurrent operations: %s, want unknown", got.Summary())
	}
	if !strings.Contains(got.Summary(), "not a pass") {
		t.Fatalf("summary %q does not say unknown is not a pass", got.Summary())
	}
}

func TestStatesHashAsTheyCompare(t *testing.T) {
	m := LockModel(func(int) string { return "" })
	a, b := lockState{Holder: 1, Token: 3, Known: true}, lockState{Holder: 1, Token: 3, Known: true}
	c := lockState{Holder: 2, Token: 3, Known: true}
	if !m.Equal(a, b) || m.Hash(a) != m.Hash(b) {
		t.Fatal("equal lock states must compare and hash equal")
	}
	if m.Equal(a, c) {
		t.Fatal("different holders compare equal")
	}
}
