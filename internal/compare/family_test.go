package compare

import (
	"slices"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/plant"
	"github.com/faultline-sim/faultline/protocol/txn"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/sim"
)

// The one registration line: from here on the grid, CompareSpec and
// `simrun compare --protocols` know one-shot.
func init() { scenarios.RegisterCommit(oneShot{txn.Common{VoteTimeout: 100 * time.Millisecond}}) }

// oneShot is a deliberately broken commit protocol written on the commit
// kit, in this test only: the coordinator commits as soon as it has sent
// the prepares, without waiting for a single vote.
type oneShot struct{ txn.Common }

func (oneShot) Name() string                        { return "one-shot" }
func (c oneShot) Validate() error                   { return txn.ValidateConfig(c.Name(), c) }
func (oneShot) Planted() plant.Catalog              { return nil }
func (c oneShot) WithBugs(s plant.Set) txn.Protocol { c.Bugs = s; return c }

func (c oneShot) AddNodes(w *sim.World, t txn.Topology) error {
	return txn.AddRoles(w, c, t, txn.Roles{
		Coordinator: func() sim.Node { return &oneShotCoordinator{} },
		Participant: func(bank txn.Bank) sim.Node { return &oneShotParticipant{bank: bank} },
	})
}

type oneShotCoordinator struct{}

func (*oneShotCoordinator) Start(*sim.Env)      {}
func (*oneShotCoordinator) Timer(*sim.Env, any) {}
func (*oneShotCoordinator) Receive(env *sim.Env, from sim.NodeID, m sim.Message) {
	s, ok := m.(txn.Submit)
	if !ok {
		return
	}
	parts := txn.ParticipantsOf(s.Ops)
	txn.Begin(env, s.Txn, s.Ops, parts)
	env.Observe(obs.Decide{Txn: s.Txn, Commit: true, Via: obs.ViaCoordinator})
	txn.SendEach(env, parts, txn.Decision{Txn: s.Txn, Commit: true})
	txn.TellClient(env, env.NameOf(from), s.Txn, true)
}

type oneShotParticipant struct{ bank txn.Bank }

func (p *oneShotParticipant) Start(env *sim.Env) { p.bank.Recover(env) }
func (*oneShotParticipant) Timer(*sim.Env, any)  {}
func (p *oneShotParticipant) Receive(env *sim.Env, from sim.NodeID, m sim.Message) {
	switch m := m.(type) {
	case txn.Prepare:
		p.bank.Prepare(env, 0, txn.Prepared{Txn: m.Txn, Coordinator: env.NameOf(from), Ops: m.Ops, Peers: m.Peers})
	case txn.Decision:
		p.bank.Finish(env, m.Txn, m.Commit, "coordinator")
	}
}

// A commit protocol registered with one line runs in the grid next to the
// built-ins, and the grid's checkers catch what it gets wrong.
func TestARegisteredCommitProtocolJoinsTheGrid(t *testing.T) {
	if !slices.Contains(scenarios.CommitProtocolNames(), "one-shot") {
		t.Fatalf("one-shot is not among %v", scenarios.CommitProtocolNames())
	}
	rows, err := Run(Options{Protocols: []string{"one-shot", "2pc"}, Classes: []string{"none"}, Seeds: 3, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rows[0].Protocol != "one-shot" || rows[0].SafetyViolations == 0 || rows[0].Txns == 0 {
		t.Fatalf("one-shot commits without votes, yet its row shows no safety violation: %+v", rows[0])
	}
	if rows[1].SafetyViolations != 0 {
		t.Fatalf("2pc fault-free is unsafe: %+v", rows[1])
	}
	if _, err := scenarios.CompareSpec("one-shto", "none"); err == nil {
		t.Fatal("an unregistered protocol name was accepted")
	}
}
