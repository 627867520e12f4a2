package scenarios

import (
	"fmt"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/protocol/paxoscommit"
	"github.com/faultline-sim/faultline/protocol/threepc"
	"github.com/faultline-sim/faultline/protocol/twopc"
	"github.com/faultline-sim/faultline/protocol/txn"
	"github.com/faultline-sim/faultline/workload"
)

// The scenarios of 3PC, cooperative 2PC and Paxos Commit, and the fault
// classes that `simrun compare` runs every commit protocol under.

// commitSpec is bankSpec for any commit protocol.
func commitSpec(p txn.Protocol, name, desc string, expect checker.Verdict) Spec {
	return Spec{Name: name, Description: desc, Expect: expect,
		System:  systemFor(p, workload.DefaultBank()),
		Network: defaultNetwork, MaxTime: 3 * time.Second, MinBlocked: 100 * time.Millisecond}
}

// systemFor wraps a commit protocol and the bank workload.
func systemFor(p txn.Protocol, b workload.Bank) System { return CommitBank{Commit: p, Bank: b} }

var healPhase = &Liveness{At: 1500 * time.Millisecond, Bound: time.Second}

func init() {
	RegisterCommit(twopc.Default())
	RegisterCommit(twopc.Cooperative())
	RegisterCommit(threepc.Default())
	RegisterCommit(paxoscommit.Default(), checker.Ballots{})

}

// --- comparison: the same workload and fault schedule under every protocol ---

// FaultClass is a named fault plan that uses only the roles every commit
// protocol has (coordinator, participants, clients), so one schedule runs
// unchanged against each of them.
type FaultClass struct {
	Name        string
	Description string
	Faults      faults.Schedule
	Nemesis     *faults.Nemesis
	Liveness    *Liveness
}

// FaultClasses lists the comparison's fault classes, in report order.
func FaultClasses() []FaultClass {
	b := workload.DefaultBank()
	only := func(set func(n *faults.Nemesis)) *faults.Nemesis {
		n := &faults.Nemesis{Targets: append([]string{"coordinator"}, b.BankNames()...), Others: b.ClientNames(),
			Start: 0, Stop: ms(1000), Downtime: ms(100), NoRestart: 0.2, PartitionLength: ms(100),
			SlowLength: ms(100), SlowBy: ms(20), LossLength: ms(100), Loss: 0.3, Duplicate: 0.2, Base: defaultNetwork}
		set(n)
		return n
	}
	return []FaultClass{
		{Name: "none", Description: "no faults"},
		{Name: "coordinator-crash", Description: "the coordinator crashes when every vote of a transaction is yes and never returns", Faults: crashAfterVotes(0)},
		{Name: "crash", Description: "random crashes and restarts of coordinator and participants, then heal", Nemesis: only(func(n *faults.Nemesis) { n.CrashRate = 3 }), Liveness: healPhase},
		{Name: "partition", Description: "random partitions, isolations and one-way cuts, then heal", Nemesis: only(func(n *faults.Nemesis) { n.PartitionRate = 3 }), Liveness: healPhase},
		{Name: "lossy", Description: "random slow, lossy and duplicating links, then heal", Nemesis: only(func(n *faults.Nemesis) { n.SlowRate, n.LossRate = 2, 2 }), Liveness: healPhase},
		{Name: "mixed", Description: "the mix of *-faults scenarios (swarm), then heal", Nemesis: commitNemesis(b), Liveness: healPhase},
	}
}

// FaultClassNames lists the fault class names.
func FaultClassNames() []string {
	var out []string
	for _, c := range FaultClasses() {
		out = append(out, c.Name)
	}
	return out
}

// CompareSpec is the scenario of one cell of the comparison grid: the bank
// workload under protocol, with the fault class's schedule.
func CompareSpec(protocol, class string) (Spec, error) {
	p, err := CommitProtocol(protocol)
	if err != nil {
		return Spec{}, err
	}
	for _, c := range FaultClasses() {
		if c.Name == class {
			s := commitSpec(p, protocol+"/"+class, c.Description, checker.OK)
			s.Faults, s.Nemesis, s.Liveness = c.Faults, c.Nemesis, c.Liveness
			return s, nil
		}
	}
	return Spec{}, fmt.Errorf("unknown fault class %q (have: %s)", class, strings.Join(FaultClassNames(), ", "))
}
