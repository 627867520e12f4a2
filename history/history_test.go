package history

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/stretchr/testify/require"
)

func load(t *testing.T, name string, m Model) History {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name+".jsonl"))
	require.NoError(t, err)
	h, err := Parse(name, data, m)
	require.NoError(t, err)
	return h
}

func TestCheckGivesEachHistoryItsVerdict(t *testing.T) {
	for name, want := range map[string]checker.Verdict{
		"lock-legal": checker.OK, "lock-illegal": checker.Violation, "lock-pending": checker.OK, "lock-pending-illegal": checker.Violation,
		"register-legal": checker.OK, "register-illegal": checker.Violation, "register-pending": checker.OK,
	} {
		m := Register
		if strings.HasPrefix(name, "lock") {
			m = Lock
		}
		res, err := Check(load(t, name, m), 5*time.Second)
		require.NoError(t, err)
		require.Equal(t, want, res.Verdict, name)
	}
}

// A history written and read back is the same history, and so is its
// verdict: the files this package writes are the files it reads.
func TestWriteThenParseIsTheSameHistory(t *testing.T) {
	for _, name := range []string{"lock-legal", "lock-illegal", "lock-pending", "register-legal", "register-illegal", "register-pending"} {
		m := Register
		if strings.HasPrefix(name, "lock") {
			m = Lock
		}
		h := load(t, name, m)
		var buf bytes.Buffer
		require.NoError(t, h.Write(&buf))
		back, err := Parse(name, buf.Bytes(), m)
		require.NoError(t, err)
		for i := range h.Ops {
			h.Ops[i].Line, back.Ops[i].Line = 0, 0
		}
		require.Equal(t, h, back, "%s\n%s", name, buf.String())
	}
}

// A history built in Go — what a test of one's own records — is checked
// the same way: a stale read after a write is caught.
func TestAHistoryMadeInGoIsChecked(t *testing.T) {
	h := History{Model: Register, Ops: []Op{
		{Client: 1, Key: "x", Op: "write", Value: 1, Call: 0, Return: 10},
		{Client: 2, Key: "x", Op: "read", Value: 1, Call: 20, Return: 30},
	}}
	res, err := Check(h, time.Second)
	require.NoError(t, err)
	require.Equal(t, checker.OK, res.Verdict)
	h.Ops[1].Value = 0
	res, err = Check(h, time.Second)
	require.NoError(t, err)
	require.Equal(t, checker.Violation, res.Verdict)
	require.NotEmpty(t, res.Failures)

	h.Ops = append(h.Ops, Op{Client: 3, Op: "acquire", Call: 1, Return: 2})
	_, err = Check(h, time.Second)
	require.EqualError(t, err, `operation 3: op "acquire" is not a register operation (want read, write, cas)`)
}

func TestBadLinesAreOneLineErrorsWithTheirLine(t *testing.T) {
	cases := map[string]string{
		`{"client": 1, "op": "read", "value": 0, "call": 1, "return": 2}` + "\n" + `{"client": 1, "op": "rd", "call": 3}`: `h.jsonl:2: op "rd" is not a register operation`,
		`{"client": "a", "op": "read", "call": 1}`:             `h.jsonl:1: field "client": string is not a valid integer`,
		`{"client": 1, "op": "read", "call": 1, "when": 2}`:    `h.jsonl:1: unknown field "when"`,
		`{"client": 1, "op": "write", "call": 1}`:              `h.jsonl:1: write needs "value"`,
		`{"client": 1, "op": "cas", "value": 1, "call": 1}`:    `h.jsonl:1: cas needs "expect"`,
		`{"client": 1, "op": "read", "call": 5, "return": 1}`:  `h.jsonl:1: return 1 is before call 5`,
		`{"op": "read", "call": 5}`:                            `h.jsonl:1: "client" is missing`,
		`{"client": 1, "op": "read", "call": 1} {"client": 2}`: `h.jsonl:1: more than one JSON value on the line`,
		`{"client": 1, "op": "read", "call": 1, "return": 2`:   `h.jsonl:1: not a JSON object`,
		`[1, 2]`: `h.jsonl:1: not a JSON object`,
		`{"client": 1, "op": "read", "call": 1, "return": 2.5}`: `h.jsonl:1: field "return": number 2.5 is not a valid integer`,
	}
	for text, want := range cases {
		_, err := Parse("h.jsonl", []byte(text), Register)
		require.Error(t, err, text)
		require.Contains(t, err.Error(), want, text)
		require.NotContains(t, err.Error(), "\n")
	}
	_, err := Parse("h.jsonl", []byte(`{"client": 1, "op": "acquire", "value": 3, "call": 1}`), Lock)
	require.ErrorContains(t, err, `h.jsonl:1: "value" is not used by lock operations`)
	_, err = Parse("h.jsonl", nil, "queue")
	require.ErrorContains(t, err, `unknown model "queue"`)
	_, err = ParseModel("queue")
	require.Error(t, err)
}

// FuzzParse: no history crashes the reader or the checker, a refused one
// gets a one-line FILE:LINE error, and an accepted one is written back to
// the same operations.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.jsonl"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, strings.HasPrefix(filepath.Base(p), "lock"))
	}
	f.Add([]byte(`{"client": 1, "op": "cas", "expect": 0, "value": 5, "ok": false, "call": 10, "return": 20}`), false)
	f.Add([]byte("\n\n{\"client\": 1}\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, lock bool) {
		m := Register
		if lock {
			m = Lock
		}
		h, err := Parse("h.jsonl", data, m)
		if err != nil {
			if msg := err.Error(); strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "h.jsonl:") {
				t.Fatalf("not a one-line FILE:LINE error: %q", msg)
			}
			return
		}
		var buf bytes.Buffer
		if err := h.Write(&buf); err != nil {
			t.Fatalf("accepted but not writable: %v", err)
		}
		back, err := Parse("h.jsonl", buf.Bytes(), m)
		if err != nil {
			t.Fatalf("written form refused: %v\n%s", err, buf.String())
		}
		if len(back.Ops) != len(h.Ops) {
			t.Fatalf("written form has %d operations, not %d", len(back.Ops), len(h.Ops))
		}
		for i := range h.Ops {
			a, b := h.Ops[i], back.Ops[i]
			a.Line, b.Line = 0, 0
			if !a.needsValue() {
				a.Value, b.Value = 0, 0 // a field the operation does not carry is not written
			}
			if a != b {
				t.Fatalf("operation %d changed: %+v -> %+v", i+1, a, b)
			}
		}
		if len(h.Ops) <= 12 {
			if _, err := Check(h, 100*time.Millisecond); err != nil {
				t.Fatalf("accepted but not checkable: %v", err)
			}
		}
	})
}
