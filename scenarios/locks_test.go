package scenarios

import (
	"strings"
	"testing"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/protocol/lockmgr"
	"github.com/faultline-sim/faultline/protocol/optimistic"
)

var lockScenarios = []string{"lockmgr-contention", "lockmgr-crash", "lockmgr-deadlock", "lockmgr-deadlock-timeout",
	"optimistic-inventory", "optimistic-inventory-faults"}

func run(t *testing.T, name string, o Options) *Outcome {
	t.Helper()
	s, err := Get(name)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Run(s, o)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPlantedBugsAreCaught: each planted bug is caught by the checkers
// within the first 100 seeds, by a checker that can see that kind of bug.
func TestPlantedLockBugsAreCaught(t *testing.T) {
	cases := []struct {
		scenario, bug string
		checkers      []string // any of these may catch it
	}{
		{"lockmgr-contention", lockmgr.BugGrantHeld, []string{"lock-linear", "mutex", "lost-updates"}},
		{"lockmgr-contention", lockmgr.BugReleaseNonHolder, []string{"lock-linear", "mutex", "lost-updates"}},
		{"optimistic-inventory", optimistic.BugIgnoreVersion, []string{"kv-linear", "inventory"}},
		{"optimistic-inventory-faults", optimistic.BugIgnoreVersion, []string{"kv-linear", "inventory"}},
	}
	for _, c := range cases {
		t.Run(c.scenario+"/"+c.bug, func(t *testing.T) {
			for seed := uint64(1); seed <= 100; seed++ {
				out := run(t, c.scenario, Options{Seed: seed, NoTrace: true, Bug: c.bug})
				if out.Verdict != checker.Violation {
					continue
				}
				for _, r := range out.Results {
					for _, want := range c.checkers {
						if r.Checker == want && r.Verdict == checker.Violation {
							t.Logf("caught at seed %d by %s: %s", seed, r.Checker, r.Message)
							return
						}
					}
				}
				t.Fatalf("seed %d: violation, but not from %v: %v", seed, c.checkers, out.Results)
			}
			t.Fatalf("%s not caught in 100 seeds", c.bug)
		})
	}
}

// TestLockScenariosGiveTheirExpectedVerdict runs the correct protocols over
// a thousand seeds (the 10,000-seed figures come from simrun sweep).
func TestLockScenariosGiveTheirExpectedVerdict(t *testing.T) {
	seeds := uint64(1000)
	if testing.Short() {
		seeds = 30
	}
	for _, name := range lockScenarios {
		t.Run(name, func(t *testing.T) {
			for seed := uint64(1); seed <= seeds; seed++ {
				out := run(t, name, Options{Seed: seed, NoTrace: true})
				if out.Verdict != out.Expect {
					t.Fatalf("seed %d: %s, want %s: %v", seed, out.Verdict, out.Expect, out.Results)
				}
			}
		})
	}
}

func TestLockScenariosAreDeterministic(t *testing.T) {
	for _, name := range lockScenarios {
		a := run(t, name, Options{Seed: 7})
		b := run(t, name, Options{Seed: 7})
		if a.TraceHash != b.TraceHash || a.TraceHash == "" {
			t.Fatalf("%s seed 7: trace hashes %q and %q", name, a.TraceHash, b.TraceHash)
		}
	}
}

func TestDeadlockRunShowsCycleVictimAndEveryClientFinishing(t *testing.T) {
	out := run(t, "lockmgr-deadlock", Options{Seed: 1})
	var progress checker.Result
	for _, r := range out.Results {
		if r.Checker == "progress" {
			progress = r
		}
	}
	if progress.Verdict != checker.OK || !strings.Contains(progress.Message, "every client finished its jobs (2 clients, 2 jobs)") ||
		!strings.Contains(progress.Message, "1 wait-for cycle found and broken") {
		t.Fatalf("progress: %s", progress)
	}
	if len(progress.Evidence) != 1 || !strings.Contains(progress.Evidence[0], "client-2 -> client-1 -> client-2") ||
		!strings.Contains(progress.Evidence[0], "victim client-2") {
		t.Fatalf("evidence %q does not name the cycle and the victim", progress.Evidence)
	}
}

func TestUnknownBugIsAnInputError(t *testing.T) {
	s, _ := Get("lockmgr-contention")
	if _, err := Run(s, Options{Seed: 1, Bug: "ignore-version"}); err == nil || !strings.Contains(err.Error(), "grant-held") {
		t.Fatalf("wrong bug for the protocol: %v", err)
	}
}
