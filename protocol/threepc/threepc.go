package threepc

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/protocol/txn"
	"github.com/faultline-sim/faultline/sim"
)

// Config sets the protocol's timeouts and options.
type Config struct {
	VoteTimeout    time.Duration // coordinator aborts if votes are still missing
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
	// UnilateralAbort is the chance a participant votes no on its own.
	UnilateralAbort float64
	Bugs            Bugs
}

// Bugs are planted mistakes in the termination rule, each off by default.
type Bugs struct {
	// AllUncertainCommits: a termination leader that finds every reachable
	// participant uncertain commits instead of aborting.
	AllUncertainCommits bool
	// PreCommittedAborts: a termination leader that finds a pre-committed
	// participant aborts instead of committing.
	PreCommittedAborts bool
}

// Bug names, as used by Protocol.WithBug and `simrun --bug`.
const (
	BugAllUncertainCommits = "all-uncertain-commits"
	BugPreCommittedAborts  = "precommitted-aborts"
)

// Default is the configuration the scenarios use: timeouts well above the
// default network's 1–3 ms, as 3PC requires.
func Default() Config {
	return Config{VoteTimeout: 100 * time.Millisecond, ResendInterval: 30 * time.Millisecond,
		UncertainTimeout: 150 * time.Millisecond, CollectWindow: 20 * time.Millisecond}
}

// Validate reports an impossible setting.
func (c Config) Validate() error {
	switch {
	case c.VoteTimeout <= 0:
		return fmt.Errorf("3pc: vote timeout must be positive, got %v", c.VoteTimeout)
	case c.ResendInterval <= 0:
		return fmt.Errorf("3pc: resend interval must be positive, got %v", c.ResendInterval)
	case c.UncertainTimeout <= c.VoteTimeout:
		return fmt.Errorf("3pc: uncertain timeout %v must exceed the vote timeout %v", c.UncertainTimeout, c.VoteTimeout)
	case c.CollectWindow <= 0:
		return fmt.Errorf("3pc: collect window must be positive, got %v", c.CollectWindow)
	case c.UnilateralAbort < 0 || c.UnilateralAbort > 1:
		return fmt.Errorf("3pc: unilateral abort %v is not a probability", c.UnilateralAbort)
	}
	return nil
}

// Name is "3pc".
func (c Config) Name() string { return "3pc" }

// PlantedBugs lists the planted bugs.
func (c Config) PlantedBugs() []string {
	return []string{BugAllUncertainCommits, BugPreCommittedAborts}
}

// WithBug enables a planted bug by name.
func (c Config) WithBug(name string) (txn.Protocol, error) {
	switch name {
	case BugAllUncertainCommits:
		c.Bugs.AllUncertainCommits = true
	case BugPreCommittedAborts:
		c.Bugs.PreCommittedAborts = true
	default:
		return nil, fmt.Errorf("3pc has no planted bug %q (have: %s)", name, strings.Join(c.PlantedBugs(), ", "))
	}
	return c, nil
}

// AddNodes adds the coordinator and one participant per bank.
func (c Config) AddNodes(w *sim.World, t txn.Topology) error {
	if err := c.Validate(); err != nil {
		return err
	}
	parts := append([]string(nil), t.Participants...)
	sort.Strings(parts)
	w.AddNode(t.Coordinator, func() sim.Node { return &Coordinator{cfg: c} })
	for _, p := range parts {
		bank := txn.Bank{Accounts: t.Accounts[p], Initial: t.Initial}
		w.AddNode(p, func() sim.Node { return &Participant{cfg: c, bank: bank} })
	}
	return nil
}
