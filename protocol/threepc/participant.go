package threepc

import (
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/txn"
	"github.com/faultline-sim/faultline/sim"
	"sort"
)

// preCommitKey marks a transaction this participant has pre-committed; the
// prepared record itself lives under txn.PreparedKey.
const preCommitKey = "3pc/precommitted/"

type waitTimer struct{ Txn string }    // coordinator (or leader) silent too long
type collectTimer struct{ Txn string } // termination round: replies are in
type ackTimer struct{ Txn string }     // termination leader: pre-commit acks are in

func (t waitTimer) String() string    { return "uncertain-timeout " + t.Txn }
func (t collectTimer) String() string { return "collect " + t.Txn }
func (t ackTimer) String() string     { return "leader-acks " + t.Txn }

// ptxn is a transaction this participant voted yes for and has not decided.
type ptxn struct {
	rec   txn.Prepared
	state State // Uncertain or PreCommitted
	// recovered: this incarnation restarted after voting. It cannot know
	// what it missed while down, so it must not lead a termination.
	recovered bool
	timer     sim.TimerID

	// termination round, as candidate or leader
	replies map[string]StateReply
	leading bool
	acks    map[string]bool // leader: uncertain peers sent PreCommit, acked so far
}

// Participant is one bank: it votes, pre-commits, commits or aborts, and
// runs the termination protocol when the coordinator falls silent.
type Participant struct {
	cfg  Config
	bank txn.Bank
	txns map[string]*ptxn
}

// Start opens the bank and recovers every prepared record: the participant
// is uncertain or pre-committed about those, re-takes their locks and asks
// its peers at once.
func (p *Participant) Start(env *sim.Env) {
	p.txns = map[string]*ptxn{}
	for _, rec := range p.bank.Recover(env) {
		t := &ptxn{rec: rec, state: Uncertain, recovered: true}
		if _, ok := sim.Load[bool](env, preCommitKey+rec.Txn); ok {
			t.state = PreCommitted
		}
		p.txns[rec.Txn] = t
		p.startRound(env, t)
	}
}

// Receive dispatches on the message type.
func (p *Participant) Receive(env *sim.Env, from sim.NodeID, m sim.Message) {
	switch m := m.(type) {
	case Prepare:
		p.onPrepare(env, from, m)
	case PreCommit:
		p.onPreCommit(env, from, m.Txn)
	case Decision:
		via := obs.ViaTermination
		if name := env.NameOf(from); p.txns[m.Txn] != nil && name == p.txns[m.Txn].rec.Coordinator {
			via = obs.ViaCoordinator
		}
		p.finish(env, m.Txn, m.Commit, via)
		env.Send(from, Ack{Txn: m.Txn})
	case StateReq:
		p.onStateReq(env, from, m.Txn)
	case StateReply:
		p.onStateReply(env, from, m)
	case PreAck:
		if t := p.txns[m.Txn]; t != nil && t.leading && t.acks != nil {
			t.acks[env.NameOf(from)] = true
			if allTrue(t.acks) {
				p.lead(env, t, true)
			}
		}
	}
}

func allTrue(m map[string]bool) bool {
	for _, v := range m {
		if !v {
			return false
		}
	}
	return true
}

// state is what this participant knows of a transaction.
func (p *Participant) state(env *sim.Env, id string) State {
	if commit, known := p.bank.Outcome(env, id); known {
		if commit {
			return Committed
		}
		return Aborted
	}
	if t := p.txns[id]; t != nil {
		return t.state
	}
	return Initial
}

func (p *Participant) onPrepare(env *sim.Env, from sim.NodeID, m Prepare) {
	switch s := p.state(env, m.Txn); {
	case s.decided():
		env.Send(from, Vote{Txn: m.Txn, Yes: s == Committed})
		return
	case s != Initial:
		env.Send(from, Vote{Txn: m.Txn, Yes: true})
		return
	}
	rec := txn.Prepared{Txn: m.Txn, Coordinator: env.NameOf(from), Ops: m.Ops, Peers: m.Peers}
	if !p.bank.Prepare(env, p.cfg.UnilateralAbort, rec) {
		env.Send(from, Vote{Txn: m.Txn, Yes: false})
		return
	}
	t := &ptxn{rec: rec, state: Uncertain}
	p.txns[m.Txn] = t
	env.Send(from, Vote{Txn: m.Txn, Yes: true})
	p.wait(env, t)
}

func (p *Participant) onPreCommit(env *sim.Env, from sim.NodeID, id string) {
	switch s := p.state(env, id); s {
	case Committed, Aborted:
		env.Send(from, StateReply{Txn: id, State: s})
	case Uncertain:
		t := p.txns[id]
		p.preCommit(env, t)
		env.Send(from, PreAck{Txn: id})
		if !t.leading {
			p.wait(env, t)
		}
	case PreCommitted:
		env.Send(from, PreAck{Txn: id})
	}
}

// preCommit is logged before it is acknowledged: a termination leader that
// hears of it may commit, so it must survive a crash.
func (p *Participant) preCommit(env *sim.Env, t *ptxn) {
	env.Put(preCommitKey+t.rec.Txn, true)
	env.Sync()
	t.state = PreCommitted
	env.Observe(obs.PreCommit{Txn: t.rec.Txn})
}

func (p *Participant) onStateReq(env *sim.Env, from sim.NodeID, id string) {
	s := p.state(env, id)
	if s == Initial {
		// Not voted: abort unilaterally, so the asking peer can abort too.
		p.finish(env, id, false, obs.ViaUnilateral)
		s = Aborted
	}
	r := StateReply{Txn: id, State: s}
	if t := p.txns[id]; t != nil {
		r.Recovered = t.recovered
	}
	env.Send(from, r)
}

func (p *Participant) onStateReply(env *sim.Env, from sim.NodeID, m StateReply) {
	t := p.txns[m.Txn]
	if t == nil {
		return
	}
	if m.State.decided() {
		p.finish(env, m.Txn, m.State == Committed, obs.ViaPeer)
		return
	}
	if t.replies != nil && !t.leading {
		t.replies[env.NameOf(from)] = m
	}
}

// wait arms the uncertain timeout: silence until then starts a termination.
func (p *Participant) wait(env *sim.Env, t *ptxn) {
	env.CancelTimer(t.timer)
	t.replies, t.leading, t.acks = nil, false, nil
	t.timer = env.SetTimer(p.cfg.UncertainTimeout, waitTimer{t.rec.Txn})
}

// startRound asks every peer for its state; who answers is alive and
// reachable, and the lowest of those that may lead becomes the leader.
func (p *Participant) startRound(env *sim.Env, t *ptxn) {
	env.CancelTimer(t.timer)
	t.replies, t.leading, t.acks = map[string]StateReply{}, false, nil
	txn.SendEach(env, t.rec.Peers, StateReq{Txn: t.rec.Txn})
	t.timer = env.SetTimer(p.cfg.CollectWindow, collectTimer{t.rec.Txn})
}

// elect picks the termination leader among the replies: the lowest id that
// has not restarted since voting, this participant included.
func (p *Participant) elect(env *sim.Env, t *ptxn) (sim.NodeID, bool) {
	best, found := sim.None, false
	consider := func(name string, recovered bool) {
		id, ok := env.Lookup(name)
		if ok && !recovered && (!found || id < best) {
			best, found = id, true
		}
	}
	consider(env.Name(), t.recovered)
	for name, r := range t.replies {
		consider(name, r.Recovered)
	}
	return best, found
}

// collected runs when a termination round's replies are in.
func (p *Participant) collected(env *sim.Env, t *ptxn) {
	leader, ok := p.elect(env, t)
	if !ok || leader != env.ID() {
		// Someone else leads (or nobody may): wait for its decision, and
		// start over if none comes.
		p.wait(env, t)
		return
	}
	t.leading = true
	anyPre := t.state == PreCommitted
	for _, r := range t.replies {
		anyPre = anyPre || r.State == PreCommitted
	}
	switch {
	case !anyPre && p.cfg.Bugs.On(BugAllUncertainCommits):
		p.lead(env, t, true)
	case !anyPre:
		p.lead(env, t, false)
	case p.cfg.Bugs.On(BugPreCommittedAborts):
		p.lead(env, t, false)
	default:
		// Some participant is pre-committed, so the coordinator may have
		// committed: bring the uncertain ones to pre-committed first, so no
		// participant is uncertain when anyone commits.
		if t.state == Uncertain {
			p.preCommit(env, t)
		}
		t.acks = map[string]bool{}
		// In name order: the order of sends is the order of events.
		names := make([]string, 0, len(t.replies))
		for name := range t.replies {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if r := t.replies[name]; r.State == Uncertain {
				t.acks[name] = false
				id, _ := env.Lookup(name)
				env.Send(id, PreCommit{Txn: t.rec.Txn})
			}
		}
		if len(t.acks) == 0 {
			p.lead(env, t, true)
			return
		}
		env.CancelTimer(t.timer)
		t.timer = env.SetTimer(p.cfg.CollectWindow, ackTimer{t.rec.Txn})
	}
}

// lead decides as termination leader and tells every peer and the
// coordinator.
func (p *Participant) lead(env *sim.Env, t *ptxn, commit bool) {
	rec := t.rec
	p.finish(env, rec.Txn, commit, obs.ViaTermination)
	txn.Announce(env, rec, commit)
}

// finish applies or rolls back a transaction and releases its locks (the
// commit kit's Bank.Finish), then forgets it.
func (p *Participant) finish(env *sim.Env, id string, commit bool, via obs.Via) {
	if t := p.txns[id]; p.bank.Finish(env, id, commit, via, preCommitKey+id) && t != nil {
		env.CancelTimer(t.timer)
		delete(p.txns, id)
	}
}

// Timer drives the termination protocol.
func (p *Participant) Timer(env *sim.Env, tag any) {
	switch tag := tag.(type) {
	case waitTimer:
		if t := p.txns[tag.Txn]; t != nil {
			p.startRound(env, t)
		}
	case collectTimer:
		if t := p.txns[tag.Txn]; t != nil && t.replies != nil && !t.leading {
			p.collected(env, t)
		}
	case ackTimer:
		// Unacknowledged peers are taken for crashed, as 3PC assumes.
		if t := p.txns[tag.Txn]; t != nil && t.leading {
			p.lead(env, t, true)
		}
	}
}
