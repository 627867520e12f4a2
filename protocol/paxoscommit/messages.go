package paxoscommit

import (
	"fmt"
	"strings"

	"github.com/faultline-sim/faultline/protocol/txn"
)

// Value is what an instance decides about its participant.
type Value int

const (
	NoValue  Value = iota // nothing accepted yet
	Prepared              // the participant voted yes
	Aborted               // the participant voted no, or a leader found no vote
)

func (v Value) String() string {
	switch v {
	case Prepared:
		return "prepared"
	case Aborted:
		return "aborted"
	}
	return "none"
}

// Ballot orders Paxos rounds: Round<<8 | rank of the leader, so two
// leaders never share a ballot. Ballot 0 belongs to each participant
// proposing its own vote.
type Ballot int64

// MakeBallot is the ballot of a leader's round.
func MakeBallot(round int64, rank int) Ballot { return Ballot(round<<8 | int64(rank&0xff)) }

// Round is the ballot's round number.
func (b Ballot) Round() int64 { return int64(b) >> 8 }

func (b Ballot) String() string { return fmt.Sprintf("%d.%d", int64(b)>>8, int64(b)&0xff) }

// Prepare asks a participant to vote; the outcome goes out as a Decision.
// Both are the commit kit's, shared with 2PC and 3PC. There is no Vote
// message to the coordinator: a participant's vote is its phase-2a
// proposal to the acceptors.
type (
	Prepare  = txn.Prepare
	Decision = txn.Decision
)

// Entry is one instance's value in a phase-2 message.
type Entry struct {
	Instance string
	Value    Value
}

// Phase1a asks the acceptors to promise Ballot for the instances.
type Phase1a struct {
	Txn       string
	Ballot    Ballot
	Instances []string
}

// InstState is an acceptor's state of one instance, in a phase-1b reply.
type InstState struct {
	Instance string
	Bal      Ballot
	Val      Value
}

// Phase1b promises Ballot and reports what was accepted before.
type Phase1b struct {
	Txn    string
	Ballot Ballot
	States []InstState
}

// Phase2a asks the acceptors to accept values at Ballot; phase-2b replies
// go to Leader.
type Phase2a struct {
	Txn     string
	Ballot  Ballot
	Leader  string
	Entries []Entry
}

// Phase2b reports values accepted at Ballot.
type Phase2b struct {
	Txn     string
	Ballot  Ballot
	Entries []Entry
}

// Nack refuses a ballot lower than one already promised.
type Nack struct {
	Txn      string
	Ballot   Ballot // the refused ballot
	Promised Ballot
}

func entries(es []Entry) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Instance + "=" + e.Value.String()
	}
	return strings.Join(parts, " ")
}
func (m Phase1a) String() string {
	return fmt.Sprintf("1a %s b%s %s", m.Txn, m.Ballot, strings.Join(m.Instances, ","))
}
func (m Phase1b) String() string {
	parts := make([]string, len(m.States))
	for i, s := range m.States {
		parts[i] = fmt.Sprintf("%s=%s@%s", s.Instance, s.Val, s.Bal)
	}
	return fmt.Sprintf("1b %s b%s %s", m.Txn, m.Ballot, strings.Join(parts, " "))
}
func (m Phase2a) String() string {
	return fmt.Sprintf("2a %s b%s %s", m.Txn, m.Ballot, entries(m.Entries))
}
func (m Phase2b) String() string {
	return fmt.Sprintf("2b %s b%s %s", m.Txn, m.Ballot, entries(m.Entries))
}
func (m Nack) String() string {
	return fmt.Sprintf("nack %s b%s promised b%s", m.Txn, m.Ballot, m.Promised)
}
