package scenarios

import (
	"os"
	"testing"
)

func TestScratchWriteBuiltins(t *testing.T) {
	if os.Getenv("FAULTLINE_WRITE_BUILTINS") != "1" {
		t.Skip()
	}
	for _, s := range All() {
		b, err := EncodeSpec(s)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse(s.Name+".yaml", b)
		if err != nil {
			t.Fatalf("%s: %v\n%s", s.Name, err, b)
		}
		for seed := uint64(1); seed <= 5; seed++ {
			a, err1 := Run(s, Options{Seed: seed})
			c, err2 := Run(back, Options{Seed: seed})
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if a.TraceHash != c.TraceHash || a.Verdict != c.Verdict || len(a.Results) != len(c.Results) {
				t.Errorf("%s seed %d: %s %s / %s %s %d %d", s.Name, seed, a.TraceHash, c.TraceHash, a.Verdict, c.Verdict, len(a.Results), len(c.Results))
			}
		}
		os.WriteFile("builtin/"+s.Name+".yaml", b, 0o644)
	}
}
