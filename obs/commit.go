package obs

import "strconv"

// Begin: the coordinator started transaction Txn over these participants.
type Begin struct {
	Txn          string
	Participants []string
}

func (Begin) Kind() string { return "begin" }

// Vote: a participant voted; a yes vote means it is prepared and holds Locks
// until it learns the decision.
type Vote struct {
	Txn   string
	Yes   bool
	Locks []string
	Delta int64 // what a commit adds to this participant's balances
	// Changes is Delta account by account, so the per-account bank check
	// can replay each balance; not a trigger attribute.
	Changes []Change `fact:"-"`
}

// Change is what a commit adds to one account.
type Change struct {
	Account string
	Delta   int64
}

func (Vote) Kind() string { return "vote" }

// VotesIn: the coordinator has every vote for Txn and is about to decide.
// It is the crash point of the classic 2PC blocking case.
type VotesIn struct {
	Txn    string
	AllYes bool
}

func (VotesIn) Kind() string { return "votes-in" }

// PreCommit: a participant entered the pre-committed state (3PC), or a
// coordinator has every pre-commit acknowledgement (Node is the coordinator).
type PreCommit struct {
	Txn   string
	Acked bool // true: coordinator saw every acknowledgement
}

func (PreCommit) Kind() string { return "precommit" }

// Decide: a node decided Txn. At a participant it means the outcome was
// applied (commit) or rolled back (abort) and its locks released.
type Decide struct {
	Txn    string
	Commit bool
	// How the node learned it (for reports and triggers; no checker
	// judges by it).
	Via Via
}

func (Decide) Kind() string { return "decide" }

// Via is how a node learned a decision.
type Via string

const (
	ViaCoordinator   Via = "coordinator"    // the coordinator's decision message
	ViaPeer          Via = "peer"           // another participant told it (cooperative termination)
	ViaTermination   Via = "termination"    // a termination protocol among participants (3PC)
	ViaLeader        Via = "leader"         // a participant leading a higher ballot (Paxos Commit)
	ViaRecovery      Via = "recovery"       // read back from its log after a restart
	ViaRestart       Via = "restart"        // resolved on restart without a logged decision
	ViaUnilateral    Via = "unilateral"     // it aborted on its own before voting yes
	ViaTimeout       Via = "timeout"        // the coordinator gave up waiting (3PC aborts on a missing vote)
	ViaVoteNo        Via = "vote-no"        // it voted no, which aborts
	ViaPresumedAbort Via = "presumed-abort" // no logged decision means abort
)

func init() {
	Enum(ViaCoordinator, ViaPeer, ViaTermination, ViaLeader, ViaRecovery, ViaRestart, ViaUnilateral, ViaTimeout, ViaVoteNo, ViaPresumedAbort)
	Register[Begin]("the coordinator started a transaction over these participants (attribute participants: how many)")
	Register[Vote]("a participant voted; yes means prepared, holding its locks until it learns the decision")
	Register[VotesIn]("the coordinator has every vote and is about to decide: 2PC's blocking crash point")
	Register[PreCommit]("a participant pre-committed (3PC), or the coordinator has every acknowledgement (acked)")
	Register[Decide]("a node decided; at a participant the outcome is applied and its locks released")
	Register[Outcome]("a client learned the fate of its transaction")
	Register[Submit]("a client sent a transaction to the coordinator")
}

// Outcome: a client learned the fate of its transaction.
type Outcome struct {
	Txn    string
	Commit bool
}

func (Outcome) Kind() string { return "outcome" }

// Submit: a client sent a transaction to the coordinator.
type Submit struct{ Txn string }

func (Submit) Kind() string { return "submit" }

// The commit facts write their String text into the trace without
// allocating (AppendTrace, a sim.TraceAppender); String is built on it.

func (b Begin) String() string   { return string(b.AppendTrace(nil)) }
func (v Vote) String() string    { return string(v.AppendTrace(nil)) }
func (v VotesIn) String() string { return string(v.AppendTrace(nil)) }

// AppendTrace appends String's text.
func (b Begin) AppendTrace(buf []byte) []byte {
	buf = append(append(buf, "begin "...), b.Txn...)
	buf = append(buf, " participants="...)
	return appendJoined(buf, b.Participants, ',')
}

// AppendTrace appends String's text.
func (v Vote) AppendTrace(b []byte) []byte {
	b = append(append(b, "vote "...), v.Txn...)
	if !v.Yes {
		return append(b, " no"...)
	}
	b = append(b, " yes locks="...)
	b = appendJoined(b, v.Locks, ',')
	b = append(b, " delta="...)
	if v.Delta >= 0 {
		b = append(b, '+')
	}
	return strconv.AppendInt(b, v.Delta, 10)
}

// AppendTrace appends String's text.
func (v VotesIn) AppendTrace(b []byte) []byte {
	b = append(append(b, "votes-in "...), v.Txn...)
	return strconv.AppendBool(append(b, " all-yes="...), v.AllYes)
}

// AppendTrace appends String's text.
func (d Decide) AppendTrace(b []byte) []byte {
	b = append(append(b, "decide "...), d.Txn...)
	b = append(append(b, ' '), CommitOrAbort(d.Commit)...)
	if d.Via != "" {
		b = append(append(b, " via="...), d.Via...)
	}
	return b
}

// AppendTrace appends String's text.
func (o Outcome) AppendTrace(b []byte) []byte {
	b = append(append(b, "outcome "...), o.Txn...)
	return append(append(b, ' '), CommitOrAbort(o.Commit)...)
}

// AppendTrace appends String's text.
func (s Submit) AppendTrace(b []byte) []byte { return append(append(b, "submit "...), s.Txn...) }

func appendJoined(b []byte, list []string, sep byte) []byte {
	for i, s := range list {
		if i > 0 {
			b = append(b, sep)
		}
		b = append(b, s...)
	}
	return b
}
func (p PreCommit) String() string {
	if p.Acked {
		return "precommit " + p.Txn + " acked"
	}
	return "precommit " + p.Txn
}
func (d Decide) String() string  { return string(d.AppendTrace(nil)) }
func (o Outcome) String() string { return string(o.AppendTrace(nil)) }
func (s Submit) String() string  { return string(s.AppendTrace(nil)) }

// CommitOrAbort is how the trace writes an outcome: "commit" or "abort",
// in facts and in the commit protocols' messages alike.
func CommitOrAbort(commit bool) string {
	if commit {
		return "commit"
	}
	return "abort"
}
