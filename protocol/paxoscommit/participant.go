package paxoscommit

import (
	"sort"
	"time"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/txn"
	"github.com/faultline-sim/faultline/sim"
)

type decisionTimer struct{ Txn string }

func (t decisionTimer) String() string { return "decision-timeout " + t.Txn }

// inDoubt is a transaction this participant voted yes for and has no
// decision on.
type inDoubt struct {
	rec   txn.Prepared
	learn *learner
	lead  *leader
	timer sim.TimerID
}

// Participant is one bank (a resource manager in the paper): it proposes
// its own vote at ballot 0 and, when the coordinator falls silent, leads a
// higher ballot itself.
type Participant struct {
	cfg       Config
	bank      txn.Bank
	acceptors []string
	inDoubt   map[string]*inDoubt
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

// Start opens the bank and recovers every prepared record: still in doubt,
// the participant re-takes the locks and soon leads a ballot to learn the
// outcome from the acceptors.
func (p *Participant) Start(env *sim.Env) {
	p.inDoubt = map[string]*inDoubt{}
	for _, rec := range p.bank.Recover(env) {
		d := &inDoubt{rec: rec, learn: newLearner(p.cfg.quorum())}
		p.inDoubt[rec.Txn] = d
		d.timer = env.SetTimer(p.cfg.RoundTimeout, decisionTimer{rec.Txn})
	}
}

// Receive dispatches on the message type.
func (p *Participant) Receive(env *sim.Env, from sim.NodeID, m sim.Message) {
	switch m := m.(type) {
	case Prepare:
		p.onPrepare(env, from, m)
	case Decision:
		via := obs.ViaLeader
		if d := p.inDoubt[m.Txn]; d != nil && env.NameOf(from) == d.rec.Coordinator {
			via = obs.ViaCoordinator
		}
		p.finish(env, m.Txn, m.Commit, via)
	case Phase2b:
		if d := p.inDoubt[m.Txn]; d != nil && d.lead != nil {
			d.learn.add(env.NameOf(from), m)
			if commit, done := d.learn.outcome(d.lead.instances); done {
				p.lead(env, d, commit)
			}
		}
	case Phase1b:
		if d := p.inDoubt[m.Txn]; d != nil && d.lead != nil {
			d.lead.onPhase1b(env, p.cfg, env.NameOf(from), m)
		}
	case Nack:
		if d := p.inDoubt[m.Txn]; d != nil && d.lead != nil {
			d.lead.onNack(m)
		}
	}
}

// propose sends this participant's vote to the acceptors as phase 2a of
// ballot 0; their phase-2b replies go to the coordinator.
func (p *Participant) propose(env *sim.Env, id, coordinator string, v Value) {
	m := Phase2a{Txn: id, Ballot: 0, Leader: coordinator, Entries: []Entry{{Instance: env.Name(), Value: v}}}
	for _, a := range p.acceptors {
		to, _ := env.Lookup(a)
		env.Send(to, m)
	}
}

func (p *Participant) onPrepare(env *sim.Env, from sim.NodeID, m Prepare) {
	if commit, known := p.bank.Outcome(env, m.Txn); known {
		env.Send(from, Decision{Txn: m.Txn, Commit: commit})
		return
	}
	if p.inDoubt[m.Txn] != nil {
		p.propose(env, m.Txn, env.NameOf(from), Prepared)
		return
	}
	rec := txn.Prepared{Txn: m.Txn, Coordinator: env.NameOf(from), Ops: m.Ops, Peers: m.Peers}
	// Once an acceptor holds "prepared" the transaction may commit, so the
	// prepared record must be forced (by Prepare) before the proposal.
	if !p.bank.Prepare(env, p.cfg.UnilateralAbort, rec) {
		p.propose(env, m.Txn, rec.Coordinator, Aborted)
		return
	}
	d := &inDoubt{rec: rec, learn: newLearner(p.cfg.quorum())}
	p.inDoubt[m.Txn] = d
	p.propose(env, m.Txn, rec.Coordinator, Prepared)
	p.wait(env, d)
}

// wait arms the decision timeout, with a random share so that participants
// in doubt together do not all take over at once.
func (p *Participant) wait(env *sim.Env, d *inDoubt) {
	j := time.Duration(env.Rand().Int64N(int64(p.cfg.DecisionTimeout)))
	d.timer = env.SetTimer(p.cfg.DecisionTimeout+j, decisionTimer{d.rec.Txn})
}

// lead finishes a transaction this participant learned as leader and tells
// the others.
func (p *Participant) lead(env *sim.Env, d *inDoubt, commit bool) {
	rec := d.rec
	p.finish(env, rec.Txn, commit, obs.ViaRecovery)
	txn.Announce(env, rec, commit)
}

// finish applies or rolls back a transaction and releases its locks (the
// commit kit's Bank.Finish), then forgets it.
func (p *Participant) finish(env *sim.Env, id string, commit bool, via obs.Via) {
	if d := p.inDoubt[id]; p.bank.Finish(env, id, commit, via) && d != nil {
		env.CancelTimer(d.timer)
		d.lead.stop(env)
		delete(p.inDoubt, id)
	}
}

// Timer: in doubt too long, take over with a higher ballot; a round that
// stalls is retried higher.
func (p *Participant) Timer(env *sim.Env, tag any) {
	id, ok := leaderTimer(tag)
	if !ok {
		return
	}
	d := p.inDoubt[id]
	if d == nil {
		return
	}
	if d.lead == nil {
		rank := 1
		for i, peer := range sortedCopy(d.rec.Peers) {
			if peer == env.Name() {
				rank = i + 1
			}
		}
		d.lead = &leader{txn: id, instances: sortedCopy(d.rec.Peers), rank: rank, learn: d.learn, acceptors: p.acceptors}
	}
	// The ballot-0 vote is sent again in case it was lost on the way to an
	// acceptor; an acceptor that promised a higher ballot refuses it.
	p.propose(env, id, d.rec.Coordinator, Prepared)
	d.lead.start(env, p.cfg)
}
