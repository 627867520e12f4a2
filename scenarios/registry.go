package scenarios

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/protocol/twopc"
	"github.com/faultline-sim/faultline/workload"
)

var registry = map[string]func() Spec{}

func register(f func() Spec) {
	s := f()
	if _, dup := registry[s.Name]; dup {
		panic("scenarios: duplicate " + s.Name)
	}
	registry[s.Name] = f
}

// Register adds a scenario from outside this package — a protocol package
// of one's own, a test — as the built-ins are added: f makes the Spec
// afresh for each use, and a name registered twice panics.
func Register(f func() Spec) { register(f) }

// Get returns the named scenario.
func Get(name string) (Spec, error) {
	f, ok := registry[name]
	if !ok {
		return Spec{}, fmt.Errorf("unknown scenario %q (simrun list shows them all)", name)
	}
	return f(), nil
}

// All returns every scenario, sorted by name.
func All() []Spec {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]Spec, len(names))
	for i, n := range names {
		out[i] = registry[n]()
	}
	return out
}

// Names lists the scenario names, sorted.
func Names() []string {
	var out []string
	for _, s := range All() {
		out = append(out, s.Name)
	}
	return out
}

func ms(n int) faults.Duration { return faults.Duration(time.Duration(n) * time.Millisecond) }

// defaultNetwork is a LAN-like network: 1–3 ms one way.
var defaultNetwork = faults.LinkSpec{Latency: ms(1), Jitter: ms(2)}

// commitNemesis is the random-fault mix of the *-faults commit scenarios:
// crashes of coordinator and participants, every partition shape, slow and
// lossy (and duplicating) links, over the first second; swarm mode lets each
// seed pick its own mix.
func commitNemesis(b workload.Bank) *faults.Nemesis {
	return &faults.Nemesis{
		Targets: append([]string{"coordinator"}, b.BankNames()...),
		Others:  b.ClientNames(),
		Start:   0, Stop: ms(1000),
		CrashRate: 3, Downtime: ms(100), NoRestart: 0.2,
		PartitionRate: 3, PartitionLength: ms(100),
		SlowRate: 2, SlowLength: ms(100), SlowBy: ms(20),
		LossRate: 2, LossLength: ms(100), Loss: 0.3, Duplicate: 0.2,
		Base:  defaultNetwork,
		Swarm: true,
	}
}

// crashAfterVotes crashes the coordinator at the classic 2PC blocking point:
// every participant of a transaction has voted yes and the decision is not
// yet logged, let alone sent.
func crashAfterVotes(restartAfter time.Duration) faults.Schedule {
	do := []faults.Action{{Kind: faults.Crash, Node: "coordinator"}}
	if restartAfter > 0 {
		do = append(do, faults.Action{At: faults.Duration(restartAfter), Kind: faults.Restart, Node: "coordinator"})
	}
	return faults.Schedule{Triggers: []faults.Trigger{{On: "votes-in", Node: "coordinator", Where: map[string]string{"all-yes": "true"}, Do: do}}}
}

func bankSpec(name, desc string, expect checker.Verdict) Spec {
	return Spec{Name: name, Description: desc, Expect: expect,
		System:  CommitBank{Commit: twopc.Default(), Bank: workload.DefaultBank()},
		Network: defaultNetwork, MaxTime: 3 * time.Second, MinBlocked: 100 * time.Millisecond}
}

func init() {
	register(func() Spec {
		s := bankSpec("2pc-bank", "2PC bank transfers, no faults; every transfer decided, money conserved", checker.OK)
		s.Liveness = &Liveness{At: 1500 * time.Millisecond, Bound: time.Second}
		return s
	})
	register(func() Spec {
		s := bankSpec("2pc-bank-faults", "2PC bank transfers under random crashes, restarts, partitions, delays, loss and duplication; then heal and check every transfer is decided", checker.OK)
		s.Nemesis = commitNemesis(workload.DefaultBank())
		p := twopc.Default()
		p.UnilateralAbort = 0.05 // participants sometimes refuse for reasons of their own
		s.System = CommitBank{Commit: p, Bank: workload.DefaultBank()}
		s.Liveness = &Liveness{At: 1500 * time.Millisecond, Bound: time.Second}
		return s
	})
	register(func() Spec {
		s := bankSpec("2pc-coordinator-crash", "the seed's blocking case: the coordinator crashes after every participant voted yes, before any decision is sent; participants stay uncertain holding their locks", checker.Blocked)
		s.Faults = crashAfterVotes(0)
		return s
	})
	register(func() Spec {
		s := bankSpec("2pc-coordinator-crash-restart", "as 2pc-coordinator-crash, but the coordinator restarts 500ms later and resolves the uncertain participants from its log (presumed abort)", checker.OK)
		s.Faults = crashAfterVotes(500 * time.Millisecond)
		return s
	})
}

// Describe is a scenario's one-line summary for listings.
func Describe(s Spec) string {
	expect := string(s.Expect)
	if s.ExpectsBySweep() {
		expect += " (by sweep)"
	}
	return fmt.Sprintf("%-32s expect %-22s %s", s.Name, expect, strings.TrimSpace(s.Description))
}
