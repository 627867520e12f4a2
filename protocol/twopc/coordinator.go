package twopc

import (
	"slices"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/txn"
	"github.com/faultline-sim/faultline/sim"
)

// decisions is the coordinator's durable log: a record per transaction
// once it is decided (the commit kit's txn.Log).
var decisions = txn.Log[coordState]{Prefix: "decision/"}

type coordState int

const (
	collecting coordState = iota // waiting for votes
	decided                      // decision logged, resending until acknowledged
)

func (s coordState) String() string {
	if s == collecting {
		return "collecting"
	}
	return "decided"
}

type ctxn struct {
	id     string
	client string
	parts  []string
	state  coordState
	commit bool
	votes  txn.Votes
	acked  []string // participants that acknowledged the decision
	// ackedIn holds the first acknowledgements, so that acked needs no
	// allocation of its own for a transaction of a few participants.
	ackedIn [4]string
	timer   sim.TimerID
}

func (t *ctxn) hasAcked(p string) bool {
	for _, a := range t.acked {
		if a == p {
			return true
		}
	}
	return false
}

// Coordinator runs phase 1 and phase 2 for every transaction submitted.
type Coordinator struct {
	cfg  Config
	txns map[string]*ctxn
	// partLists are participant lists handed out before (see partsOf).
	partLists [][]string
	// spare are finished transactions' states, for new ones to reuse: a
	// run submits hundreds of transactions, a few at a time.
	spare []*ctxn
}

// begin makes the state of a transaction taken on.
func (c *Coordinator) begin(t ctxn) *ctxn {
	var p *ctxn
	if n := len(c.spare); n > 0 {
		p, c.spare = c.spare[n-1], c.spare[:n-1]
	} else {
		p = new(ctxn)
	}
	*p = t
	return p
}

// forget drops a finished transaction; nothing else refers to its state
// (timers and messages name the transaction by id), so it can be reused.
func (c *Coordinator) forget(t *ctxn) {
	delete(c.txns, t.id)
	c.spare = append(c.spare, t)
}

// partsOf returns the participants of ops (txn.ParticipantsOf), the same
// slice for every transaction over the same participants: nothing changes
// a participant list once made (the messages, facts and records that hold
// it are immutable), so sharing one saves an allocation per transaction.
func (c *Coordinator) partsOf(ops []txn.Op) []string {
	for _, l := range c.partLists {
		if sameParticipants(l, ops) {
			return l
		}
	}
	l := txn.ParticipantsOf(ops)
	if c.partLists == nil {
		c.partLists = make([][]string, 0, 16)
	}
	if len(c.partLists) < 16 {
		c.partLists = append(c.partLists, l)
	}
	return l
}

// sameParticipants reports whether list is ParticipantsOf(ops): the
// distinct participants of ops in order of first appearance.
func sameParticipants(list []string, ops []txn.Op) bool {
	n := 0
	for _, o := range ops {
		if slices.Contains(list[:n], o.Participant) {
			continue
		}
		if n == len(list) || list[n] != o.Participant {
			return false
		}
		n++
	}
	return n == len(list)
}

// Start recovers: every logged decision not yet acknowledged by all is
// resent. Transactions that were collecting votes are simply gone — with
// presumed abort, a participant asking about one is told "abort".
func (c *Coordinator) Start(env *sim.Env) {
	c.txns, c.spare = map[string]*ctxn{}, make([]*ctxn, 0, 16)
	for _, l := range decisions.Unfinished(env) {
		t := &ctxn{id: l.Txn, client: l.Client, parts: l.Participants, state: decided,
			commit: l.Commit}
		c.txns[t.id] = t
		c.sendDecision(env, t)
	}
}

// Receive dispatches on the message type.
func (c *Coordinator) Receive(env *sim.Env, from sim.NodeID, m sim.Message) {
	switch m := m.(type) {
	case txn.Submit:
		c.onSubmit(env, from, m)
	case Vote:
		c.onVote(env, from, m)
	case Ack:
		c.onAck(env, from, m)
	case Inquiry:
		c.onInquiry(env, from, m.Txn)
	}
}

func (c *Coordinator) onSubmit(env *sim.Env, from sim.NodeID, m txn.Submit) {
	if _, active := c.txns[m.Txn]; active {
		return
	}
	if rec, ok := decisions.Read(env, m.Txn); ok {
		sim.Send(env, from, txn.Result{Txn: m.Txn, Commit: rec.Commit})
		return
	}
	t := c.begin(ctxn{id: m.Txn, client: env.NameOf(from), parts: c.partsOf(m.Ops)})
	c.txns[t.id] = t
	txn.Begin(env, t.id, m.Ops, t.parts)
	t.timer = sim.SetTimer(env, c.cfg.VoteTimeout, txn.VoteTimeout{Txn: t.id})
}

func (c *Coordinator) onVote(env *sim.Env, from sim.NodeID, m Vote) {
	t := c.txns[m.Txn]
	if t == nil {
		// A vote for a transaction this incarnation never started: either
		// long decided (answer from the log) or lost in a crash (presumed
		// abort). Both are what an inquiry gets.
		c.onInquiry(env, from, m.Txn)
		return
	}
	voter := env.NameOf(from)
	if t.state == decided {
		sim.Send(env, from, Decision{Txn: t.id, Commit: t.commit})
		return
	}
	switch txn.CountVote(env, t.id, t.parts, &t.votes, voter, m.Yes) {
	case txn.VotedNo:
		c.decide(env, t, false)
	case txn.AllYes:
		c.decide(env, t, true)
	}
}

// decide logs the decision durably before anyone hears of it: once a single
// participant may have applied it, the coordinator must never say otherwise,
// even after a crash.
func (c *Coordinator) decide(env *sim.Env, t *ctxn, commit bool) {
	env.CancelTimer(t.timer)
	t.state, t.commit = decided, commit
	if c.cfg.Bugs.On(BugSendBeforeLog) {
		c.sendDecision(env, t)
	}
	decisions.Write(env, t.id, txn.Record[coordState]{Phase: decided, Commit: commit, Participants: t.parts, Client: t.client})
	sim.Observe(env, obs.Decide{Txn: t.id, Commit: commit, Via: obs.ViaCoordinator})
	txn.TellClient(env, t.client, t.id, commit)
	if !c.cfg.Bugs.On(BugSendBeforeLog) {
		c.sendDecision(env, t)
	}
}

func (c *Coordinator) sendDecision(env *sim.Env, t *ctxn) {
	for _, p := range t.parts {
		if !t.hasAcked(p) {
			id, _ := env.Lookup(p)
			sim.Send(env, id, Decision{Txn: t.id, Commit: t.commit})
		}
	}
	t.timer = sim.SetTimer(env, c.cfg.ResendInterval, txn.ResendTimer{Txn: t.id})
}

func (c *Coordinator) onAck(env *sim.Env, from sim.NodeID, m Ack) {
	t := c.txns[m.Txn]
	if t == nil || t.state != decided {
		return
	}
	if p := env.NameOf(from); !t.hasAcked(p) {
		if t.acked == nil {
			t.acked = t.ackedIn[:0]
		}
		t.acked = append(t.acked, p)
	}
	if len(t.acked) < len(t.parts) {
		return
	}
	env.CancelTimer(t.timer)
	decisions.Write(env, t.id, txn.Record[coordState]{Phase: decided, Commit: t.commit, Participants: t.parts, Client: t.client, Done: true})
	c.forget(t)
}

// onInquiry answers a participant asking about a transaction. Under
// presumed abort, no log record means abort — and the abort is logged
// before it is told, so a Submit arriving late cannot start the transaction
// again and commit what a participant was told had aborted.
func (c *Coordinator) onInquiry(env *sim.Env, from sim.NodeID, id string) {
	if t := c.txns[id]; t != nil {
		if t.state == decided {
			sim.Send(env, from, Decision{Txn: id, Commit: t.commit})
		}
		return
	}
	if rec, ok := decisions.Read(env, id); ok {
		sim.Send(env, from, Decision{Txn: id, Commit: rec.Commit})
		return
	}
	decisions.Write(env, id, txn.Record[coordState]{Phase: decided, Done: true})
	sim.Observe(env, obs.Decide{Txn: id, Commit: false, Via: obs.ViaPresumedAbort})
	sim.Send(env, from, Decision{Txn: id, Commit: false})
}

// Timer handles the vote timeout and decision resends.
func (c *Coordinator) Timer(env *sim.Env, tag any) {
	switch tag := tag.(type) {
	case txn.VoteTimeout:
		t := c.txns[tag.Txn]
		if t == nil || t.state != collecting {
			return
		}
		commit := false
		if c.cfg.Bugs.On(BugCommitOnPartialVotes) && t.votes.Len() > 0 {
			commit = t.votes.AllYes()
		}
		c.decide(env, t, commit)
	case txn.ResendTimer:
		if t := c.txns[tag.Txn]; t != nil && t.state == decided {
			c.sendDecision(env, t)
		}
	}
}
