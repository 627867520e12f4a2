package twopc

import "github.com/faultline-sim/faultline/protocol/txn"

// Phase 1: the coordinator sends Prepare, each participant answers with its
// Vote. Phase 2: the coordinator sends the Decision until each participant
// sends its Ack. These four are the commit kit's, shared with 3PC and Paxos
// Commit.
type (
	Prepare  = txn.Prepare
	Vote     = txn.Vote
	Decision = txn.Decision
	Ack      = txn.Ack
)

// Inquiry is an uncertain participant asking the coordinator for the
// outcome.
type Inquiry struct{ Txn string }

func (m Inquiry) String() string { return "inquiry " + m.Txn }

// AppendTrace appends String's text to the trace without allocating
// (sim.TraceAppender), as the other messages' do.
func (m Inquiry) AppendTrace(b []byte) []byte { return append(append(b, "inquiry "...), m.Txn...) }

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

// AppendTrace appends String's text.
func (m PeerQuery) AppendTrace(b []byte) []byte { return append(append(b, "peer-query "...), m.Txn...) }

// AppendTrace appends String's text.
func (m PeerStatus) AppendTrace(b []byte) []byte {
	b = append(append(b, "peer-status "...), m.Txn...)
	return append(append(b, ' '), m.State.String()...)
}
