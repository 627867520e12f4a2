package twopc

import (
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/txn"
	"github.com/faultline-sim/faultline/sim"
)

type inquiryTimer struct{ Txn string }

func (t inquiryTimer) String() string              { return "inquiry " + t.Txn }
func (t inquiryTimer) AppendTrace(b []byte) []byte { return append(append(b, "inquiry "...), t.Txn...) }

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
	inDoubt map[string]inDoubt // by value: no allocation per transaction
}

// Start opens the bank and recovers every prepared record: the participant
// is still uncertain about those, re-takes their locks and resumes asking.
func (p *Participant) Start(env *sim.Env) {
	p.inDoubt = map[string]inDoubt{}
	for _, rec := range p.bank.Recover(env) {
		if p.cfg.Bugs.On(BugPresumeAbortOnRestart) {
			p.bank.Finish(env, rec.Txn, false, obs.ViaRestart)
			continue
		}
		if p.cfg.Bugs.On(BugRecoverWithoutLocks) {
			p.bank.Unlock(rec.Txn, rec.Ops)
		}
		p.inDoubt[rec.Txn] = p.ask(env, inDoubt{rec: rec})
	}
}

// Receive dispatches on the message type.
func (p *Participant) Receive(env *sim.Env, from sim.NodeID, m sim.Message) {
	switch m := m.(type) {
	case Prepare:
		p.onPrepare(env, from, m)
	case Decision:
		p.finish(env, m.Txn, m.Commit, obs.ViaCoordinator)
		sim.Send(env, from, Ack{Txn: m.Txn})
	case PeerQuery:
		p.onPeerQuery(env, from, m.Txn)
	case PeerStatus:
		if _, in := p.inDoubt[m.Txn]; in && m.State != PeerUncertain {
			p.finish(env, m.Txn, m.State == PeerCommitted, obs.ViaPeer)
		}
	}
}

func (p *Participant) onPrepare(env *sim.Env, from sim.NodeID, m Prepare) {
	if commit, known := p.bank.Outcome(env, m.Txn); known {
		sim.Send(env, from, Vote{Txn: m.Txn, Yes: commit})
		return
	}
	if _, in := p.inDoubt[m.Txn]; in {
		sim.Send(env, from, Vote{Txn: m.Txn, Yes: true})
		return
	}
	rec := txn.Prepared{Txn: m.Txn, Coordinator: env.NameOf(from), Ops: m.Ops, Peers: m.Peers}
	if !p.bank.Prepare(env, p.cfg.UnilateralAbort, rec) {
		sim.Send(env, from, Vote{Txn: m.Txn, Yes: false})
		return
	}
	if p.cfg.Bugs.On(BugReleaseLocksAtVote) {
		p.bank.Unlock(m.Txn, m.Ops)
	}
	d := inDoubt{rec: rec}
	sim.Send(env, from, Vote{Txn: m.Txn, Yes: true})
	d.timer = sim.SetTimer(env, p.cfg.InquiryInterval, inquiryTimer{m.Txn})
	p.inDoubt[m.Txn] = d
}

// finish applies or rolls back a transaction and releases its locks (the
// commit kit's Bank.Finish), then forgets it.
func (p *Participant) finish(env *sim.Env, id string, commit bool, via obs.Via) {
	if d, in := p.inDoubt[id]; p.bank.Finish(env, id, commit, via) && in {
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
	} else if _, in := p.inDoubt[id]; !in {
		// Not voted: abort unilaterally, so the asking peer can abort too.
		p.finish(env, id, false, obs.ViaUnilateral)
		state = PeerAborted
	}
	sim.Send(env, from, PeerStatus{Txn: id, State: state})
}

// ask sends an inquiry to the coordinator (and, cooperatively, to the
// peers) and re-arms the timer: an uncertain participant keeps asking. It
// returns d with its new timer, for the caller to keep.
func (p *Participant) ask(env *sim.Env, d inDoubt) inDoubt {
	if id, ok := env.Lookup(d.rec.Coordinator); ok {
		sim.Send(env, id, Inquiry{Txn: d.rec.Txn})
	}
	if p.cfg.Cooperative {
		txn.SendEach(env, d.rec.Peers, PeerQuery{Txn: d.rec.Txn})
	}
	d.timer = sim.SetTimer(env, p.cfg.InquiryInterval, inquiryTimer{d.rec.Txn})
	return d
}

// Timer: an uncertain participant asks again.
func (p *Participant) Timer(env *sim.Env, tag any) {
	if t, ok := tag.(inquiryTimer); ok {
		if d, in := p.inDoubt[t.Txn]; in {
			if d.asks++; d.asks >= 3 && p.cfg.Bugs.On(BugInDoubtTimeoutAbort) {
				p.finish(env, t.Txn, false, obs.ViaTimeout)
				return
			}
			p.inDoubt[t.Txn] = p.ask(env, d)
		}
	}
}
