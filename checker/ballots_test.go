package checker

import (
	"testing"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
)

func acceptorHist(facts ...sim.Observation) *History {
	return &History{Observations: facts, Names: []string{"acceptor-1", "acceptor-2", "acceptor-3"}}
}

func acceptorAt(node int, f obs.Fact) sim.Observation {
	return sim.Observation{Node: sim.NodeID(node), Data: f}
}

func TestBallotsFlagsAcceptBelowPromiseAndTwoChosenValues(t *testing.T) {
	ok := acceptorHist(acceptorAt(0, obs.Accept{Txn: "t", Instance: "p1", Ballot: 0, Value: "prepared", Quorum: 2}),
		acceptorAt(1, obs.Accept{Txn: "t", Instance: "p1", Ballot: 0, Value: "prepared", Quorum: 2}),
		acceptorAt(0, obs.Promise{Txn: "t", Instance: "p1", Ballot: 256}),
		acceptorAt(0, obs.Accept{Txn: "t", Instance: "p1", Ballot: 256, Value: "prepared", Quorum: 2}))
	if r := (Ballots{}).Check(ok); r.Verdict != OK {
		t.Fatalf("a correct history: %v", r)
	}
	forgot := acceptorHist(acceptorAt(0, obs.Promise{Txn: "t", Instance: "p1", Ballot: 256}),
		acceptorAt(0, obs.Accept{Txn: "t", Instance: "p1", Ballot: 0, Value: "prepared", Quorum: 2}))
	if r := (Ballots{}).Check(forgot); r.Verdict != Violation {
		t.Fatalf("accept below a promise: %v", r)
	}
	split := acceptorHist(acceptorAt(0, obs.Accept{Txn: "t", Instance: "p1", Ballot: 0, Value: "prepared", Quorum: 2}),
		acceptorAt(1, obs.Accept{Txn: "t", Instance: "p1", Ballot: 0, Value: "prepared", Quorum: 2}),
		acceptorAt(2, obs.Accept{Txn: "t", Instance: "p1", Ballot: 257, Value: "aborted", Quorum: 2}),
		acceptorAt(1, obs.Accept{Txn: "t", Instance: "p1", Ballot: 257, Value: "aborted", Quorum: 2}))
	if r := (Ballots{}).Check(split); r.Verdict != Violation {
		t.Fatalf("two values chosen: %v", r)
	}
}
