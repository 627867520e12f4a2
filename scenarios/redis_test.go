package scenarios

import (
	"fmt"
	"strings"
	"testing"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/protocol/plant"
	"github.com/faultline-sim/faultline/protocol/redislock"
	"github.com/faultline-sim/faultline/protocol/redlock"
)

func results(out *Outcome) map[string]checker.Result {
	m := map[string]checker.Result{}
	for _, r := range out.Results {
		m[r.Checker] = r
	}
	return m
}

// Each scripted Redis failure is caught by the checkers that can see it,
// with evidence naming the clients, and only by those: porcupine sees a
// server that forgets (restart, failover), not a client that outlives its
// lock (pause, clock jump, plain DEL), as REFERENCE.md §1 warns.
func TestRedisFailuresAreCaughtWithEvidence(t *testing.T) {
	cases := []struct {
		scenario  string
		violated  []string // these checkers must report a violation
		ok        []string // these must not
		evidence  []string // the first mutex or storage evidence line must mention these
		storageEv []string
	}{
		{"redis-lock-pause", []string{"mutex", "storage", "lost-updates"}, []string{"redis-linear"},
			[]string{"client-2", "client-1"}, []string{"write by client-1", "nobody"}},
		{"redis-failover", []string{"mutex", "storage", "redis-linear"}, nil,
			[]string{"client-2", "client-1"}, []string{"write by client-1", "held the lock for client-2"}},
		{"redis-lock-plain-del", []string{"mutex", "storage"}, []string{"redis-linear"},
			[]string{"client-3", "client-2"}, []string{"write by client-2", "held the lock for client-3"}},
		{"redlock-clock-jump", []string{"mutex", "storage"}, []string{"redis-linear"},
			[]string{"client-2", "client-1"}, []string{"write by client-1", "held the lock for client-2"}},
		{"redlock-pause", []string{"mutex", "storage", "lost-updates"}, []string{"redis-linear"},
			[]string{"client-2", "client-1"}, []string{"write by client-1", "nobody"}},
		{"redlock-restart", []string{"mutex", "storage", "redis-linear"}, nil,
			[]string{"client-2", "client-1"}, []string{"write by client-1", "held the lock for client-2"}},
	}
	for _, c := range cases {
		for seed := uint64(1); seed <= 20; seed++ {
			out := run(t, c.scenario, Options{Seed: seed, NoTrace: true})
			rs := results(out)
			if out.Verdict != checker.Violation {
				t.Fatalf("%s seed %d: %s", c.scenario, seed, out.Verdict)
			}
			for _, name := range c.violated {
				if rs[name].Verdict != checker.Violation || len(rs[name].Evidence) == 0 {
					t.Fatalf("%s seed %d: %s should find a violation with evidence: %s", c.scenario, seed, name, rs[name])
				}
			}
			for _, name := range c.ok {
				if rs[name].Verdict != checker.OK {
					t.Fatalf("%s seed %d: %s should be ok: %s", c.scenario, seed, name, rs[name])
				}
			}
			for _, want := range c.evidence {
				if !strings.Contains(rs["mutex"].Evidence[0], want) {
					t.Fatalf("%s seed %d: mutex evidence %q does not name %s", c.scenario, seed, rs["mutex"].Evidence[0], want)
				}
			}
			for _, want := range c.storageEv {
				if !strings.Contains(rs["storage"].Evidence[0], want) {
					t.Fatalf("%s seed %d: storage evidence %q lacks %q", c.scenario, seed, rs["storage"].Evidence[0], want)
				}
			}
		}
	}
}

// The safe paths: the same faults against the correct choice give no
// violation, and a planted bug in that path brings the violation back.
func TestRedisSafeVariantsAndTheirPlantedBugs(t *testing.T) {
	for _, name := range []string{"redlock-pause-before-check", "redlock-restart-aof", "redis-lock-crash", "redis-lock", "redlock"} {
		for seed := uint64(1); seed <= 20; seed++ {
			if out := run(t, name, Options{Seed: seed, NoTrace: true}); out.Verdict != checker.OK {
				t.Fatalf("%s seed %d: %s: %v", name, seed, out.Verdict, out.Results)
			}
		}
	}
	// The pause before the check is caught only by the elapsed-time check.
	for seed := uint64(1); seed <= 20; seed++ {
		out := run(t, "redlock-pause-before-check", Options{Seed: seed, NoTrace: true, Bug: redlock.BugNoElapsedCheck})
		if results(out)["mutex"].Verdict != checker.Violation {
			t.Fatalf("seed %d: without the elapsed-time check the paused client must enter beside the next: %v", seed, out.Results)
		}
	}
	// redis-lock-plain-del runs with its bug; check-and-delete instead
	// leaves client-2's lock alone.
	s, err := Get("redis-lock-plain-del")
	if err != nil {
		t.Fatal(err)
	}
	sys := s.System.(Locks)
	fixed := sys.Lock.(redislock.Config)
	fixed.Bugs = plant.Set{}
	sys.Lock = fixed
	s.System = sys
	for seed := uint64(1); seed <= 20; seed++ {
		out, err := Run(s, Options{Seed: seed, NoTrace: true})
		if err != nil {
			t.Fatal(err)
		}
		if out.Verdict != checker.OK {
			t.Fatalf("seed %d: the plain-del script with check-and-delete: %s: %v", seed, out.Verdict, out.Results)
		}
	}
}

func TestRedisScenariosAreDeterministic(t *testing.T) {
	for _, name := range []string{"redis-failover", "redlock-clock-jump", "redlock-faults"} {
		a := run(t, name, Options{Seed: 4})
		b := run(t, name, Options{Seed: 4})
		if a.TraceHash != b.TraceHash || a.TraceHash == "" {
			t.Fatalf("%s seed 4: trace hashes %q and %q", name, a.TraceHash, b.TraceHash)
		}
	}
}

// Random search alone finds Redlock's unsafety: mutual exclusion or
// storage violations (not only the servers' forgetting) within the first
// 100 seeds of redlock-faults.
func TestRandomSearchFindsTwoRedlockHolders(t *testing.T) {
	s, err := Get("redlock-faults")
	if err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed <= 100; seed++ {
		out, err := Run(s, Options{Seed: seed, NoTrace: true})
		if err != nil {
			t.Fatal(err)
		}
		rs := results(out)
		if rs["mutex"].Verdict == checker.Violation || rs["storage"].Verdict == checker.Violation {
			t.Logf("seed %d: %s", seed, fmt.Sprint(rs["mutex"].Message, " / ", rs["storage"].Message))
			return
		}
	}
	t.Fatal("no two holders and no unsafe write in 100 seeds")
}
