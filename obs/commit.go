package obs

import (
	"fmt"
	"strconv"
	"strings"
)

// Begin: the coordinator started transaction Txn over these participants.
type Begin struct {
	Txn          string
	Participants []string
}

// Vote: a participant voted; a yes vote means it is prepared and holds Locks
// until it learns the decision.
type Vote struct {
	Txn   string
	Yes   bool
	Locks []string
	Delta int64 // what a commit adds to this participant's balances
}

// VotesIn: the coordinator has every vote for Txn and is about to decide.
// It is the crash point of the classic 2PC blocking case.
type VotesIn struct {
	Txn    string
	AllYes bool
}

// PreCommit: a participant entered the pre-committed state (3PC), or a
// coordinator has every pre-commit acknowledgement (Node is the coordinator).
type PreCommit struct {
	Txn   string
	Acked bool // true: coordinator saw every acknowledgement
}

// Decide: a node decided Txn. At a participant it means the outcome was
// applied (commit) or rolled back (abort) and its locks released.
type Decide struct {
	Txn    string
	Commit bool
	// How the node learned it: "coordinator", "peer", "termination",
	// "recovery", "unilateral", "timeout", ...; for reports only.
	Via string
}

// Outcome: a client learned the fate of its transaction.
type Outcome struct {
	Txn    string
	Commit bool
}

// Submit: a client sent a transaction to the coordinator.
type Submit struct{ Txn string }

func (Begin) Kind() string     { return "begin" }
func (Vote) Kind() string      { return "vote" }
func (VotesIn) Kind() string   { return "votes-in" }
func (PreCommit) Kind() string { return "precommit" }
func (Decide) Kind() string    { return "decide" }
func (Outcome) Kind() string   { return "outcome" }
func (Submit) Kind() string    { return "submit" }

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
	s := "decide " + d.Txn + " " + outcome(d.Commit)
	if d.Via != "" {
		s += " via=" + d.Via
	}
	return s
}
func (o Outcome) String() string { return "outcome " + o.Txn + " " + outcome(o.Commit) }
func (s Submit) String() string  { return "submit " + s.Txn }

func (b Begin) Attr(n string) (string, bool) {
	switch n {
	case "txn":
		return b.Txn, true
	case "participants":
		return strconv.Itoa(len(b.Participants)), true
	}
	return "", false
}
func (v Vote) Attr(n string) (string, bool) {
	switch n {
	case "txn":
		return v.Txn, true
	case "yes":
		return strconv.FormatBool(v.Yes), true
	}
	return "", false
}
func (v VotesIn) Attr(n string) (string, bool) {
	switch n {
	case "txn":
		return v.Txn, true
	case "all-yes":
		return strconv.FormatBool(v.AllYes), true
	}
	return "", false
}
func (p PreCommit) Attr(n string) (string, bool) {
	switch n {
	case "txn":
		return p.Txn, true
	case "acked":
		return strconv.FormatBool(p.Acked), true
	}
	return "", false
}
func (d Decide) Attr(n string) (string, bool) {
	switch n {
	case "txn":
		return d.Txn, true
	case "commit":
		return strconv.FormatBool(d.Commit), true
	case "via":
		return d.Via, true
	}
	return "", false
}
func (o Outcome) Attr(n string) (string, bool) {
	switch n {
	case "txn":
		return o.Txn, true
	case "commit":
		return strconv.FormatBool(o.Commit), true
	}
	return "", false
}
func (s Submit) Attr(n string) (string, bool) {
	if n == "txn" {
		return s.Txn, true
	}
	return "", false
}

func outcome(commit bool) string {
	if commit {
		return "commit"
	}
	return "abort"
}
