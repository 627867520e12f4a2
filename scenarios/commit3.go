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

// splitAtPreCommit partitions the first participant to pre-commit, with the
// coordinator and the clients, from the other participants, at the moment
// it pre-commits: the PreCommits still in flight to the others are lost.
func splitAtPreCommit(b workload.Bank) faults.Schedule {
	var s faults.Schedule
	banks := b.BankNames()
	for _, p := range banks {
		side := append([]string{"coordinator", p}, b.ClientNames()...)
		var other []string
		for _, q := range banks {
			if q != p {
				other = append(other, q)
			}
		}
		s.Triggers = append(s.Triggers, faults.Trigger{On: "precommit", Node: p, Where: map[string]string{"acked": "false"},
			Do: []faults.Action{{Kind: faults.Partition, Groups: [][]string{side, other}}}})
	}
	return s
}

// crashAfterFirstDecision crashes the coordinator as soon as one
// participant has applied its commit, and cuts the coordinator's links so
// the decisions still in flight to the others are lost: one participant
// knows the outcome, the others are uncertain.
func crashAfterFirstDecision(b workload.Bank) faults.Schedule {
	var s faults.Schedule
	for _, p := range b.BankNames() {
		s.Triggers = append(s.Triggers, faults.Trigger{On: "decide", Node: p, Where: map[string]string{"via": "coordinator", "commit": "true"},
			Do: []faults.Action{
				{Kind: faults.Cut, From: []string{"coordinator"}, To: b.BankNames()},
				{Kind: faults.Crash, Node: "coordinator"},
			}})
	}
	return s
}

func init() {
	RegisterCommit(twopc.Default())
	RegisterCommit(twopc.Cooperative())
	RegisterCommit(threepc.Default())
	RegisterCommit(paxoscommit.Default(), checker.Ballots{})

	bank := workload.DefaultBank()
	tp := threepc.Default()
	register(func() Spec {
		s := commitSpec(tp, "3pc-bank", "3PC bank transfers, no faults; every transfer decided, money conserved", checker.OK)
		s.Liveness = healPhase
		return s
	})
	register(func() Spec {
		s := commitSpec(tp, "3pc-coordinator-crash", "the coordinator crashes once every participant is pre-committed, before it commits; the participants elect a leader among themselves and commit without it", checker.OK)
		s.Faults = faults.Schedule{Triggers: []faults.Trigger{{On: "precommit", Node: "coordinator", Where: map[string]string{"acked": "true"},
			Do: []faults.Action{{Kind: faults.Crash, Node: "coordinator"}}}}}
		s.Liveness = healPhase
		return s
	})
	register(func() Spec {
		s := commitSpec(tp, "3pc-partition", "the split: pre-commit reaches one participant, then a partition cuts it (with the coordinator) off from the rest; its side commits, the other side aborts", checker.Violation)
		s.Faults = splitAtPreCommit(bank)
		return s
	})
	register(func() Spec {
		s := commitSpec(tp, "3pc-faults", "3PC under the random faults of 2pc-bank-faults (same schedule per seed); partitions, loss and slow links break its timing assumption and random search finds atomicity violations", checker.Violation)
		s.Nemesis = commitNemesis(bank)
		s.Liveness = healPhase
		return s
	})
	coop := twopc.Cooperative()
	register(func() Spec {
		s := commitSpec(coop, "2pc-cooperative-resolved", "cooperative termination resolves what plain 2PC cannot: the coordinator crashes after one participant applied the commit, the others ask it and commit (a single transfer, so no other transaction is caught in flight)", checker.OK)
		s.Faults = crashAfterFirstDecision(bank)
		one := bank
		one.Clients, one.Transfers = 1, 1
		s.System = systemFor(coop, one)
		return s
	})
	register(func() Spec {
		s := commitSpec(coop, "2pc-cooperative-blocked", "what cooperative termination cannot resolve: the coordinator crashes after every vote is yes, before deciding; every peer is uncertain and all stay blocked", checker.Blocked)
		s.Faults = crashAfterVotes(0)
		return s
	})

	pc := paxoscommit.Default()
	register(func() Spec {
		s := commitSpec(pc, "paxoscommit-bank", "Paxos Commit (F=1, three acceptors) bank transfers, no faults; every transfer decided, money conserved", checker.OK)
		s.Liveness = healPhase
		return s
	})
	register(func() Spec {
		s := commitSpec(pc, "paxoscommit-coordinator-crash", "2PC's blocking case under Paxos Commit: the coordinator crashes once every vote is in, before deciding; a participant leads ballot 1, learns every instance chose prepared from the acceptors, and all commit without the coordinator", checker.OK)
		s.Faults = crashAfterVotes(0)
		s.Liveness = healPhase
		return s
	})
	register(func() Spec {
		s := commitSpec(pc, "paxoscommit-partition", "a partition splits coordinator, one participant and one acceptor from the rest as the decision is reached; the majority side learns the outcome through a higher ballot, no side contradicts the other, and after healing all decide", checker.OK)
		side := append([]string{"coordinator", "participant-1", "acceptor-1"}, bank.ClientNames()...)
		s.Faults = faults.Schedule{Triggers: []faults.Trigger{{On: "votes-in", Node: "coordinator", Where: map[string]string{"all-yes": "true"},
			Do: []faults.Action{{Kind: faults.Partition, Groups: [][]string{side, {"participant-2", "participant-3", "acceptor-2", "acceptor-3"}}}}}}}
		s.Liveness = healPhase
		return s
	})
	register(func() Spec {
		s := commitSpec(pc, "paxoscommit-faults", "Paxos Commit under the random faults of 2pc-bank-faults and 3pc-faults (same schedule per seed); then heal and check every transfer is decided", checker.OK)
		s.Nemesis = commitNemesis(bank)
		s.Liveness = healPhase
		return s
	})
	register(func() Spec {
		s := commitSpec(pc, "paxoscommit-acceptor-faults", "as paxoscommit-faults, with the acceptors crashing, pausing and being partitioned too", checker.OK)
		s.Nemesis = commitNemesis(bank)
		s.Nemesis.Targets = append(s.Nemesis.Targets, paxoscommit.Acceptors(pc.F)...)
		s.Liveness = healPhase
		return s
	})
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
