package txn

import "github.com/faultline-sim/faultline/obs"

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

// The messages' AppendTrace methods write their String text into the
// trace without allocating (sim.TraceAppender); String is built on them.

func (m Prepare) String() string { return string(m.AppendTrace(nil)) }

// AppendTrace appends String's text.
func (m Prepare) AppendTrace(b []byte) []byte {
	return appendOps(appendWords(b, "prepare", m.Txn), m.Ops)
}

func (m Vote) String() string { return string(m.AppendTrace(nil)) }

// AppendTrace appends String's text.
func (m Vote) AppendTrace(b []byte) []byte {
	b = append(b, "vote "...)
	b = append(b, m.Txn...)
	if m.Yes {
		return append(b, " yes"...)
	}
	return append(b, " no"...)
}

func (m Decision) String() string { return string(m.AppendTrace(nil)) }

// AppendTrace appends String's text.
func (m Decision) AppendTrace(b []byte) []byte {
	return append(appendWords(b, "decision", m.Txn), obs.CommitOrAbort(m.Commit)...)
}

func (m Ack) String() string { return string(m.AppendTrace(nil)) }

// AppendTrace appends String's text.
func (m Ack) AppendTrace(b []byte) []byte { return append(append(b, "ack "...), m.Txn...) }

// appendWords appends "kind txn ", the start of most messages' text.
func appendWords(b []byte, kind, txn string) []byte {
	b = append(append(b, kind...), ' ')
	return append(append(b, txn...), ' ')
}

// VoteTimeout is the coordinator's timer for a transaction's votes.
type VoteTimeout struct{ Txn string }

// ResendTimer is the coordinator's timer for resending what is not yet
// acknowledged.
type ResendTimer struct{ Txn string }

func (t VoteTimeout) String() string { return "vote-timeout " + t.Txn }
func (t ResendTimer) String() string { return "resend " + t.Txn }

// AppendTrace appends String's text.
func (t VoteTimeout) AppendTrace(b []byte) []byte {
	return append(append(b, "vote-timeout "...), t.Txn...)
}

// AppendTrace appends String's text.
func (t ResendTimer) AppendTrace(b []byte) []byte { return append(append(b, "resend "...), t.Txn...) }
