package gracelock_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"example.com/gracelock/gracelock"
	"github.com/faultline-sim/faultline"
	"github.com/faultline-sim/faultline/faultlinetest"
)

// The service survives its server restarting within a lease, again and
// again, over 300 seeds of the example's scenario file.
func TestSurvivesRestartsOverSeeds(t *testing.T) {
	s := faultlinetest.Load(t, "../gracelock.yaml")
	faultlinetest.Seeds(t, s, 1, 300, faultlinetest.Options{Command: "gracelock"})
}

// recorder is a faultlinetest.TB that keeps the failure instead of failing,
// so the test can check that the planted bug is caught and how it is told.
type recorder struct{ failure string }

func (r *recorder) Helper()                   {}
func (r *recorder) Logf(string, ...any)       {}
func (r *recorder) Fatalf(f string, a ...any) { r.failure = fmt.Sprintf(f, a...) }

// Without the grace period a restarted server grants locks whose leases
// still run: the seeds find it, and the failure says how to replay it.
func TestTheSeedsFindTheMissingGracePeriod(t *testing.T) {
	s := faultlinetest.Load(t, "../gracelock.yaml")
	var r recorder
	faultlinetest.Seeds(&r, s, 1, 50, faultlinetest.Options{Bug: gracelock.BugNoGrace, RunDir: t.TempDir(), Command: "gracelock"})
	for _, want := range []string{"(planted bug no-grace): violation", "fault schedule, shrunk from", "crash gracelock", "replay     gracelock replay "} {
		if !strings.Contains(r.failure, want) {
			t.Fatalf("the failure does not say %q:\n%s", want, r.failure)
		}
	}
	if strings.Contains(r.failure, "simrun") {
		t.Fatalf("the failure names simrun, not gracelock:\n%s", r.failure)
	}
}

// Crash points: the server crashed right after any effect of a fault-free
// run and restarted 10ms later never breaks a lock; without the grace
// period, some of those crashes do.
func TestCrashPoints(t *testing.T) {
	s, err := faultline.Load("gracelock-contention")
	if err != nil {
		t.Fatal(err)
	}
	o := faultline.CrashPointOptions{Seed: 1, RestartAfter: 10 * time.Millisecond, Nodes: []string{gracelock.ServerName}}
	ok, err := faultline.CrashPoints(s, o)
	if err != nil {
		t.Fatal(err)
	}
	if ok.Points == 0 || ok.Counts[faultline.Violation] > 0 {
		t.Fatalf("correct service: %d points, verdicts %v", ok.Points, ok.Counts)
	}
	o.Bug = gracelock.BugNoGrace
	bad, err := faultline.CrashPoints(s, o)
	if err != nil {
		t.Fatal(err)
	}
	if bad.Counts[faultline.Violation] == 0 {
		t.Fatalf("no-grace not caught at %d crash points: %v", bad.Points, bad.Counts)
	}
	t.Logf("%d crash points: correct %v, no-grace %v", ok.Points, ok.Counts, bad.Counts)
}
