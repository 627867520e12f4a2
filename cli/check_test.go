package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckVerdicts(t *testing.T) {
	cases := []struct {
		file, model string
		code        int
	}{
		{"lock-legal", "lock", 0},
		{"lock-illegal", "lock", 1},
		{"lock-pending", "lock", 0},
		{"lock-pending-illegal", "lock", 1},
		{"register-legal", "register", 0},
		{"register-illegal", "register", 1},
		{"register-pending", "register", 0},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			dir := t.TempDir()
			code, out, errs := simrun("check", filepath.Join("testdata", "check", c.file+".jsonl"), "--model", c.model, "--viz-dir", dir)
			if code != c.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, c.code, out, errs)
			}
			viz := filepath.Join(dir, "porcupine-"+c.file+".html")
			_, statErr := os.Stat(viz)
			switch c.code {
			case 0:
				if !strings.HasPrefix(out, "linearizable: ") || statErr == nil {
					t.Fatalf("output %q (visualization written: %v)", out, statErr == nil)
				}
			case 1:
				if !strings.HasPrefix(out, "not linearizable: ") || !strings.Contains(out, "visualization: "+viz) || statErr != nil {
					t.Fatalf("output %q, visualization %v", out, statErr)
				}
			}
		})
	}
}

func TestCheckNamesThePendingOperation(t *testing.T) {
	code, out, _ := simrun("check", filepath.Join("testdata", "check", "lock-pending.jsonl"), "--model", "lock")
	if code != 0 || !strings.Contains(out, "(2 never returned)") {
		t.Fatalf("exit %d: %q", code, out)
	}
}

func TestCheckExplainsTheViolation(t *testing.T) {
	code, out, _ := simrun("check", filepath.Join("testdata", "check", "register-illegal.jsonl"), "--model", "register", "--viz-dir", t.TempDir())
	if code != 1 || !strings.Contains(out, "x: 2 operations; the longest legal order found covers 1, ending with client 1 write 1 -> ok [0, 10]") ||
		!strings.Contains(out, "client 2 read -> 0 [20, 30]") {
		t.Fatalf("exit %d: %q", code, out)
	}
}

func TestCheckMalformedLines(t *testing.T) {
	good := map[string]string{
		"register": `{"client": 1, "key": "x", "op": "write", "value": 1, "call": 0, "return": 10}`,
		"lock":     `{"client": 1, "key": "x", "op": "acquire", "call": 0, "return": 10}`,
	}
	cases := []struct {
		line, model, want string
	}{
		{`{"client": 1, "op": "write", "value": 1, "call": 0`, "register", "not a JSON object"},
		{`{"op": "read", "value": 1, "call": 0, "return": 3}`, "register", `"client" is missing`},
		{`{"client": 1, "value": 1, "call": 0}`, "register", `"op" is missing`},
		{`{"client": 1, "op": "wrte", "value": 1, "call": 0}`, "register", `op "wrte" is not a register operation`},
		{`{"client": 1, "op": "read", "call": 0}`, "lock", `op "read" is not a lock operation`},
		{`{"client": 1, "op": "write", "value": 1}`, "register", `"call" is missing`},
		{`{"client": 1, "op": "write", "value": 1, "call": 9, "return": 3}`, "register", "return 3 is before call 9"},
		{`{"client": 1, "op": "cas", "value": 1, "call": 0}`, "register", `cas needs "expect"`},
		{`{"client": 1, "op": "write", "expect": 2, "value": 1, "call": 0}`, "register", `"expect" is only for cas`},
		{`{"client": 1, "op": "write", "call": 0}`, "register", `write needs "value"`},
		{`{"client": 1, "op": "read", "call": 0, "return": 4}`, "register", `a read that returned needs "value"`},
		{`{"client": "one", "op": "read", "value": 1, "call": 0}`, "register", `field "client": string is not a valid integer`},
		{`{"client": 1, "op": "read", "value": 1, "call": 0, "ok": "yes"}`, "register", `field "ok": string is not a valid boolean`},
		{`{"client": 1, "op": "read", "value": 1, "call": 0, "retrun": 5}`, "register", `unknown field "retrun"`},
		{`{"client": 1, "op": "acquire", "value": 1, "call": 0}`, "lock", `"value" is not used by lock operations`},
		{`{"client": 1, "op": "read", "value": 1, "call": 0} {"client": 2}`, "register", "more than one JSON value"},
	}
	for i, c := range cases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "h.jsonl")
			// The bad line is line 3, after a good line and a blank one.
			if err := os.WriteFile(path, []byte(good[c.model]+"\n\n"+c.line+"\n"+good[c.model]+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, errs := simrun("check", path, "--model", c.model)
			want := fmt.Sprintf("simrun: check: %s:3: ", path)
			if code != 2 || out != "" || !strings.HasPrefix(errs, want) || !strings.Contains(errs, c.want) || strings.Count(errs, "\n") != 1 {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit 2 and one line starting %q containing %q", code, out, errs, want, c.want)
			}
		})
	}
}

func TestCheckUsageErrors(t *testing.T) {
	file := filepath.Join("testdata", "check", "lock-legal.jsonl")
	for _, args := range [][]string{
		{"check", file},
		{"check", file, "--model", "queue"},
		{"check", file, "--model", "lock", "--timeout", "0s"},
		{"check", filepath.Join("testdata", "check", "no-such-file.jsonl"), "--model", "lock"},
		{"check", "--model", "lock"},
	} {
		code, _, errs := simrun(args...)
		if code != 2 || strings.Count(errs, "\n") != 1 {
			t.Fatalf("%v: exit %d, stderr %q", args, code, errs)
		}
	}
}

func TestCheckTimeoutIsUnknown(t *testing.T) {
	// 29 fully concurrent writes and a read of a value none wrote.
	var b strings.Builder
	for i := 1; i <= 29; i++ {
		fmt.Fprintf(&b, `{"client": %d, "op": "write", "value": %d, "call": 0, "return": 100}`+"\n", i, i)
	}
	b.WriteString(`{"client": 30, "op": "read", "value": 1000, "call": 0, "return": 100}` + "\n")
	path := filepath.Join(t.TempDir(), "hard.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := simrun("check", path, "--model", "register", "--lin-timeout", "300ms")
	if code != 3 || !strings.HasPrefix(out, "unknown: ") {
		t.Fatalf("exit %d: %q", code, out)
	}
	// check's old name for the bound still works, and says it is old.
	code, out, errs := simrun("check", path, "--model", "register", "--timeout", "300ms")
	if code != 3 || !strings.HasPrefix(out, "unknown: ") || errs != "check: --timeout is deprecated, use --lin-timeout\n" {
		t.Fatalf("exit %d: %q %q", code, out, errs)
	}
}

func TestRunWritesTheVisualizationOfAViolation(t *testing.T) {
	dir := t.TempDir()
	code, out, _ := simrun("run", "optimistic-inventory", "--seed", "1", "--bug", "ignore-version", "--viz-dir", dir)
	viz := filepath.Join(dir, "porcupine-optimistic-inventory-seed1-kv-linear.html")
	if code != 1 || !strings.Contains(out, "visualization "+viz) {
		t.Fatalf("exit %d: %s", code, out)
	}
	if b, err := os.ReadFile(viz); err != nil || !bytes.Contains(b, []byte("cas(version")) {
		t.Fatalf("visualization %s: %v", viz, err)
	}
}

func TestRunDeadlockShowsCycleAndVictim(t *testing.T) {
	code, out, _ := simrun("run", "lockmgr-deadlock", "--seed", "1")
	for _, want := range []string{"wait-for cycle client-2 -> client-1 -> client-2 on lock-1; victim client-2",
		"every client finished its jobs (2 clients, 2 jobs)", "verdict    ok (as expected)"} {
		if !strings.Contains(out, want) {
			t.Fatalf("exit %d, output lacks %q:\n%s", code, want, out)
		}
	}
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
}
