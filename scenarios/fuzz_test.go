package scenarios

import (
	"strings"
	"testing"
)

// FuzzParse: no scenario file crashes the reader, a refused one gets a
// one-line FILE:LINE error, and an accepted one survives writing and
// reading back unchanged.
func FuzzParse(f *testing.F) {
	for _, n := range BuiltinNames() {
		b, _ := BuiltinFile(n)
		f.Add(b)
	}
	f.Add([]byte(base))
	f.Add([]byte("name: x\nexpect: ok\nsystem: {protocol: redlock, params: {instances: 3}}\nlimits: {max-events: 10}\n"))
	f.Add([]byte("name: x\nexpect: ok\nsystem: {protocol: lockmgr}\nworkload: {jobs: [{id: j, client: c, at: 1ms, locks: [l]}]}\nlimits: {max-time: 1s}\n"))
	f.Add([]byte("name: x\nexpect: ok\nsystem: {protocol: optimistic}\nlimits: {max-time: 1s}\nfaults: {random: {targets: [store], crash-rate: 1}}\n"))
	f.Add([]byte("a: &x [1]\nb: *x\n"))
	f.Add([]byte("- 1\n- 2\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("f.yaml", data)
		if err != nil {
			if _, ok := err.(*FileError); !ok {
				t.Fatalf("%T is not a *FileError: %v", err, err)
			}
			if msg := err.Error(); strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "f.yaml:") {
				t.Fatalf("not a one-line FILE:LINE error: %q", msg)
			}
			return
		}
		text, err := EncodeSpec(s)
		if err != nil {
			t.Fatalf("accepted but not writable: %v", err)
		}
		back, err := Parse("f.yaml", text)
		if err != nil {
			t.Fatalf("written form refused: %v\n%s", err, text)
		}
		again, err := EncodeSpec(back)
		if err != nil || string(again) != string(text) {
			t.Fatalf("written form changed on reading back (%v):\n%s\n---\n%s", err, text, again)
		}
	})
}

// FuzzParseRunFile: no run file crashes the reader, a refused one gets a
// one-line error, and an accepted one is written back to the same.
func FuzzParseRunFile(f *testing.F) {
	for _, name := range []string{"2pc-coordinator-crash", "redlock-pause", "lockmgr-contention"} {
		s, err := Get(name)
		if err != nil {
			f.Fatal(err)
		}
		out, err := Run(s, Options{Seed: 1})
		if err != nil {
			f.Fatal(err)
		}
		rf := Record(out)
		f.Add(rf.Marshal())
		rf.ScenarioFile = ""
		f.Add(rf.Marshal())
	}
	f.Add([]byte(`{"scenario": "2pc-bank", "seed": 1, "faults": {"actions": []}, "trace_hash": "x", "verdict": "ok"}`))
	f.Add([]byte(`{"scenario": "x", "trace_hash": "y", "scenario_file": "name: [", "faults": {"actions": [{"at": "1ms", "kind": "crash", "node": "n"}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rf, err := ParseRunFile(data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("not one line: %q", err)
			}
			return
		}
		back, err := ParseRunFile(rf.Marshal())
		if err != nil {
			t.Fatalf("written form refused: %v", err)
		}
		if string(back.Marshal()) != string(rf.Marshal()) {
			t.Fatalf("written form changed on reading back")
		}
	})
}
