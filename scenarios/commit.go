package scenarios

import (
	"fmt"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/protocol/plant"
	"github.com/faultline-sim/faultline/protocol/txn"
	"github.com/faultline-sim/faultline/sim"
	"github.com/faultline-sim/faultline/workload"
)

// CommitBank is an atomic-commit protocol running the bank-transfer
// workload, judged for atomicity, conservation, blocking and (with a
// liveness phase) liveness after healing.
type CommitBank struct {
	Commit txn.Protocol
	Bank   workload.Bank
	// Transfers, when set, is the workload itself — drawn by a property
	// test, loaded from a file — instead of one drawn from the seed.
	Transfers []workload.Transfer
}

// Protocol names the commit protocol.
func (c CommitBank) Protocol() string { return c.Commit.Name() }

// PlantedBugs lists the commit protocol's planted bugs.
func (c CommitBank) PlantedBugs() []string { return c.Commit.Planted().Names() }

// WithBug enables one of them.
func (c CommitBank) WithBug(name string) (System, error) {
	p, err := plant.With(c.Commit, name)
	if err != nil {
		return nil, fmt.Errorf("%s has %w", c.Commit.Name(), err)
	}
	c.Commit = p
	return c, nil
}

// Validate checks the protocol's configuration and the workload.
func (c CommitBank) Validate() error {
	if c.Commit == nil {
		return fmt.Errorf("no commit protocol")
	}
	if err := c.Commit.Validate(); err != nil {
		return err
	}
	return c.Bank.Validate()
}

// Build adds the protocol's nodes and one client per workload client.
func (c CommitBank) Build(w *sim.World, seed uint64) error {
	topo := txn.BankTopology(c.Bank)
	if err := c.Commit.AddNodes(w, topo); err != nil {
		return err
	}
	transfers := c.Transfers
	if transfers == nil {
		transfers = c.Bank.Generate(sim.NewStream(seed, "workload"))
	}
	txn.AddClients(w, topo.Coordinator, transfers, c.Bank.ClientNames())
	return nil
}

// Checkers are the commit family's checkers and those the protocol
// registered besides them (RegisterCommit).
func (c CommitBank) Checkers(s *Spec) []checker.Checker {
	cs := []checker.Checker{
		checker.Atomicity{},
		checker.Conservation{Initial: c.Bank.InitialTotal()},
		checker.Accounts{Initial: c.Bank.InitialBalance},
		checker.Isolation{},
		checker.Blocking{MinFor: s.MinBlocked},
	}
	if s.Liveness != nil {
		cs = append(cs, checker.Liveness{HealAt: s.Liveness.At, Bound: s.Liveness.Bound})
	}
	return append(cs, extraCheckers(c.Commit)...)
}
