package txn

import (
	"sort"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
)

// Roles are the nodes a commit protocol puts on a topology: how to make its
// coordinator and a participant running a given bank. A node is made anew
// for every incarnation, so volatile state never survives a crash.
type Roles struct {
	Coordinator func() sim.Node
	Participant func(bank Bank) sim.Node
}

// AddRoles validates the protocol, then adds the coordinator and one
// participant per bank in name order. Node ids follow the order of adding,
// and ids order events, so the order is part of every trace; a protocol
// adds any nodes of its own (acceptors) after these.
func AddRoles(w *sim.World, p Protocol, t Topology, r Roles) error {
	if err := p.Validate(); err != nil {
		return err
	}
	parts := append([]string(nil), t.Participants...)
	sort.Strings(parts)
	w.AddNode(t.Coordinator, r.Coordinator)
	for _, name := range parts {
		bank := Bank{Accounts: t.Accounts[name], Initial: t.Initial}
		w.AddNode(name, func() sim.Node { return r.Participant(bank) })
	}
	return nil
}

// Begin is phase 1 at the coordinator, once it has taken a transaction on:
// the transaction is recorded as begun for the checkers, and each
// participant is sent its part.
func Begin(env *sim.Env, id string, ops []Op, parts []string) {
	sim.Observe(env, obs.Begin{Txn: id, Participants: parts})
	for _, p := range parts {
		to, _ := env.Lookup(p)
		sim.Send(env, to, Prepare{Txn: id, Ops: OpsFor(ops, p), Peers: parts})
	}
}

// TellClient sends the outcome to the client that submitted the
// transaction.
func TellClient(env *sim.Env, client, id string, commit bool) {
	if to, ok := env.Lookup(client); ok {
		sim.Send(env, to, Result{Txn: id, Commit: commit})
	}
}

// SendEach sends m to every named node but this one, in the order given.
func SendEach(env *sim.Env, names []string, m sim.Message) {
	for _, name := range names {
		if name != env.Name() {
			to, _ := env.Lookup(name)
			env.Send(to, m)
		}
	}
}

// Announce is how a participant that decided in the coordinator's place (a
// termination or recovery leader) tells the others: every peer, then the
// coordinator.
func Announce(env *sim.Env, rec Prepared, commit bool) {
	d := Decision{Txn: rec.Txn, Commit: commit}
	SendEach(env, rec.Peers, d)
	if to, ok := env.Lookup(rec.Coordinator); ok {
		env.Send(to, d)
	}
}

// Phase1 is where a coordinator's collection of votes stands.
type Phase1 int

const (
	Waiting Phase1 = iota // some participant has not voted yet
	VotedNo               // a participant voted no: the transaction aborts
	AllYes                // every participant voted yes
)

// CountVote is phase 1's rule at the coordinator, the same in 2PC and 3PC:
// the vote of voter joins votes; a no ends phase 1 at once, and once every
// participant of parts has voted yes the votes are in — recorded as the
// VotesIn fact, the moment the article's blocking case crashes the
// coordinator at.
func CountVote(env *sim.Env, id string, parts []string, votes *Votes, voter string, yes bool) Phase1 {
	votes.set(voter, yes)
	switch {
	case !yes:
		return VotedNo
	case votes.Len() < len(parts):
		return Waiting
	}
	sim.Observe(env, obs.VotesIn{Txn: id, AllYes: true})
	return AllYes
}

// Votes is a coordinator's tally of phase 1: each voter's latest vote. A
// transaction has a handful of participants, so the tally is a short list
// kept inside the value, not a map: counting a vote allocates nothing.
type Votes struct {
	in   [4]voted
	n    int
	more []voted
}

type voted struct {
	voter string
	yes   bool
}

func (v *Votes) at(i int) *voted {
	if i < len(v.in) {
		return &v.in[i]
	}
	return &v.more[i-len(v.in)]
}

func (v *Votes) set(voter string, yes bool) {
	for i := 0; i < v.n; i++ {
		if x := v.at(i); x.voter == voter {
			x.yes = yes
			return
		}
	}
	if v.n < len(v.in) {
		v.in[v.n] = voted{voter, yes}
	} else {
		v.more = append(v.more, voted{voter, yes})
	}
	v.n++
}

// Len is the number of voters.
func (v *Votes) Len() int { return v.n }

// AllYes reports whether every vote counted is yes.
func (v *Votes) AllYes() bool {
	for i := 0; i < v.n; i++ {
		if !v.at(i).yes {
			return false
		}
	}
	return true
}
