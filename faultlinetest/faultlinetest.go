package faultlinetest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/internal/reports"
	"github.com/faultline-sim/faultline/internal/shrink"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/sim"
	"pgregory.net/rapid"
)

// TB is the part of testing.TB that Seeds uses; *testing.T has it.
type TB interface {
	Helper()
	Logf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// Options tune a check. The zero value is ready to use.
type Options struct {
	Bug        string        // run with this planted bug of the protocol on
	LinTimeout time.Duration // bound on each linearizability search (0: the checker's default)
	// ShrinkRuns bounds the runs spent shrinking a failing seed's fault
	// schedule (0: 200).
	ShrinkRuns int
	// RunDir is where the run file of a failure is written (""; the
	// system's temporary directory), so the replay command works after the
	// test has ended.
	RunDir string
	// Command is the program the reproduce and replay lines name ("": the
	// reports' program, simrun unless a cli binary set its own); a binary
	// of one's own that knows one's protocols goes here.
	Command string
}

// Load reads a scenario file for a test (scenarios.Parse), named by its
// path as simrun names it, and fails t with the file's FILE:LINE error
// if it is not a valid scenario.
func Load(t TB, path string) scenarios.Spec {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("faultlinetest: %v", err)
		return scenarios.Spec{}
	}
	s, err := scenarios.Parse(path, data)
	if err != nil {
		t.Fatalf("faultlinetest: %v", err)
		return scenarios.Spec{}
	}
	s.Name = path
	return s
}

// Seeds runs spec with every seed from first to last and fails t at the
// first run with a safety violation, reporting it (Report). It logs how
// many seeds ran when none fails.
func Seeds(t TB, spec scenarios.Spec, first, last uint64, o Options) {
	t.Helper()
	if last < first {
		t.Fatalf("faultlinetest: seed range %d-%d is empty", first, last)
		return
	}
	for seed := first; ; seed++ {
		out, err := scenarios.Run(spec, scenarios.Options{Seed: seed, Bug: o.Bug, LinTimeout: o.LinTimeout, NoTrace: true})
		if err != nil {
			t.Fatalf("faultlinetest: %v", err)
			return
		}
		if out.Verdict == checker.Violation {
			t.Fatalf("%s", report(spec, seed, o))
			return
		}
		if seed == last {
			break
		}
	}
	t.Logf("faultlinetest: %s: seeds %d-%d, no safety violation", spec.Name, first, last)
}

// report reruns a violating seed with its trace, shrinks its fault
// schedule when it has one, writes the run file and describes it all.
func report(spec scenarios.Spec, seed uint64, o Options) string {
	out, err := scenarios.Run(spec, scenarios.Options{Seed: seed, Bug: o.Bug, LinTimeout: o.LinTimeout})
	if err != nil {
		return fmt.Sprintf("faultline: %s seed %d: a violation, then a rerun failed: %v", spec.Name, seed, err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "faultline: %s seed %d", spec.Name, seed)
	if o.Bug != "" {
		fmt.Fprintf(&b, " (planted bug %s)", o.Bug)
	}
	fmt.Fprintf(&b, ": %s\n", out.Verdict)
	before := size(out.Schedule)
	if r, err := shrink.Shrink(spec, seed, o.Bug, cmpOr(o.ShrinkRuns, 200)); err == nil {
		out = r.Outcome
		fmt.Fprintf(&b, "fault schedule, shrunk from %d to %d faults in %d runs:\n", before, size(r.Minimal), r.Runs)
	} else {
		fmt.Fprintf(&b, "fault schedule (%d faults, not shrunk: %v):\n", before, err)
	}
	return b.String() + describe(out, o)
}

func describe(out *scenarios.Outcome, o Options) string {
	var b, run bytes.Buffer
	b.WriteString(indent(out.Schedule.String()))
	reports.RunText(&run, out)
	// The run's reproduce line names the program the way the replay line
	// does.
	p, c := reports.Program(), cmdOr(o.Command)
	b.WriteString(strings.NewReplacer("reproduce  "+p+" run ", "reproduce  "+c+" run ", "use "+p+" replay", "use "+c+" replay").Replace(run.String()))
	path, err := writeRunFile(out, o.RunDir)
	if err != nil {
		fmt.Fprintf(&b, "run file not written: %v\n", err)
	} else {
		fmt.Fprintf(&b, "replay     %s replay %s\n", cmdOr(o.Command), path)
	}
	return b.String()
}

func size(s faults.Schedule) int { return len(s.Actions) + len(s.Triggers) }

func indent(s string) string {
	if s == "" {
		return "  (none)\n"
	}
	return regexp.MustCompile(`(?m)^`).ReplaceAllString(strings.TrimRight(s, "\n"), "  ") + "\n"
}

// writeRunFile saves the run (its resolved scenario, seed, bug, fault
// schedule and trace hash) for `simrun replay`.
func writeRunFile(out *scenarios.Outcome, dir string) (string, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	name := fmt.Sprintf("faultline-%s-seed%d-%s.json", reports.FileSafe(filepath.Base(out.Scenario)), out.Seed, out.TraceHash)
	path := filepath.Join(dir, name)
	return path, os.WriteFile(path, scenarios.Record(out).Marshal(), 0o644)
}

func cmpOr(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}

func cmdOr(c string) string {
	if c == "" {
		return reports.Program()
	}
	return c
}

// Faults runs spec under fault schedules rapid draws — crashes with or
// without a restart, pauses, isolations and partitions of the nodes spec
// builds, at times before its liveness phase (or in the first half of its
// time limit) — added to spec's own fixed faults, in place of its random
// ones. A schedule that gives a safety violation fails t; rapid first
// shrinks it to a minimal one, and the failure names the seed, that
// schedule, the checkers' evidence and the replay command.
func Faults(t rapid.TB, spec scenarios.Spec, o Options) {
	t.Helper()
	nodes, err := nodeNames(spec)
	if err != nil {
		t.Fatalf("faultlinetest: %v", err)
		return
	}
	horizon := spec.MaxTime / 2
	if spec.Liveness != nil {
		horizon = spec.Liveness.At
	}
	if horizon <= time.Millisecond {
		t.Fatalf("faultlinetest: %s: no time for faults before its liveness phase or half its time limit", spec.Name)
		return
	}
	rapid.Check(t, func(rt *rapid.T) {
		s := spec
		s.Nemesis = nil
		s.Faults.Actions = append(append([]faults.Action(nil), spec.Faults.Actions...), drawFaults(rt, nodes, horizon)...)
		seed := rapid.Uint64Range(1, 1<<20).Draw(rt, "seed")
		run := scenarios.Options{Seed: seed, Bug: o.Bug, LinTimeout: o.LinTimeout, NoTrace: true}
		out, err := scenarios.Run(s, run)
		if err != nil {
			rt.Fatalf("faultlinetest: %v", err)
		}
		if out.Verdict == checker.Violation {
			run.NoTrace = false // again with the trace, for its hash in the run file
			if out, err = scenarios.Run(s, run); err != nil {
				rt.Fatalf("faultlinetest: %v", err)
			}
			head := fmt.Sprintf("faultline: %s seed %d", spec.Name, seed)
			if o.Bug != "" {
				head += " (planted bug " + o.Bug + ")"
			}
			rt.Fatalf("%s: %s\nfault schedule, as rapid drew it (shrunk by rapid when it failed first):\n%s", head, out.Verdict, describe(out, o))
		}
	})
}

// drawFaults draws up to five faults at millisecond times before horizon.
func drawFaults(rt *rapid.T, nodes []string, horizon time.Duration) []faults.Action {
	ms := func(label string, hi time.Duration) faults.Duration {
		return faults.Duration(time.Duration(rapid.Int64Range(0, int64(hi/time.Millisecond)).Draw(rt, label)) * time.Millisecond)
	}
	node := rapid.SampledFrom(nodes)
	var out []faults.Action
	for i := range rapid.IntRange(0, 5).Draw(rt, "faults") {
		at := ms(fmt.Sprintf("at%d", i), horizon)
		n := node.Draw(rt, fmt.Sprintf("node%d", i))
		switch kind := rapid.SampledFrom([]string{"crash", "crash-restart", "pause", "isolate", "partition"}).Draw(rt, fmt.Sprintf("kind%d", i)); kind {
		case "crash":
			out = append(out, faults.Action{At: at, Kind: faults.Crash, Node: n})
		case "crash-restart":
			down := ms(fmt.Sprintf("down%d", i), 200*time.Millisecond)
			out = append(out, faults.Action{At: at, Kind: faults.Crash, Node: n}, faults.Action{At: at + down + faults.Duration(time.Millisecond), Kind: faults.Restart, Node: n})
		case "pause":
			out = append(out, faults.Action{At: at, Kind: faults.Pause, Node: n, Duration: ms(fmt.Sprintf("pause%d", i), 300*time.Millisecond) + faults.Duration(time.Millisecond)})
		case "isolate", "partition":
			a := faults.Action{At: at, Kind: faults.Isolate, Node: n}
			if kind == "partition" {
				other := node.Draw(rt, fmt.Sprintf("with%d", i))
				var rest []string
				for _, m := range nodes {
					if m != n && m != other {
						rest = append(rest, m)
					}
				}
				if len(rest) > 0 {
					a = faults.Action{At: at, Kind: faults.Partition, Groups: [][]string{uniq(n, other), rest}}
				}
			}
			heal := at + ms(fmt.Sprintf("heal%d", i), 200*time.Millisecond) + faults.Duration(time.Millisecond)
			out = append(out, a, faults.Action{At: heal, Kind: faults.Heal})
		}
	}
	return out
}

func uniq(a, b string) []string {
	if a == b {
		return []string{a}
	}
	return []string{a, b}
}

// nodeNames builds (does not run) spec's world to learn its nodes.
func nodeNames(spec scenarios.Spec) ([]string, error) {
	w, err := sim.New(sim.Config{Seed: 1, Network: spec.Network.Sim(), MaxTime: time.Second, NoTrace: true})
	if err != nil {
		return nil, err
	}
	if err := spec.System.Build(w, 1); err != nil {
		return nil, err
	}
	return w.Names(), nil
}
