package txn

import (
	"strings"

	"github.com/faultline-sim/faultline/obs"
)

// The messages every atomic-commit protocol here exchanges in the same
// form. A protocol package names them again (type Prepare = txn.Prepare)
// next to its own messages, so its messages.go still lists all it sends.

// Prepare asks a participant to prepare (vote on) its part of a
// transaction. Peers are every participant of the transaction, for the
// termination protocols that ask each other.
type Prepare struct {
	Txn   string
	Ops   []Op
	Peers []string
}

// Vote is a participant's answer to Prepare.
type Vote struct {
	Txn string
	Yes bool
}

// Decision is the outcome, from the coordinator or whoever took over.
type Decision struct {
	Txn    string
	Commit bool
}

// Ack acknowledges a Decision.
type Ack struct{ Txn string }

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

func (m Decision) String() string { return "decision " + m.Txn + " " + obs.CommitOrAbort(m.Commit) }
func (m Ack) String() string      { return "ack " + m.Txn }

// VoteTimeout is the coordinator's timer for a transaction's votes.
type VoteTimeout struct{ Txn string }

// ResendTimer is the coordinator's timer for resending what is not yet
// acknowledged.
type ResendTimer struct{ Txn string }

func (t VoteTimeout) String() string { return "vote-timeout " + t.Txn }
func (t ResendTimer) String() string { return "resend " + t.Txn }
