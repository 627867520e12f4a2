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

type voteTimeout struct{ Txn string }

func (t voteTimeout) String() string { return "vote-timeout " + t.Txn }

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
				c.decide(env, t, commit, "coordinator")
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
			c.decide(env, t, m.Commit, "leader")
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
	env.Observe(obs.Begin{Txn: t.id, Participants: t.parts})
	for _, p := range t.parts {
		id, _ := env.Lookup(p)
		env.Send(id, Prepare{Txn: t.id, Ops: txn.OpsFor(m.Ops, p), Peers: t.parts})
	}
	t.timer = env.SetTimer(c.cfg.VoteTimeout, voteTimeout{t.id})
}

// decide tells the client and the participants. Nothing is logged: the
// outcome is already fixed by the acceptors' quorums.
func (c *Coordinator) decide(env *sim.Env, t *ctxn, commit bool, via string) {
	if commit && via == "coordinator" {
		// The crash point of paxoscommit-coordinator-crash, as of 2PC's.
		env.Observe(obs.VotesIn{Txn: t.id, AllYes: true})
	}
	env.CancelTimer(t.timer)
	if t.lead != nil {
		t.lead.stop(env)
	}
	t.decided, t.commit = true, commit
	env.Observe(obs.Decide{Txn: t.id, Commit: commit, Via: obs.Via(via)})
	if id, ok := env.Lookup(t.client); ok {
		env.Send(id, txn.Result{Txn: t.id, Commit: commit})
	}
	for _, p := range t.parts {
		id, _ := env.Lookup(p)
		env.Send(id, Decision{Txn: t.id, Commit: commit})
	}
}

// Timer: at the vote timeout the coordinator leads a higher ballot, which
// turns every missing vote into "aborted"; its rounds retry until decided.
func (c *Coordinator) Timer(env *sim.Env, tag any) {
	var id string
	switch tag := tag.(type) {
	case voteTimeout:
		id = tag.Txn
	case roundTimer:
		id = tag.Txn
	default:
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
