package paxoscommit

import (
	"fmt"
	"time"

	"github.com/faultline-sim/faultline/protocol/plant"
	"github.com/faultline-sim/faultline/protocol/txn"
	"github.com/faultline-sim/faultline/sim"
	"github.com/faultline-sim/faultline/workload"
)

// Config sets the protocol's size, timeouts and options. The vote timeout,
// the chance of a unilateral abort and the planted bugs are the commit
// kit's (txn.Common); at the vote timeout the coordinator takes over with a
// higher ballot if some instance is still undecided, so a missing vote
// becomes "aborted".
type Config struct {
	txn.Common
	F int // acceptor failures tolerated: 2F+1 acceptors, quorums of F+1
	// DecisionTimeout: a participant in doubt this long takes over with a
	// higher ballot. The actual wait adds a random share of it, so that
	// participants timing out together do not keep pre-empting each other.
	DecisionTimeout time.Duration
	// RoundTimeout: a leader's ballot that has not decided by then is
	// retried with a higher one (plus a random back-off).
	RoundTimeout time.Duration
}

// Bug names, as given to `simrun --bug`.
const (
	BugForgetPromise   = "acceptor-forgets-promise"
	BugForgetAccepted  = "acceptor-forgets-accepted"
	BugReplyBeforeSync = "acceptor-replies-before-sync"
)

// Bugs are Paxos Commit's planted bugs.
var Bugs = plant.Catalog{
	{Name: BugForgetPromise, Description: "an acceptor keeps phase-1 promises in memory only, so a restart forgets the ballot it promised"},
	{Name: BugForgetAccepted, Description: "an acceptor keeps accepted values in memory only"},
	{Name: BugReplyBeforeSync, Description: "an acceptor writes its promise or accepted value and answers before syncing it (it reaches the disk with the acceptor's next sync): a crash losing unsynced writes forgets what it answered"},
}

// Default is the configuration the scenarios use: F = 1, three acceptors.
func Default() Config {
	return Config{Common: txn.Common{VoteTimeout: 100 * time.Millisecond}, F: 1,
		DecisionTimeout: 150 * time.Millisecond, RoundTimeout: 30 * time.Millisecond}
}

// Validate reports an impossible setting, naming the field.
func (c Config) Validate() error {
	if c.F < 0 || c.F > 10 {
		return fmt.Errorf("%s: F must be in [0, 10], got %d", c.Name(), c.F)
	}
	return txn.ValidateConfig(c.Name(), c)
}

// Name is "paxoscommit", with the F if it is not the default 1.
func (c Config) Name() string {
	if c.F == 1 {
		return "paxoscommit"
	}
	return fmt.Sprintf("paxoscommit-f%d", c.F)
}

// Planted is the catalog of planted bugs.
func (c Config) Planted() plant.Catalog { return Bugs }

// WithBugs is the protocol with exactly the bugs s on.
func (c Config) WithBugs(s plant.Set) txn.Protocol { c.Bugs = s; return c }

// Acceptors lists the acceptor names for F.
func Acceptors(f int) []string { return workload.Names(2*f+1, AcceptorName) }

// AcceptorName is the name of acceptor i (from 1).
func AcceptorName(i int) string { return fmt.Sprintf("acceptor-%d", i) }

func (c Config) quorum() int { return c.F + 1 }

// AddNodes adds the coordinator, one participant per bank and the 2F+1
// acceptors.
func (c Config) AddNodes(w *sim.World, t txn.Topology) error {
	accs := Acceptors(c.F)
	err := txn.AddRoles(w, c, t, txn.Roles{
		Coordinator: func() sim.Node { return &Coordinator{cfg: c, acceptors: accs} },
		Participant: func(bank txn.Bank) sim.Node { return &Participant{cfg: c, bank: bank, acceptors: accs} },
	})
	if err != nil {
		return err
	}
	for _, a := range accs {
		w.AddNode(a, func() sim.Node { return &Acceptor{cfg: c} })
	}
	return nil
}
