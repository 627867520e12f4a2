package obs

import (
	"fmt"
	"strings"
)

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

func (b Begin) String() string {
	return fmt.Sprintf("begin %s participants=%s", b.Txn, strings.Join(b.Participants, ","))
}
func (v Vote) String() string {
	if !v.Yes {
		return "vote " + v.Txn + " no"
	}
	return fmt.Sprintf("vote %s yes locks=%s delta=%+d", v.Txn, strings.Join(v.Locks, ","), v.Delta)
}
func (v VotesIn) String() string {
	return fmt.Sprintf("votes-in %s all-yes=%t", v.Txn, v.AllYes)
}
func (p PreCommit) String() string {
	if p.Acked {
		return "precommit " + p.Txn + " acked"
	}
	return "precommit " + p.Txn
}
func (d Decide) String() string {
	s := "decide " + d.Txn + " " + CommitOrAbort(d.Commit)
	if d.Via != "" {
		s += " via=" + string(d.Via)
	}
	return s
}
func (o Outcome) String() string { return "outcome " + o.Txn + " " + CommitOrAbort(o.Commit) }
func (s Submit) String() string  { return "submit " + s.Txn }

// CommitOrAbort is how the trace writes an outcome: "commit" or "abort",
// in facts and in the commit protocols' messages alike.
func CommitOrAbort(commit bool) string {
	if commit {
		return "commit"
	}
	return "abort"
}
