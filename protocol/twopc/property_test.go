package twopc_test

import (
	"flag"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/protocol/twopc"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/workload"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

var roles = []string{"coordinator", "participant-1", "participant-2", "participant-3"}

func dms(n int) faults.Duration { return faults.Duration(time.Duration(n) * time.Millisecond) }

// drawTransfers draws the workload itself, so rapid can shrink it.
func drawTransfers(t *rapid.T, b workload.Bank) []workload.Transfer {
	n := rapid.IntRange(1, 24).Draw(t, "transfers")
	count := map[int]int{}
	out := make([]workload.Transfer, n)
	for i := range out {
		c := rapid.IntRange(1, b.Clients).Draw(t, "client")
		fb := rapid.IntRange(1, b.Banks).Draw(t, "from-bank")
		tb := rapid.IntRange(1, b.Banks-1).Draw(t, "to-bank")
		if tb >= fb {
			tb++
		}
		count[c]++
		out[i] = workload.Transfer{
			Txn: fmt.Sprintf("c%d-t%d", c, count[c]), Client: workload.ClientName(c),
			At:       time.Duration(rapid.IntRange(1, 400).Draw(t, "at-ms")) * time.Millisecond,
			FromBank: workload.BankName(fb), From: workload.AccountName(fb, rapid.IntRange(1, b.AccountsPerBank).Draw(t, "from-acct")),
			ToBank: workload.BankName(tb), To: workload.AccountName(tb, rapid.IntRange(1, b.AccountsPerBank).Draw(t, "to-acct")),
			Amount: int64(rapid.IntRange(1, 80).Draw(t, "amount")),
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At < out[j].At })
	return out
}

// drawSchedule draws every fault as data — timed actions and crash points
// (triggers on a node's own observations) — so that a failure shrinks to
// the few faults that matter.
func drawSchedule(t *rapid.T) faults.Schedule {
	var s faults.Schedule
	node := rapid.SampledFrom(roles)
	for i, n := 0, rapid.IntRange(0, 8).Draw(t, "actions"); i < n; i++ {
		at := dms(rapid.IntRange(0, 600).Draw(t, "at-ms"))
		a := faults.Action{At: at}
		switch kind := rapid.SampledFrom([]faults.Kind{faults.Crash, faults.Restart, faults.Isolate, faults.Partition, faults.Cut, faults.SetLink, faults.Heal}).Draw(t, "kind"); kind {
		case faults.Crash, faults.Restart, faults.Isolate:
			a.Kind, a.Node = kind, node.Draw(t, "node")
		case faults.Partition:
			side := rapid.SliceOfNDistinct(node, 1, 3, func(s string) string { return s }).Draw(t, "side")
			var other []string
			for _, r := range roles {
				if !slices.Contains(side, r) {
					other = append(other, r)
				}
			}
			a.Kind, a.Groups = kind, [][]string{side, other}
		case faults.Cut:
			from := node.Draw(t, "from")
			to := node.Draw(t, "to")
			if to == from {
				continue
			}
			a.Kind, a.From, a.To = kind, []string{from}, []string{to}
		case faults.SetLink:
			a.Kind, a.From = kind, []string{node.Draw(t, "node")}
			a.Link = &faults.LinkSpec{Latency: dms(rapid.IntRange(0, 150).Draw(t, "latency-ms")), Jitter: dms(2),
				Loss: rapid.Float64Range(0, 1).Draw(t, "loss"), Duplicate: rapid.Float64Range(0, 1).Draw(t, "dup")}
		case faults.Heal:
			a.Kind = kind
		}
		s.Actions = append(s.Actions, a)
	}
	for i, n := 0, rapid.IntRange(0, 3).Draw(t, "crash-points"); i < n; i++ {
		who := node.Draw(t, "crash-point-node")
		on := rapid.SampledFrom([]string{"vote", "decide", "votes-in", "begin"}).Draw(t, "crash-point-on")
		do := []faults.Action{{Kind: faults.Crash, Node: who}}
		if rapid.Bool().Draw(t, "restart") {
			do = append(do, faults.Action{At: dms(rapid.IntRange(1, 300).Draw(t, "down-ms")), Kind: faults.Restart, Node: who})
		}
		s.Triggers = append(s.Triggers, faults.Trigger{On: on, Node: who, Skip: rapid.IntRange(0, 5).Draw(t, "skip"), Do: do})
	}
	faults.SortActions(s.Actions)
	return s
}

// commitProperty: whatever the workload and faults, 2PC never breaks
// atomicity or conservation, and once everything is healed every
// participant decides.
func commitProperty(bug string) func(*rapid.T) {
	return func(t *rapid.T) {
		bank := workload.DefaultBank()
		proto := twopc.Default()
		spec := scenarios.Spec{
			Name:       "2pc-property",
			Expect:     checker.OK,
			System:     scenarios.CommitBank{Commit: proto, Bank: bank, Transfers: drawTransfers(t, bank)},
			Network:    faults.LinkSpec{Latency: dms(1), Jitter: dms(rapid.IntRange(0, 5).Draw(t, "jitter-ms"))},
			Faults:     drawSchedule(t),
			Liveness:   &scenarios.Liveness{At: 800 * time.Millisecond, Bound: time.Second},
			MaxTime:    2 * time.Second,
			MinBlocked: 100 * time.Millisecond,
		}
		seed := rapid.Uint64().Draw(t, "seed")
		out, err := scenarios.Run(spec, scenarios.Options{Seed: seed, Bug: bug, NoTrace: true})
		if err != nil {
			t.Fatalf("run: %v", err)
		}
		for _, r := range out.Results {
			if r.Verdict == checker.Violation {
				t.Fatalf("%s\nfault schedule:\n%s", r, out.Schedule)
			}
		}
	}
}

func TestPropertyAtomicityAndConservationUnderDrawnFaults(t *testing.T) {
	rapid.Check(t, commitProperty(""))
}

// A planted bug must make the very same property fail.
func TestPropertyCatchesPlantedBugs(t *testing.T) {
	for _, bug := range []string{twopc.BugCommitOnPartialVotes, twopc.BugPresumeAbortOnRestart} {
		t.Run(bug, func(t *testing.T) {
			failed, log := expectFailure(commitProperty(bug))
			require.True(t, failed, "the property held with planted bug %s", bug)
			t.Logf("rapid's shrunk counterexample:\n%s", firstLines(log, 30))
		})
	}
}

// expectFailure runs a rapid property that is supposed to fail, without
// failing the calling test, and returns rapid's report.
func expectFailure(prop func(*rapid.T)) (bool, string) {
	for name, v := range map[string]string{"rapid.nofailfile": "true", "rapid.shrinktime": "5s"} {
		if f := flag.Lookup(name); f != nil {
			old := f.Value.String()
			_ = f.Value.Set(v)
			defer func() { _ = f.Value.Set(old) }()
		}
	}
	rec := &recordingTB{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // rapid ends a failed check with FailNow, which must not end the caller
		defer wg.Done()
		rapid.Check(rec, prop)
	}()
	wg.Wait()
	return rec.Failed(), rec.log.String()
}

type recordingTB struct {
	mu     sync.Mutex
	failed bool
	log    strings.Builder
}

func (r *recordingTB) Helper()       {}
func (r *recordingTB) Name() string  { return "expected-failure" }
func (r *recordingTB) Failed() bool  { r.mu.Lock(); defer r.mu.Unlock(); return r.failed }
func (r *recordingTB) Fail()         { r.mu.Lock(); r.failed = true; r.mu.Unlock() }
func (r *recordingTB) FailNow()      { r.Fail(); runtime.Goexit() }
func (r *recordingTB) SkipNow()      { runtime.Goexit() }
func (r *recordingTB) Log(a ...any)  { r.Logf("%s", fmt.Sprint(a...)) }
func (r *recordingTB) Skip(a ...any) { r.SkipNow() }
func (r *recordingTB) Skipf(string, ...any) {
	r.SkipNow()
}
func (r *recordingTB) Logf(f string, a ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(&r.log, f+"\n", a...)
}
func (r *recordingTB) Errorf(f string, a ...any) { r.Logf(f, a...); r.Fail() }
func (r *recordingTB) Error(a ...any)            { r.Log(a...); r.Fail() }
func (r *recordingTB) Fatalf(f string, a ...any) { r.Errorf(f, a...); r.FailNow() }
func (r *recordingTB) Fatal(a ...any)            { r.Error(a...); r.FailNow() }

func firstLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}
