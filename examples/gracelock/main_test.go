package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/faultline-sim/faultline/cli"
)

func gracelock(args ...string) (int, string) {
	var out, errs bytes.Buffer
	code := cli.Run(args, &out, &errs, cli.Name("gracelock"))
	return code, out.String() + errs.String()
}

// The binary's sweep finds the planted bug, and the reproduce line it
// prints is a gracelock command that reruns the failing seed: the same
// violation, the same trace hash.
func TestSweepFindsTheBugAndItsReproduceLineWorks(t *testing.T) {
	code, out := gracelock("sweep", "gracelock.yaml", "--seeds", "1-100", "--bug", "no-grace")
	if code != 1 {
		t.Fatalf("sweep exit %d, want 1:\n%s", code, out)
	}
	m := regexp.MustCompile(`(?m)^  (gracelock run gracelock\.yaml --seed \d+ --bug no-grace) .*\[replays: ([0-9a-f]{16})\]$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no reproduce line naming gracelock:\n%s", out)
	}
	code, again := gracelock(strings.Fields(m[1])[1:]...)
	if code != 1 || !strings.Contains(again, "trace hash "+m[2]) || !strings.Contains(again, "reproduce  "+m[1]+"\n") {
		t.Fatalf("%s: exit %d, want 1 with trace hash %s:\n%s", m[1], code, m[2], again)
	}
	if code, out := gracelock("sweep", "gracelock.yaml", "--seeds", "1-100"); code != 0 {
		t.Fatalf("the correct service: exit %d:\n%s", code, out)
	}
}
