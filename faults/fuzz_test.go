package faults

import (
	"strings"
	"testing"
)

// FuzzParse: no fault schedule crashes the reader or the validation, a
// refused one gets a one-line error, and an accepted one is written back
// to the same.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"actions": [{"at": "5ms", "kind": "crash", "node": "coordinator"}, {"at": "1.5s", "kind": "heal-all"}]}`))
	f.Add([]byte(`{"actions": [{"at": "1ms", "kind": "partition", "groups": [["a", "b"], ["c"]]}, {"at": "2ms", "kind": "link", "from": ["a"], "to": ["b"], "link": {"latency": "5ms", "loss": 0.5}}]}`))
	f.Add([]byte(`{"actions": [{"kind": "effect-crash", "node": "p", "run": 3, "effect": "last", "restart_after": "0s"}]}`))
	f.Add([]byte(`{"actions": [], "triggers": [{"on": "votes-in", "node": "coordinator", "where": {"all-yes": "true"}, "do": [{"kind": "crash", "node": "coordinator"}]}]}`))
	f.Add([]byte(`{"actions": [{"at": 12, "kind": "clock-drift", "node": "x", "drift": 0.01}, {"kind": "pause", "node": "x", "duration": "-1s"}]}`))
	f.Add([]byte(`{"triggers": [{"on": "nope", "do": []}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("not one line: %q", err)
			}
			return
		}
		if err := s.Validate(func(string) bool { return true }); err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("not one line: %q", err)
		}
		_ = s.String()
		back, err := Parse(s.MarshalIndent())
		if err != nil {
			t.Fatalf("written form refused: %v\n%s", err, s.MarshalIndent())
		}
		if string(back.MarshalIndent()) != string(s.MarshalIndent()) {
			t.Fatalf("written form changed:\n%s\n---\n%s", s.MarshalIndent(), back.MarshalIndent())
		}
	})
}
