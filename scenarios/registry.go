package scenarios

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/lockmgr"
	"github.com/faultline-sim/faultline/protocol/optimistic"
	"github.com/faultline-sim/faultline/protocol/redislock"
	"github.com/faultline-sim/faultline/protocol/redlock"
	"github.com/faultline-sim/faultline/protocol/zklock"
	"github.com/faultline-sim/faultline/workload"
)

var registry = map[string]func() Spec{}

func register(name string, f func() Spec) {
	if _, dup := registry[name]; dup {
		panic("scenarios: duplicate " + name)
	}
	registry[name] = f
}

// Register adds a scenario from outside this package — a protocol package
// of one's own, a test — as the built-ins are added: f makes the Spec
// afresh for each use, and a name registered twice panics.
func Register(f func() Spec) { register(f().Name, f) }

// ErrUnknownScenario is Get's error for a name nothing registered.
var ErrUnknownScenario = errors.New("unknown scenario")

// Get returns the named scenario.
func Get(name string) (Spec, error) {
	f, ok := registry[name]
	if !ok {
		return Spec{}, fmt.Errorf("%w %q", ErrUnknownScenario, name)
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
// crashes of coordinator and participants (between handlers and inside
// them, right before a write, sync or send), every partition shape, slow and
// lossy (and duplicating) links, over the first second; swarm mode lets each
// seed pick its own mix.
func commitNemesis(b workload.Bank) *faults.Nemesis {
	return &faults.Nemesis{
		Targets: append([]string{"coordinator"}, b.BankNames()...),
		Others:  b.ClientNames(),
		Start:   0, Stop: ms(1000),
		CrashRate: 3, Downtime: ms(100), NoRestart: 0.2,
		MidCrashRate:  3,
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

// Describe is a scenario's one-line summary for listings.
func Describe(s Spec) string {
	expect := string(s.Expect)
	if s.ExpectsBySweep() {
		expect += " (by sweep)"
	}
	return fmt.Sprintf("%-32s expect %-22s %s", s.Name, expect, strings.TrimSpace(s.Description))
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// closest is the known name nearest to a mistyped one, for "did you mean".
func closest(name string, known []string) string { return obs.Closest(name, known) }

// The lock services and the store built in, as files name them. The
// commit protocols join through RegisterCommit (commit3.go).
func init() {
	registerProtocol("lockmgr", protocolEntry{family: familyLocks, def: lockmgr.Default(), judges: LeaseJudges})
	registerProtocol("redis-lock", protocolEntry{family: familyLocks, def: redislock.Default(), judges: RedisJudges})
	registerProtocol("redlock", protocolEntry{family: familyLocks, def: redlock.Default(), judges: RedisJudges})
	registerProtocol("zklock", protocolEntry{family: familyLocks, def: zklock.Default(), judges: ZKJudges})
	registerProtocol("optimistic", protocolEntry{family: familyInventory, def: optimistic.Default()})
}
