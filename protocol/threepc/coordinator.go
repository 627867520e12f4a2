package threepc

import (
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/txn"
	"github.com/faultline-sim/faultline/sim"
)

// phase is the coordinator's state of one transaction; it is also what
// the coordinator logs.
type phase int

const (
	collecting    phase = iota // prepares sent, waiting for votes
	preCommitting              // every vote yes; pre-commit sent, waiting for acknowledgements
	decided                    // outcome logged, resending until acknowledged
	learning                   // restarted while pre-committing: only a participant can tell the outcome
)

func (p phase) String() string {
	switch p {
	case collecting:
		return "collecting"
	case preCommitting:
		return "pre-committing"
	case decided:
		return "decided"
	case learning:
		return "learning"
	}
	return "phase?"
}

// coordLog is the coordinator's durable log (the commit kit's txn.Log). A
// record is written when the transaction begins: a restarted coordinator
// that finds one still collecting knows nobody can have pre-committed and
// aborts, instead of re-running a duplicated Submit whose first run a
// termination may have decided.
var coordLog = txn.Log[phase]{Prefix: "3pc/coord/"}

type ctxn struct {
	id     string
	client string
	parts  []string
	phase  phase
	commit bool
	votes  txn.Votes
	acked  map[string]bool
	timer  sim.TimerID
	// learning: participants that answered undecided, and whether each
	// had restarted since voting
	states map[string]bool
}

// Coordinator runs the three phases for every transaction submitted.
type Coordinator struct {
	cfg  Config
	txns map[string]*ctxn
}

// Start recovers from the log. A transaction still collecting is aborted;
// one that was pre-committing may have been committed or aborted by a
// termination meanwhile, so the coordinator only asks the participants; a
// decided one is resent.
func (c *Coordinator) Start(env *sim.Env) {
	c.txns = map[string]*ctxn{}
	for _, l := range coordLog.Unfinished(env) {
		t := &ctxn{id: l.Txn, client: l.Client, parts: l.Participants, phase: l.Phase,
			commit: l.Commit, acked: map[string]bool{}}
		c.txns[t.id] = t
		switch l.Phase {
		case collecting:
			c.decide(env, t, false, obs.ViaRecovery)
		case preCommitting:
			t.phase = learning
			c.resend(env, t)
		case decided:
			c.resend(env, t)
		}
	}
}

// Receive dispatches on the message type.
func (c *Coordinator) Receive(env *sim.Env, from sim.NodeID, m sim.Message) {
	switch m := m.(type) {
	case txn.Submit:
		c.onSubmit(env, from, m)
	case Vote:
		c.onVote(env, from, m)
	case PreAck:
		c.onPreAck(env, from, m)
	case Ack:
		if t := c.txns[m.Txn]; t != nil && t.phase == decided {
			t.acked[env.NameOf(from)] = true
			if len(t.acked) == len(t.parts) {
				env.CancelTimer(t.timer)
				c.log(env, t, true)
				delete(c.txns, t.id)
			}
		}
	case Decision:
		// A termination leader decided while this coordinator was silent.
		if t := c.txns[m.Txn]; t != nil && t.phase != decided {
			c.decide(env, t, m.Commit, obs.ViaTermination)
		}
	case StateReply:
		if t := c.txns[m.Txn]; t != nil && t.phase != decided && t.phase != collecting {
			if m.State.decided() {
				c.decide(env, t, m.State == Committed, obs.ViaTermination)
				return
			}
			if t.phase == learning {
				c.onLearn(env, t, env.NameOf(from), m.Recovered)
			}
		}
	}
}

// onLearn resumes pre-committing when every participant is undecided and
// has restarted since voting: none of them may lead a termination, so no
// decision can exist or appear elsewhere, and without this the total
// failure Skeen describes would block them for good.
func (c *Coordinator) onLearn(env *sim.Env, t *ctxn, from string, recovered bool) {
	if t.states == nil {
		t.states = map[string]bool{}
	}
	t.states[from] = recovered
	if len(t.states) < len(t.parts) || !allTrue(t.states) {
		return
	}
	env.CancelTimer(t.timer)
	t.phase, t.acked = preCommitting, map[string]bool{}
	c.resend(env, t)
}

func (c *Coordinator) log(env *sim.Env, t *ctxn, done bool) {
	ph := t.phase
	if ph == learning {
		ph = preCommitting
	}
	coordLog.Write(env, t.id, txn.Record[phase]{Phase: ph, Commit: t.commit, Participants: t.parts, Client: t.client, Done: done})
}

func (c *Coordinator) onSubmit(env *sim.Env, from sim.NodeID, m txn.Submit) {
	if _, active := c.txns[m.Txn]; active {
		return
	}
	if rec, ok := coordLog.Read(env, m.Txn); ok {
		if rec.Phase == decided {
			env.Send(from, txn.Result{Txn: m.Txn, Commit: rec.Commit})
		}
		return
	}
	t := &ctxn{id: m.Txn, client: env.NameOf(from), parts: txn.ParticipantsOf(m.Ops),
		acked: map[string]bool{}}
	c.txns[t.id] = t
	c.log(env, t, false)
	txn.Begin(env, t.id, m.Ops, t.parts)
	t.timer = env.SetTimer(c.cfg.VoteTimeout, txn.VoteTimeout{Txn: t.id})
}

func (c *Coordinator) onVote(env *sim.Env, from sim.NodeID, m Vote) {
	t := c.txns[m.Txn]
	if t == nil || t.phase != collecting {
		return
	}
	switch txn.CountVote(env, t.id, t.parts, &t.votes, env.NameOf(from), m.Yes) {
	case txn.VotedNo:
		c.decide(env, t, false, obs.ViaCoordinator)
		return
	case txn.Waiting:
		return
	}
	env.CancelTimer(t.timer)
	// Logged before any PreCommit leaves: from now on a participant may
	// commit through a termination, so a restarted coordinator must not
	// presume abort.
	t.phase = preCommitting
	c.log(env, t, false)
	c.resend(env, t)
}

func (c *Coordinator) onPreAck(env *sim.Env, from sim.NodeID, m PreAck) {
	t := c.txns[m.Txn]
	if t == nil || t.phase != preCommitting {
		return
	}
	t.acked[env.NameOf(from)] = true
	if len(t.acked) < len(t.parts) {
		return
	}
	// The crash point of 3pc-coordinator-crash: everyone is pre-committed
	// and nothing is decided yet.
	env.Observe(obs.PreCommit{Txn: t.id, Acked: true})
	c.decide(env, t, true, obs.ViaCoordinator)
}

// decide logs the outcome before anyone hears of it, then tells the client
// and the participants.
func (c *Coordinator) decide(env *sim.Env, t *ctxn, commit bool, via obs.Via) {
	env.CancelTimer(t.timer)
	t.phase, t.commit = decided, commit
	t.acked = map[string]bool{}
	c.log(env, t, false)
	env.Observe(obs.Decide{Txn: t.id, Commit: commit, Via: via})
	txn.TellClient(env, t.client, t.id, commit)
	c.resend(env, t)
}

// resend sends what the phase calls for to every participant that has not
// acknowledged it, and re-arms the resend timer. The coordinator never
// gives up on pre-commit acknowledgements: committing without them is
// only safe if a silent participant is truly dead, and the participants'
// own termination protocol decides that case without it.
func (c *Coordinator) resend(env *sim.Env, t *ctxn) {
	for _, p := range t.parts {
		if t.acked[p] {
			continue
		}
		id, _ := env.Lookup(p)
		switch t.phase {
		case preCommitting:
			env.Send(id, PreCommit{Txn: t.id})
		case decided:
			env.Send(id, Decision{Txn: t.id, Commit: t.commit})
		case learning:
			env.Send(id, StateReq{Txn: t.id})
		}
	}
	t.timer = env.SetTimer(c.cfg.ResendInterval, txn.ResendTimer{Txn: t.id})
}

// Timer handles the vote timeout and resends.
func (c *Coordinator) Timer(env *sim.Env, tag any) {
	switch tag := tag.(type) {
	case txn.VoteTimeout:
		if t := c.txns[tag.Txn]; t != nil && t.phase == collecting {
			c.decide(env, t, false, obs.ViaTimeout)
		}
	case txn.ResendTimer:
		if t := c.txns[tag.Txn]; t != nil && t.phase != collecting {
			c.resend(env, t)
		}
	}
}
