package twopc

import (
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/txn"
	"github.com/faultline-sim/faultline/sim"
)

type inquiryTimer struct{ Txn string }

func (t inquiryTimer) String() string { return "inquiry " + t.Txn }

// inDoubt is a transaction this participant voted yes for and has no
// decision on: it is uncertain and holds the transaction's locks.
type inDoubt struct {
	rec   txn.Prepared
	timer sim.TimerID
	asks  int // inquiries sent (planted bug in-doubt-timeout-abort)
}

// Participant is one bank: it votes, then applies or rolls back.
type Participant struct {
	cfg     Config
	bank    txn.Bank
	inDoubt map[string]*inDoubt
}

// Start opens the bank and recovers every prepared record: the participant
// is still uncertain about those, re-takes their locks and resumes asking.
func (p *Participant) Start(env *sim.Env) {
	p.inDoubt = map[string]*inDoubt{}
	for _, rec := range p.bank.Recover(env) {
		if p.cfg.Bugs.On(BugPresumeAbortOnRestart) {
			p.bank.Finish(env, rec.Txn, false, obs.ViaRestart)
			continue
		}
		d := &inDoubt{rec: rec}
		p.inDoubt[rec.Txn] = d
		p.ask(env, d)
	}
}

// Receive dispatches on the message type.
func (p *Participant) Receive(env *sim.Env, from sim.NodeID, m sim.Message) {
	switch m := m.(type) {
	case Prepare:
		p.onPrepare(env, from, m)
	case Decision:
		p.finish(env, m.Txn, m.Commit, obs.ViaCoordinator)
		env.Send(from, Ack{Txn: m.Txn})
	case PeerQuery:
		p.onPeerQuery(env, from, m.Txn)
	case PeerStatus:
		if m.State != PeerUncertain && p.inDoubt[m.Txn] != nil {
			p.finish(env, m.Txn, m.State == PeerCommitted, obs.ViaPeer)
		}
	}
}

func (p *Participant) onPrepare(env *sim.Env, from sim.NodeID, m Prepare) {
	if commit, known := p.bank.Outcome(env, m.Txn); known {
		env.Send(from, Vote{Txn: m.Txn, Yes: commit})
		return
	}
	if p.inDoubt[m.Txn] != nil {
		env.Send(from, Vote{Txn: m.Txn, Yes: true})
		return
	}
	rec := txn.Prepared{Txn: m.Txn, Coordinator: env.NameOf(from), Ops: m.Ops, Peers: m.Peers}
	if !p.bank.Prepare(env, p.cfg.UnilateralAbort, rec) {
		env.Send(from, Vote{Txn: m.Txn, Yes: false})
		return
	}
	d := &inDoubt{rec: rec}
	p.inDoubt[m.Txn] = d
	env.Send(from, Vote{Txn: m.Txn, Yes: true})
	d.timer = env.SetTimer(p.cfg.InquiryInterval, inquiryTimer{m.Txn})
}

// finish applies or rolls back a transaction and releases its locks (the
// commit kit's Bank.Finish), then forgets it.
func (p *Participant) finish(env *sim.Env, id string, commit bool, via obs.Via) {
	if d := p.inDoubt[id]; p.bank.Finish(env, id, commit, via) && d != nil {
		env.CancelTimer(d.timer)
		delete(p.inDoubt, id)
	}
}

func (p *Participant) onPeerQuery(env *sim.Env, from sim.NodeID, id string) {
	state := PeerUncertain
	if commit, known := p.bank.Outcome(env, id); known {
		state = PeerAborted
		if commit {
			state = PeerCommitted
		}
	} else if p.inDoubt[id] == nil {
		// Not voted: abort unilaterally, so the asking peer can abort too.
		p.finish(env, id, false, obs.ViaUnilateral)
		state = PeerAborted
	}
	env.Send(from, PeerStatus{Txn: id, State: state})
}

// ask sends an inquiry to the coordinator (and, cooperatively, to the
// peers) and re-arms the timer: an uncertain participant keeps asking.
func (p *Participant) ask(env *sim.Env, d *inDoubt) {
	if id, ok := env.Lookup(d.rec.Coordinator); ok {
		env.Send(id, Inquiry{Txn: d.rec.Txn})
	}
	if p.cfg.Cooperative {
		txn.SendEach(env, d.rec.Peers, PeerQuery{Txn: d.rec.Txn})
	}
	d.timer = env.SetTimer(p.cfg.InquiryInterval, inquiryTimer{d.rec.Txn})
}

// Timer: an uncertain participant asks again.
func (p *Participant) Timer(env *sim.Env, tag any) {
	if t, ok := tag.(inquiryTimer); ok {
		if d := p.inDoubt[t.Txn]; d != nil {
			if d.asks++; d.asks >= 3 && p.cfg.Bugs.On(BugInDoubtTimeoutAbort) {
				p.finish(env, t.Txn, false, obs.ViaTimeout)
				return
			}
			p.ask(env, d)
		}
	}
}
