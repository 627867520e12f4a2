package paxoscommit

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/protocol/txn"
	"github.com/faultline-sim/faultline/sim"
)

// Config sets the protocol's size, timeouts and options.
type Config struct {
	F int // acceptor failures tolerated: 2F+1 acceptors, quorums of F+1
	// VoteTimeout: the coordinator takes over with a higher ballot if some
	// instance is still undecided, so a missing vote becomes "aborted".
	VoteTimeout time.Duration
	// DecisionTimeout: a participant in doubt this long takes over with a
	// higher ballot. The actual wait adds a random share of it, so that
	// participants timing out together do not keep pre-empting each other.
	DecisionTimeout time.Duration
	// RoundTimeout: a leader's ballot that has not decided by then is
	// retried with a higher one (plus a random back-off).
	RoundTimeout    time.Duration
	UnilateralAbort float64
	Bugs            Bugs
}

// Bugs are planted mistakes, each off by default.
type Bugs struct {
	// ForgetPromise: an acceptor keeps phase-1 promises in memory only, so
	// a restart forgets the ballot it promised.
	ForgetPromise bool
	// ForgetAccepted: an acceptor keeps accepted values in memory only.
	ForgetAccepted bool
}

// Bug names, as used by Protocol.WithBug and `simrun --bug`.
const (
	BugForgetPromise  = "acceptor-forgets-promise"
	BugForgetAccepted = "acceptor-forgets-accepted"
)

// Default is the configuration the scenarios use: F = 1, three acceptors.
func Default() Config {
	return Config{F: 1, VoteTimeout: 100 * time.Millisecond, DecisionTimeout: 150 * time.Millisecond,
		RoundTimeout: 30 * time.Millisecond}
}

// Validate reports an impossible setting.
func (c Config) Validate() error {
	switch {
	case c.F < 0 || c.F > 10:
		return fmt.Errorf("paxoscommit: F must be in [0, 10], got %d", c.F)
	case c.VoteTimeout <= 0:
		return fmt.Errorf("paxoscommit: vote timeout must be positive, got %v", c.VoteTimeout)
	case c.DecisionTimeout <= 0:
		return fmt.Errorf("paxoscommit: decision timeout must be positive, got %v", c.DecisionTimeout)
	case c.RoundTimeout <= 0:
		return fmt.Errorf("paxoscommit: round timeout must be positive, got %v", c.RoundTimeout)
	case c.UnilateralAbort < 0 || c.UnilateralAbort > 1:
		return fmt.Errorf("paxoscommit: unilateral abort %v is not a probability", c.UnilateralAbort)
	}
	return nil
}

// Name is "paxoscommit", with the F if it is not the default 1.
func (c Config) Name() string {
	if c.F == 1 {
		return "paxoscommit"
	}
	return fmt.Sprintf("paxoscommit-f%d", c.F)
}

// PlantedBugs lists the planted bugs.
func (c Config) PlantedBugs() []string { return []string{BugForgetPromise, BugForgetAccepted} }

// WithBug enables a planted bug by name.
func (c Config) WithBug(name string) (txn.Protocol, error) {
	switch name {
	case BugForgetPromise:
		c.Bugs.ForgetPromise = true
	case BugForgetAccepted:
		c.Bugs.ForgetAccepted = true
	default:
		return nil, fmt.Errorf("%s has no planted bug %q (have: %s)", c.Name(), name, strings.Join(c.PlantedBugs(), ", "))
	}
	return c, nil
}

// Acceptors lists the acceptor names for F.
func Acceptors(f int) []string {
	out := make([]string, 2*f+1)
	for i := range out {
		out[i] = fmt.Sprintf("acceptor-%d", i+1)
	}
	return out
}

func (c Config) quorum() int { return c.F + 1 }

// AddNodes adds the coordinator, one participant per bank and the 2F+1
// acceptors.
func (c Config) AddNodes(w *sim.World, t txn.Topology) error {
	if err := c.Validate(); err != nil {
		return err
	}
	parts := append([]string(nil), t.Participants...)
	sort.Strings(parts)
	accs := Acceptors(c.F)
	w.AddNode(t.Coordinator, func() sim.Node { return &Coordinator{cfg: c, acceptors: accs} })
	for _, p := range parts {
		bank := txn.Bank{Accounts: t.Accounts[p], Initial: t.Initial}
		w.AddNode(p, func() sim.Node { return &Participant{cfg: c, bank: bank, acceptors: accs} })
	}
	for _, a := range accs {
		w.AddNode(a, func() sim.Node { return &Acceptor{cfg: c} })
	}
	return nil
}
