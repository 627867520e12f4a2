package paxoscommit

import (
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
)

// accKey prefixes an acceptor's durable state of one instance:
// accKey + txn + "/" + instance.
const accKey = "paxos/acc/"

// accState is an acceptor's state of one instance.
type accState struct {
	MaxBal Ballot // promised: accept nothing lower
	Bal    Ballot // ballot of the accepted value
	Val    Value
}

// Acceptor is one of the 2F+1 acceptors. It answers every instance of every
// transaction; its state is written durably before it answers, since a
// promise or an acceptance forgotten in a crash is what lets two leaders
// choose different values.
type Acceptor struct {
	cfg Config
	// mem is the state as this incarnation knows it; it equals the durable
	// state unless a planted bug keeps part of it in memory only.
	mem map[string]accState
}

// Start loads nothing eagerly: state is read from the store on demand.
func (a *Acceptor) Start(env *sim.Env) { a.mem = map[string]accState{} }

func (a *Acceptor) get(env *sim.Env, key string) accState {
	if s, ok := a.mem[key]; ok {
		return s
	}
	s, _ := sim.Load[accState](env, key)
	return s
}

func (a *Acceptor) set(env *sim.Env, key string, s accState, promiseOnly bool) {
	a.mem[key] = s
	forget := a.cfg.Bugs.On(BugForgetAccepted)
	if promiseOnly {
		forget = a.cfg.Bugs.On(BugForgetPromise)
	}
	if !forget {
		env.Put(key, s)
		if !a.cfg.Bugs.On(BugReplyBeforeSync) {
			env.Sync()
		}
	}
}

// Receive handles phase 1a and 2a.
func (a *Acceptor) Receive(env *sim.Env, from sim.NodeID, m sim.Message) {
	switch m := m.(type) {
	case Phase1a:
		a.onPhase1a(env, from, m)
	case Phase2a:
		a.onPhase2a(env, from, m)
	}
}

func (a *Acceptor) onPhase1a(env *sim.Env, from sim.NodeID, m Phase1a) {
	states := make([]accState, len(m.Instances))
	for i, inst := range m.Instances {
		states[i] = a.get(env, accKey+m.Txn+"/"+inst)
		if states[i].MaxBal > m.Ballot {
			env.Send(from, Nack{Txn: m.Txn, Ballot: m.Ballot, Promised: states[i].MaxBal})
			return
		}
	}
	reply := Phase1b{Txn: m.Txn, Ballot: m.Ballot}
	for i, inst := range m.Instances {
		s := states[i]
		if s.MaxBal < m.Ballot {
			s.MaxBal = m.Ballot
			a.set(env, accKey+m.Txn+"/"+inst, s, true)
		}
		env.Observe(obs.Promise{Txn: m.Txn, Instance: inst, Ballot: int64(m.Ballot)})
		reply.States = append(reply.States, InstState{Instance: inst, Bal: s.Bal, Val: s.Val})
	}
	env.Send(from, reply)
}

func (a *Acceptor) onPhase2a(env *sim.Env, from sim.NodeID, m Phase2a) {
	reply := Phase2b{Txn: m.Txn, Ballot: m.Ballot}
	var refused Ballot = -1
	for _, e := range m.Entries {
		key := accKey + m.Txn + "/" + e.Instance
		s := a.get(env, key)
		if s.MaxBal > m.Ballot {
			refused = max(refused, s.MaxBal)
			continue
		}
		s = accState{MaxBal: m.Ballot, Bal: m.Ballot, Val: e.Value}
		a.set(env, key, s, false)
		env.Observe(obs.Accept{Txn: m.Txn, Instance: e.Instance, Ballot: int64(m.Ballot), Value: e.Value.String(), Quorum: a.cfg.quorum()})
		reply.Entries = append(reply.Entries, e)
	}
	if len(reply.Entries) > 0 {
		if id, ok := env.Lookup(m.Leader); ok {
			env.Send(id, reply)
		}
	}
	if refused >= 0 {
		env.Send(from, Nack{Txn: m.Txn, Ballot: m.Ballot, Promised: refused})
	}
}

// Timer: acceptors set none.
func (a *Acceptor) Timer(*sim.Env, any) {}
