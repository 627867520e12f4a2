package twopc

import (
	"fmt"
	"sort"
	"time"

	"github.com/faultline-sim/faultline/protocol/txn"
	"github.com/faultline-sim/faultline/sim"
)

// Config sets the protocol's timeouts and options.
type Config struct {
	VoteTimeout     time.Duration // coordinator aborts if votes are still missing
	ResendInterval  time.Duration // coordinator resends an unacknowledged decision
	InquiryInterval time.Duration // an uncertain participant asks again
	// UnilateralAbort is the chance a participant aborts a transaction on
	// its own before voting (votes no), as the article allows.
	UnilateralAbort float64
	// Cooperative turns on the cooperative termination protocol: an
	// uncertain participant also asks its peers, copies a decision one of
	// them knows, and a peer that has not voted aborts and says so.
	Cooperative bool
	Bugs        Bugs
}

// Bugs are planted mistakes, each off by default.
type Bugs struct {
	// CommitOnPartialVotes: at the vote timeout the coordinator commits if
	// every vote it did receive was yes, instead of aborting.
	CommitOnPartialVotes bool
	// PresumeAbortOnRestart: a restarted participant forgets its prepared
	// records and treats its in-doubt transactions as aborted.
	PresumeAbortOnRestart bool
}

// Bug names, as used by Protocol.WithBug and `simrun --bug`.
const (
	BugCommitOnPartialVotes  = "commit-on-partial-votes"
	BugPresumeAbortOnRestart = "presume-abort-on-restart"
)

// Default is the configuration the scenarios use.
func Default() Config {
	return Config{VoteTimeout: 100 * time.Millisecond, ResendInterval: 30 * time.Millisecond, InquiryInterval: 50 * time.Millisecond}
}

// Validate reports an impossible setting.
func (c Config) Validate() error {
	switch {
	case c.VoteTimeout <= 0:
		return fmt.Errorf("2pc: vote timeout must be positive, got %v", c.VoteTimeout)
	case c.ResendInterval <= 0:
		return fmt.Errorf("2pc: resend interval must be positive, got %v", c.ResendInterval)
	case c.InquiryInterval <= 0:
		return fmt.Errorf("2pc: inquiry interval must be positive, got %v", c.InquiryInterval)
	case c.UnilateralAbort < 0 || c.UnilateralAbort > 1:
		return fmt.Errorf("2pc: unilateral abort %v is not a probability", c.UnilateralAbort)
	}
	return nil
}

// Name is "2pc", or "2pc-coop" with cooperative termination.
func (c Config) Name() string {
	if c.Cooperative {
		return "2pc-coop"
	}
	return "2pc"
}

// PlantedBugs lists the planted bugs.
func (c Config) PlantedBugs() []string {
	return []string{BugCommitOnPartialVotes, BugPresumeAbortOnRestart}
}

// WithBug enables a planted bug by name.
func (c Config) WithBug(name string) (txn.Protocol, error) {
	switch name {
	case BugCommitOnPartialVotes:
		c.Bugs.CommitOnPartialVotes = true
	case BugPresumeAbortOnRestart:
		c.Bugs.PresumeAbortOnRestart = true
	default:
		return nil, fmt.Errorf("2pc has no planted bug %q (have: %s, %s)", name, BugCommitOnPartialVotes, BugPresumeAbortOnRestart)
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
