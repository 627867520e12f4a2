package history

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

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
