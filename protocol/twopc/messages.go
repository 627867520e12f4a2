package twopc

import (
	"strings"

	"github.com/faultline-sim/faultline/protocol/txn"
)

// Prepare asks a participant to prepare its part of a transaction.
type Prepare struct {
	Txn   string
	Ops   []txn.Op
	Peers []string
}

// Vote is a participant's answer to Prepare.
type Vote struct {
	Txn string
	Yes bool
}

// Decision is the coordinator's outcome.
type Decision struct {
	Txn    string
	Commit bool
}

// Ack acknowledges a Decision.
type Ack struct{ Txn string }

// Inquiry is an uncertain participant asking for the outcome.
type Inquiry struct{ Txn string }

func (m Prepare) String() string {
	parts := make([]string, len(m.Ops))
	for i, o := range m.Ops {
		parts[i] = o.String()
	}
	return "prepare " + m.Txn + " " + strings.Join(parts, " ")
}
func (m Vote) String() string {
	if m.Yes {
		return "vote " + m.Txn + " yes"
	}
	return "vote " + m.Txn + " no"
}
func (m Decision) String() string {
	if m.Commit {
		return "decision " + m.Txn + " commit"
	}
	return "decision " + m.Txn + " abort"
}
func (m Ack) String() string     { return "ack " + m.Txn }
func (m Inquiry) String() string { return "inquiry " + m.Txn }

// PeerQuery is an uncertain participant asking a peer what it knows
// (cooperative termination).
type PeerQuery struct{ Txn string }

// PeerStatus answers a PeerQuery.
type PeerStatus struct {
	Txn   string
	State PeerState
}

// PeerState is what a peer knows of a transaction.
type PeerState int

const (
	PeerUncertain PeerState = iota // voted yes, no decision yet
	PeerCommitted
	PeerAborted
)

func (s PeerState) String() string {
	return [...]string{"uncertain", "committed", "aborted"}[s]
}

func (m PeerQuery) String() string  { return "peer-query " + m.Txn }
func (m PeerStatus) String() string { return "peer-status " + m.Txn + " " + m.State.String() }
