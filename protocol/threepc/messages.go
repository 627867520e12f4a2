package threepc

import "github.com/faultline-sim/faultline/protocol/txn"

// Phase 1 is 2PC's, in the commit kit's messages: Prepare, then each
// participant's Vote.
type (
	Prepare = txn.Prepare
	Vote    = txn.Vote
)

// Phase 2: PreCommit tells a participant every vote was yes (from the
// coordinator) or that a termination leader is about to commit.
type PreCommit struct{ Txn string }

// PreAck acknowledges a PreCommit.
type PreAck struct{ Txn string }

// Phase 3: the outcome goes out as the kit's Decision, from the coordinator
// or a termination leader, and each participant sends its Ack.
type (
	Decision = txn.Decision
	Ack      = txn.Ack
)

// StateReq asks a peer for its state of a transaction: the first step of the
// termination protocol, which doubles as the election (whoever answers is
// reachable and alive).
type StateReq struct{ Txn string }

// StateReply answers a StateReq, and tells a coordinator resending
// PreCommit that the participant already decided.
type StateReply struct {
	Txn       string
	State     State
	Recovered bool // restarted since voting: may not lead a termination
}

func (m PreCommit) String() string { return "precommit " + m.Txn }
func (m PreAck) String() string    { return "precommit-ack " + m.Txn }
func (m StateReq) String() string  { return "state-req " + m.Txn }
func (m StateReply) String() string {
	s := "state " + m.Txn + " " + m.State.String()
	if m.Recovered {
		s += " recovered"
	}
	return s
}

// State is a participant's state of one transaction (Skeen's states).
type State int

const (
	Initial      State = iota // not voted
	Uncertain                 // voted yes, may still commit or abort
	PreCommitted              // every vote was yes; will commit unless a termination aborts
	Committed
	Aborted
)

func (s State) String() string {
	switch s {
	case Initial:
		return "initial"
	case Uncertain:
		return "uncertain"
	case PreCommitted:
		return "pre-committed"
	case Committed:
		return "committed"
	case Aborted:
		return "aborted"
	}
	return "state?"
}

func (s State) decided() bool { return s == Committed || s == Aborted }
