package threepc

import (
	"fmt"
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
	ResendInterval time.Duration // coordinator resends pre-commit and decisions until acknowledged
	// UncertainTimeout is how long a participant waits for the coordinator
	// (or a termination leader) before it runs the termination protocol.
	// It must exceed VoteTimeout plus a message delay, or a participant
	// starts a termination while the coordinator's abort is on its way.
	UncertainTimeout time.Duration
	// CollectWindow is how long a termination round waits for state
	// replies and pre-commit acknowledgements: the round trip the
	// protocol assumes no live peer exceeds.
	CollectWindow time.Duration
}

// Bug names, as given to `simrun --bug`.
const (
	BugAllUncertainCommits = "all-uncertain-commits"
	BugPreCommittedAborts  = "precommitted-aborts"
)

// Bugs are 3PC's planted bugs: wrong termination rules.
var Bugs = plant.Catalog{
	{Name: BugAllUncertainCommits, Description: "a termination leader that finds every reachable participant uncertain commits instead of aborting"},
	{Name: BugPreCommittedAborts, Description: "a termination leader that finds a pre-committed participant aborts instead of committing"},
}

// Default is the configuration the scenarios use: timeouts well above the
// default network's 1–3 ms, as 3PC requires.
func Default() Config {
	return Config{Common: txn.Common{VoteTimeout: 100 * time.Millisecond}, ResendInterval: 30 * time.Millisecond,
		UncertainTimeout: 150 * time.Millisecond, CollectWindow: 20 * time.Millisecond}
}

// Validate reports an impossible setting, naming the field.
func (c Config) Validate() error {
	if err := txn.ValidateConfig(c.Name(), c); err != nil {
		return err
	}
	if c.UncertainTimeout <= c.VoteTimeout {
		return fmt.Errorf("3pc: UncertainTimeout %v must exceed VoteTimeout %v", c.UncertainTimeout, c.VoteTimeout)
	}
	return nil
}

// Name is "3pc".
func (c Config) Name() string { return "3pc" }

// Planted is the catalog of planted bugs.
func (c Config) Planted() plant.Catalog { return Bugs }

// WithBugs is the protocol with exactly the bugs s on.
func (c Config) WithBugs(s plant.Set) txn.Protocol { c.Bugs = s; return c }

// AddNodes adds the coordinator and one participant per bank.
func (c Config) AddNodes(w *sim.World, t txn.Topology) error {
	return txn.AddRoles(w, c, t, txn.Roles{
		Coordinator: func() sim.Node { return &Coordinator{cfg: c} },
		Participant: func(bank txn.Bank) sim.Node { return &Participant{cfg: c, bank: bank} },
	})
}
