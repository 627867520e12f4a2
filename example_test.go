package faultline_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/faultline-sim/faultline"
)

// One run of the seed article's blocking case: the coordinator crashes once
// every participant has voted yes, and they wait, holding their locks. The
// same seed gives the same trace hash on every machine.
func ExampleRun() {
	s, err := faultline.Load("2pc-coordinator-crash")
	if err != nil {
		panic(err)
	}
	out, err := faultline.Run(s, faultline.RunOptions{Seed: 1})
	if err != nil {
		panic(err)
	}
	fmt.Println(out.Verdict, out.TraceHash)
	// Output: blocked afdae73643a75c87
}

// A sweep over 20 seeds with a planted bug: a coordinator that commits on
// partial votes breaks atomicity, and the money checker sees it too.
func ExampleSweep() {
	s, err := faultline.Load("2pc-bank-faults")
	if err != nil {
		panic(err)
	}
	res, err := faultline.Sweep(s, faultline.SweepOptions{From: 1, To: 20, Bug: "commit-on-partial-votes", Verify: -1})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Counts[faultline.OK], "ok,", res.Counts[faultline.Violation], "violations")
	fmt.Println("first failing seeds:", res.Seeds(faultline.Violation, 3))
	fmt.Println("atomicity violated in", res.ByChecker["atomicity"], "runs")
	// Output:
	// 4 ok, 16 violations
	// first failing seeds: [1 2 3]
	// atomicity violated in 16 runs
}

// Shrinking a failing seed of 3PC under random faults: of its 21 fault
// actions, one isolation of a participant is what breaks atomicity.
func ExampleShrink() {
	s, err := faultline.Load("3pc-faults")
	if err != nil {
		panic(err)
	}
	res, err := faultline.Shrink(s, faultline.ShrinkOptions{Seed: 83})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d actions shrunk in %d runs to:\n%s", len(res.Original.Actions), res.Runs, res.Minimal)
	fmt.Println(res.Outcome.Verdict, res.Checkers)
	// Output:
	// 21 actions shrunk in 9 runs to:
	//    0.224209602 isolate participant-2
	//    1.500000000 heal-all
	// violation [atomicity conservation]
}

// Crash points: the lock manager crashed (and restarted 20ms later) right
// after each sampled write, send, timer and fact of a fault-free run.
func ExampleCrashPoints() {
	s, err := faultline.Load("lockmgr-crash")
	if err != nil {
		panic(err)
	}
	res, err := faultline.CrashPoints(s, faultline.CrashPointOptions{Seed: 1, PerKind: 2, RestartAfter: 20 * time.Millisecond})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d effect boundaries, %d distinct, %d run: %d ok\n", res.Boundaries, res.Distinct, res.Points, res.Counts[faultline.OK])
	// Output: 271 effect boundaries, 136 distinct, 77 run: 77 ok
}

// A scenario of one's own is a file: start from a built-in (Encode, or
// `simrun show`), change it, and load it by path.
func ExampleLoad() {
	s, err := faultline.Load("2pc-coordinator-crash")
	if err != nil {
		panic(err)
	}
	file, err := faultline.Encode(s)
	if err != nil {
		panic(err)
	}
	file = bytes.Replace(file, []byte("participants: 3"), []byte("participants: 5"), 1)
	dir, err := os.MkdirTemp("", "faultline-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "five.yaml")
	if err := os.WriteFile(path, file, 0o644); err != nil {
		panic(err)
	}

	mine, err := faultline.Load(path)
	if err != nil {
		panic(err)
	}
	out, err := faultline.Run(mine, faultline.RunOptions{Seed: 1})
	if err != nil {
		panic(err)
	}
	fmt.Println(out.Scenario == path, out.Verdict)
	// Output: true blocked
}

// A bad scenario file is refused with the file, line and field.
func ExampleParse() {
	_, err := faultline.Parse("my.yaml", []byte(`name: mine
expect: ok
system:
  protocol: 2pc
  params: {vote-timout: 100ms}
limits: {max-time: 1s}
`))
	fmt.Println(err)
	// Output: my.yaml:5: system.params.vote-timout: unknown parameter of 2pc (did you mean "vote-timeout"? known: vote-timeout, unilateral-abort, resend-interval, inquiry-interval, cooperative)
}

// A saved run replays bit for bit from its run file, which carries the
// scenario resolved: it does not depend on the built-in staying as it is.
func ExampleReplay() {
	s, err := faultline.Load("3pc-partition")
	if err != nil {
		panic(err)
	}
	out, err := faultline.Run(s, faultline.RunOptions{Seed: 1})
	if err != nil {
		panic(err)
	}
	again, err := faultline.Replay(faultline.SaveRun(out))
	if err != nil {
		panic(err)
	}
	fmt.Println(again.Verdict, again.TraceHash == out.TraceHash)
	// Output: violation true
}
