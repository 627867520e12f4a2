package twopc

import (
	"time"

	"github.com/faultline-sim/faultline/protocol/plant"
	"github.com/faultline-sim/faultline/protocol/txn"
	"github.com/faultline-sim/faultline/sim"
)

// Config sets the protocol's timeouts and options. The vote timeout, the
// chance of a unilateral abort and the planted bugs are the commit kit's
// (txn.Common).
type Config struct {
	txn.Common
	ResendInterval  time.Duration // coordinator resends an unacknowledged decision
	InquiryInterval time.Duration // an uncertain participant asks again
	// Cooperative turns on the cooperative termination protocol: an
	// uncertain participant also asks its peers, copies a decision one of
	// them knows, and a peer that has not voted aborts and says so.
	Cooperative bool
}

// Bug names, as given to `simrun --bug`.
const (
	BugCommitOnPartialVotes  = "commit-on-partial-votes"
	BugPresumeAbortOnRestart = "presume-abort-on-restart"
	BugReleaseLocksAtVote    = "release-locks-at-vote"
	BugRecoverWithoutLocks   = "recover-without-locks"
	BugSendBeforeLog         = "send-before-log"
	BugVoteBeforeSync        = "vote-before-sync"
	BugInDoubtTimeoutAbort   = "in-doubt-timeout-abort"
)

// Bugs are 2PC's planted bugs.
var Bugs = plant.Catalog{
	{Name: BugCommitOnPartialVotes, Description: "at the vote timeout the coordinator commits if every vote it did receive was yes, instead of aborting"},
	{Name: BugPresumeAbortOnRestart, Description: "a restarted participant forgets its prepared records and takes its in-doubt transactions for aborted"},
	{Name: BugReleaseLocksAtVote, Description: "a participant releases its account locks as soon as its yes vote is out, before the decision: a second transaction can prepare against the same balance and both commit"},
	{Name: BugRecoverWithoutLocks, Description: "a restarted participant is in doubt again about its prepared transactions but does not re-take their locks"},
	{Name: BugSendBeforeLog, Description: "the coordinator sends its decision to the participants before it logs it: a crash between the sends and the log leaves some participants committed and the restarted coordinator presuming abort for the rest"},
	{Name: BugVoteBeforeSync, Description: "a participant votes yes before its prepared record is synced (it reaches the disk with the participant's next sync): a crash losing unsynced writes forgets the promise"},
	{Name: BugInDoubtTimeoutAbort, Description: "a participant in doubt for three inquiry intervals gives up and aborts on its own (a heuristic decision), releasing its locks while the coordinator may have committed"},
}

// Default is the configuration the scenarios use.
func Default() Config {
	return Config{Common: txn.Common{VoteTimeout: 100 * time.Millisecond},
		ResendInterval: 30 * time.Millisecond, InquiryInterval: 50 * time.Millisecond}
}

// Cooperative is Default with cooperative termination.
func Cooperative() Config {
	c := Default()
	c.Cooperative = true
	return c
}

// Validate reports an impossible setting, naming the field.
func (c Config) Validate() error { return txn.ValidateConfig(c.Name(), c) }

// Name is "2pc", or "2pc-coop" with cooperative termination.
func (c Config) Name() string {
	if c.Cooperative {
		return "2pc-coop"
	}
	return "2pc"
}

// Planted is the catalog of planted bugs.
func (c Config) Planted() plant.Catalog { return Bugs }

// WithBugs is the protocol with exactly the bugs s on.
func (c Config) WithBugs(s plant.Set) txn.Protocol { c.Bugs = s; return c }

// AddNodes adds the coordinator and one participant per bank.
func (c Config) AddNodes(w *sim.World, t txn.Topology) error {
	return txn.AddRoles(w, c, t, txn.Roles{
		Coordinator: func() sim.Node { return &Coordinator{cfg: c} },
		Participant: func(bank txn.Bank) sim.Node {
			bank.VoteBeforeSync = c.Bugs.On(BugVoteBeforeSync)
			return &Participant{cfg: c, bank: bank}
		},
	})
}
