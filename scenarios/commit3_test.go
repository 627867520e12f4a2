package scenarios

import (
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/internal/faket"
	"github.com/faultline-sim/faultline/protocol/paxoscommit"
	"github.com/faultline-sim/faultline/protocol/threepc"
	"github.com/faultline-sim/faultline/protocol/txn"
	"github.com/faultline-sim/faultline/workload"
	"pgregory.net/rapid"
)

func runOK(t *testing.T, name string, seed uint64) *Outcome {
	t.Helper()
	s, err := Get(name)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Run(s, Options{Seed: seed, NoTrace: true})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func result(o *Outcome, name string) checker.Result {
	for _, r := range o.Results {
		if r.Checker == name {
			return r
		}
	}
	return checker.Result{}
}

func TestNewScenariosGiveTheirExpectedVerdicts(t *testing.T) {
	for _, name := range []string{"3pc-bank", "3pc-coordinator-crash", "3pc-partition", "2pc-cooperative-resolved",
		"2pc-cooperative-blocked", "paxoscommit-bank", "paxoscommit-coordinator-crash", "paxoscommit-partition"} {
		for seed := uint64(1); seed <= 5; seed++ {
			if out := runOK(t, name, seed); out.Verdict != out.Expect {
				t.Errorf("%s seed %d: verdict %s, expected %s: %v", name, seed, out.Verdict, out.Expect, out.Results)
			}
		}
	}
}

// The seed article: 3PC "can still block [or worse] in certain network
// partition scenarios" — here one side commits and the other aborts.
func Test3PCPartitionSplitsTheDecision(t *testing.T) {
	out := runOK(t, "3pc-partition", 1)
	r := result(out, "atomicity")
	if r.Verdict != checker.Violation || !strings.Contains(r.Message, "committed at participant-") || !strings.Contains(r.Message, "aborted at participant-") {
		t.Fatalf("want an atomicity violation naming a committed and an aborted participant, got %v", r)
	}
}

// withoutHealing drops the liveness phase, so the coordinator never comes
// back.
func withoutHealing(t *testing.T, name string) Spec {
	s, err := Get(name)
	if err != nil {
		t.Fatal(err)
	}
	s.Liveness = nil
	return s
}

// 3PC and Paxos Commit decide every transaction after the coordinator
// crashes, without it coming back; 2PC blocks on the very same schedule.
func TestCoordinatorCrashBlocksOnly2PC(t *testing.T) {
	same := crashAfterVotes(0) // 2pc-coordinator-crash's schedule
	for _, c := range []struct {
		protocol string
		blocked  bool
	}{{"2pc", true}, {"2pc-coop", true}, {"3pc", false}, {"paxoscommit", false}} {
		s, err := CompareSpec(c.protocol, "none")
		if err != nil {
			t.Fatal(err)
		}
		s.Faults = same
		for seed := uint64(1); seed <= 10; seed++ {
			out, err := Run(s, Options{Seed: seed, NoTrace: true})
			if err != nil {
				t.Fatal(err)
			}
			if b := result(out, "blocking").Verdict == checker.Blocked; b != c.blocked {
				t.Errorf("%s seed %d under 2pc-coordinator-crash's schedule: blocked=%t, want %t", c.protocol, seed, b, c.blocked)
			}
			if out.Verdict == checker.Violation {
				t.Errorf("%s seed %d: %v", c.protocol, seed, out.Results)
			}
		}
	}
	for _, name := range []string{"3pc-coordinator-crash", "paxoscommit-coordinator-crash"} {
		s := withoutHealing(t, name)
		out, err := Run(s, Options{Seed: 1, NoTrace: true})
		if err != nil {
			t.Fatal(err)
		}
		if out.Verdict != checker.OK {
			t.Errorf("%s without the coordinator coming back: %v", name, out.Results)
		}
		decided := 0
		for _, o := range out.History.Observations {
			if d, ok := o.Data.(interface{ Kind() string }); ok && d.Kind() == "decide" && out.History.Names[o.Node] != "coordinator" {
				decided++
			}
		}
		if decided == 0 {
			t.Errorf("%s: no participant decided", name)
		}
	}
}

// Cooperative termination resolves a case plain 2PC cannot.
func TestCooperativeTerminationResolvesWhatPlain2PCCannot(t *testing.T) {
	s, err := Get("2pc-cooperative-resolved")
	if err != nil {
		t.Fatal(err)
	}
	plain, err := CompareSpec("2pc", "none")
	if err != nil {
		t.Fatal(err)
	}
	plain.Faults = s.Faults
	a, _ := Run(s, Options{Seed: 1, NoTrace: true})
	b, _ := Run(plain, Options{Seed: 1, NoTrace: true})
	if a.Verdict != checker.OK || b.Verdict != checker.Blocked {
		t.Fatalf("cooperative: %s, plain: %s; want ok and blocked", a.Verdict, b.Verdict)
	}
}

// --- property tests: fault schedules drawn as data, so rapid shrinks them ---

// faultModel says which faults a property draws.
type faultModel struct {
	targets     []string // nodes that may crash, pause or be cut off
	everyone    []string
	crashPoints bool // crashes triggered at observations
	network     bool // partitions, cuts, loss, duplication, slow links beyond timeouts
	pauses      bool // pauses and clock jumps
	maxLatency  time.Duration
}

var smallBank = workload.Bank{Banks: 3, AccountsPerBank: 2, InitialBalance: 100, Clients: 2, Transfers: 12,
	Interval: 25 * time.Millisecond, MaxAmount: 60, Start: time.Millisecond}

func roles(extra ...string) []string {
	return append(append([]string{"coordinator"}, smallBank.BankNames()...), extra...)
}

// observedBy lists the observation kinds a role records, for crash points.
func observedBy(node string) []string {
	switch {
	case node == "coordinator":
		return []string{"begin", "votes-in", "precommit", "decide"}
	case strings.HasPrefix(node, "participant-"):
		return []string{"vote", "precommit", "decide"}
	}
	return []string{"promise", "accept"}
}

func drawSchedule(t *rapid.T, m faultModel) faults.Schedule {
	var s faults.Schedule
	at := func(label string) faults.Duration {
		return faults.Duration(time.Duration(rapid.IntRange(0, 600).Draw(t, label)) * time.Millisecond)
	}
	kinds := []string{"crash"}
	if m.maxLatency > 0 {
		kinds = append(kinds, "slow")
	}
	if m.crashPoints {
		kinds = append(kinds, "crash-point")
	}
	if m.network {
		kinds = append(kinds, "partition", "cut", "lossy")
	}
	if m.pauses {
		kinds = append(kinds, "pause", "clock")
	}
	n := rapid.IntRange(0, 6).Draw(t, "faults")
	for i := 0; i < n; i++ {
		node := rapid.SampledFrom(m.targets).Draw(t, "node")
		switch kind := rapid.SampledFrom(kinds).Draw(t, "kind"); kind {
		case "crash":
			when := at("at")
			s.Actions = append(s.Actions, faults.Action{At: when, Kind: faults.Crash, Node: node})
			if rapid.Bool().Draw(t, "restart") {
				s.Actions = append(s.Actions, faults.Action{At: when + at("down"), Kind: faults.Restart, Node: node})
			}
		case "crash-point":
			do := []faults.Action{{Kind: faults.Crash, Node: node}}
			if rapid.Bool().Draw(t, "restart") {
				do = append(do, faults.Action{At: 1 + at("down"), Kind: faults.Restart, Node: node})
			}
			s.Triggers = append(s.Triggers, faults.Trigger{On: rapid.SampledFrom(observedBy(node)).Draw(t, "on"), Node: node,
				Skip: rapid.IntRange(0, 3).Draw(t, "skip"), Do: do})
		case "slow":
			lat := time.Duration(rapid.Int64Range(0, int64(m.maxLatency)).Draw(t, "latency"))
			l := faults.LinkSpec{Latency: faults.Duration(lat)}
			when := at("at")
			s.Actions = append(s.Actions, faults.Action{At: when, Kind: faults.SetLink, From: []string{node}, Link: &l})
		case "lossy":
			l := faults.LinkSpec{Latency: faults.Duration(time.Millisecond), Loss: 0.5, Duplicate: 0.3}
			s.Actions = append(s.Actions, faults.Action{At: at("at"), Kind: faults.SetLink, To: []string{node}, Link: &l})
		case "partition":
			var a, b []string
			for _, x := range m.everyone {
				if rapid.Bool().Draw(t, "side") {
					a = append(a, x)
				} else {
					b = append(b, x)
				}
			}
			if len(a) > 0 && len(b) > 0 {
				when := at("at")
				s.Actions = append(s.Actions, faults.Action{At: when, Kind: faults.Partition, Groups: [][]string{a, b}},
					faults.Action{At: when + at("length"), Kind: faults.Heal})
			}
		case "cut":
			to := rapid.SampledFrom(m.everyone).Draw(t, "to")
			if to != node {
				s.Actions = append(s.Actions, faults.Action{At: at("at"), Kind: faults.Cut, From: []string{node}, To: []string{to}})
			}
		case "pause":
			s.Actions = append(s.Actions, faults.Action{At: at("at"), Kind: faults.Pause, Node: node, Duration: at("length") + 1})
		case "clock":
			jump := at("jump") - 300*faults.Duration(time.Millisecond)
			if jump == 0 {
				jump = 1 // a jump of zero is no fault (and refused)
			}
			s.Actions = append(s.Actions, faults.Action{At: at("at"), Kind: faults.ClockJump, Node: node, Duration: jump})
		}
	}
	faults.SortActions(s.Actions)
	return s
}

// safe runs p on the small bank under a drawn schedule and fails on any
// safety violation (atomicity, conservation, ballots).
func safe(p txn.Protocol, m faultModel, bug string) func(*rapid.T) {
	return func(t *rapid.T) {
		plan := drawSchedule(t, m)
		s := Spec{Name: p.Name() + "-property", System: systemFor(p, smallBank), Network: defaultNetwork,
			MaxTime: 2 * time.Second, MinBlocked: 100 * time.Millisecond}
		out, err := Run(s, Options{Seed: 1, NoTrace: true, Schedule: &plan, Bug: bug})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range out.Results {
			if r.Verdict == checker.Violation && r.Checker != "liveness" {
				t.Fatalf("%s under\n%s: %v", p.Name(), plan, r)
			}
		}
	}
}

func paxosModel() faultModel {
	all := roles(paxoscommit.Acceptors(1)...)
	return faultModel{targets: all, everyone: append(all, smallBank.ClientNames()...), crashPoints: true,
		network: true, pauses: true, maxLatency: 300 * time.Millisecond}
}

// crash-only: crashes (at random times and at every observation point) and
// restarts, with message delays below 3PC's timeouts.
func crashOnlyModel() faultModel {
	return faultModel{targets: roles(), everyone: append(roles(), smallBank.ClientNames()...), crashPoints: true,
		maxLatency: 8 * time.Millisecond}
}

// acceptorCrashModel crashes and restarts the coordinator and the
// acceptors, at random times and at observation points: the faults an
// acceptor's durable state exists for.
func acceptorCrashModel() faultModel {
	targets := append([]string{"coordinator"}, paxoscommit.Acceptors(1)...)
	return faultModel{targets: targets, everyone: targets, crashPoints: true}
}

func TestPaxosCommitIsAtomicUnderEveryFaultKind(t *testing.T) {
	rapid.Check(t, safe(paxoscommit.Default(), paxosModel(), ""))
	rapid.Check(t, safe(paxoscommit.Default(), acceptorCrashModel(), ""))
}

func Test3PCIsAtomicUnderCrashOnlyFaults(t *testing.T) {
	rapid.Check(t, safe(threepc.Default(), crashOnlyModel(), ""))
}

// Each planted bug is found by random search over the same fault models
// the correct protocols pass.
func TestPlantedBugsAreCaught(t *testing.T) {
	for _, flagSet := range [][2]string{{"rapid.nofailfile", "true"}, {"rapid.shrinktime", "5s"}, {"rapid.checks", "3000"}} {
		old := flag.Lookup(flagSet[0]).Value.String()
		if err := flag.Set(flagSet[0], flagSet[1]); err != nil {
			t.Fatal(err)
		}
		defer flag.Set(flagSet[0], old)
	}
	for _, c := range []struct {
		p     txn.Protocol
		bug   string
		model faultModel
	}{
		{threepc.Default(), threepc.BugAllUncertainCommits, crashOnlyModel()},
		{threepc.Default(), threepc.BugPreCommittedAborts, crashOnlyModel()},
		{paxoscommit.Default(), paxoscommit.BugForgetPromise, acceptorCrashModel()},
		{paxoscommit.Default(), paxoscommit.BugForgetAccepted, acceptorCrashModel()},
	} {
		t.Run(c.bug, func(t *testing.T) {
			f := &faket.T{TestName: t.Name()}
			rapid.Check(f, safe(c.p, c.model, c.bug))
			if !f.Failed() {
				t.Fatalf("rapid found no schedule that exposes %s's planted bug %s", c.p.Name(), c.bug)
			}
			t.Logf("caught: %s", firstLine(strings.Join(f.Errors, "\n")))
		})
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
