package paxoscommit

import (
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/txn"
	"github.com/faultline-sim/faultline/sim"
)

type ctxn struct {
	id      string
	client  string
	parts   []string
	learn   *learner
	lead    *leader
	decided bool
	commit  bool
	timer   sim.TimerID
}

// Coordinator is the transaction manager and the leader of ballot 0: it
// asks for votes and learns the instances' values from the acceptors. It
// keeps nothing durable: what was decided lives in the acceptors, which is
// why its crash blocks nobody.
type Coordinator struct {
	cfg       Config
	acceptors []string
	txns      map[string]*ctxn
}

// Start forgets everything: a transaction the previous incarnation ran is
// finished by the participants' own leaders.
func (c *Coordinator) Start(env *sim.Env) { c.txns = map[string]*ctxn{} }

// Receive dispatches on the message type.
func (c *Coordinator) Receive(env *sim.Env, from sim.NodeID, m sim.Message) {
	switch m := m.(type) {
	case txn.Submit:
		c.onSubmit(env, from, m)
	case Phase2b:
		if t := c.txns[m.Txn]; t != nil && !t.decided {
			t.learn.add(env.NameOf(from), m)
			if commit, done := t.learn.outcome(t.parts); done {
				c.decide(env, t, commit, obs.ViaCoordinator)
			}
		}
	case Phase1b:
		if t := c.txns[m.Txn]; t != nil && !t.decided && t.lead != nil {
			t.lead.onPhase1b(env, c.cfg, env.NameOf(from), m)
		}
	case Nack:
		if t := c.txns[m.Txn]; t != nil && t.lead != nil {
			t.lead.onNack(m)
		}
	case Decision:
		if t := c.txns[m.Txn]; t != nil && !t.decided {
			c.decide(env, t, m.Commit, obs.ViaLeader)
		}
	}
}

func (c *Coordinator) onSubmit(env *sim.Env, from sim.NodeID, m txn.Submit) {
	if t, known := c.txns[m.Txn]; known {
		if t.decided {
			env.Send(from, txn.Result{Txn: m.Txn, Commit: t.commit})
		}
		return
	}
	t := &ctxn{id: m.Txn, client: env.NameOf(from), parts: txn.ParticipantsOf(m.Ops), learn: newLearner(c.cfg.quorum())}
	c.txns[t.id] = t
	txn.Begin(env, t.id, m.Ops, t.parts)
	t.timer = env.SetTimer(c.cfg.VoteTimeout, txn.VoteTimeout{Txn: t.id})
}

// decide tells the client and the participants. Nothing is logged: the
// outcome is already fixed by the acceptors' quorums.
func (c *Coordinator) decide(env *sim.Env, t *ctxn, commit bool, via obs.Via) {
	if commit && via == obs.ViaCoordinator {
		// The crash point of paxoscommit-coordinator-crash, as of 2PC's.
		env.Observe(obs.VotesIn{Txn: t.id, AllYes: true})
	}
	env.CancelTimer(t.timer)
	t.lead.stop(env)
	t.decided, t.commit = true, commit
	env.Observe(obs.Decide{Txn: t.id, Commit: commit, Via: via})
	txn.TellClient(env, t.client, t.id, commit)
	for _, p := range t.parts {
		id, _ := env.Lookup(p)
		env.Send(id, Decision{Txn: t.id, Commit: commit})
	}
}

// Timer: at the vote timeout the coordinator leads a higher ballot, which
// turns every missing vote into "aborted"; its rounds retry until decided.
func (c *Coordinator) Timer(env *sim.Env, tag any) {
	id, ok := leaderTimer(tag)
	if !ok {
		return
	}
	t := c.txns[id]
	if t == nil || t.decided {
		return
	}
	if t.lead == nil {
		t.lead = &leader{txn: t.id, instances: sortedCopy(t.parts), rank: 0, learn: t.learn, acceptors: c.acceptors}
	}
	t.lead.start(env, c.cfg)
}
