package paxoscommit

import (
	"time"

	"github.com/faultline-sim/faultline/protocol/txn"
	"github.com/faultline-sim/faultline/sim"
)

// learner tallies phase-2b replies: an instance's value is chosen once a
// quorum of acceptors accepted it at one ballot.
type learner struct {
	quorum int
	votes  map[string]map[Ballot]map[string]Value // instance -> ballot -> acceptor -> value
	chosen map[string]Value
}

func newLearner(quorum int) *learner {
	return &learner{quorum: quorum, votes: map[string]map[Ballot]map[string]Value{}, chosen: map[string]Value{}}
}

func (l *learner) add(acceptor string, m Phase2b) {
	for _, e := range m.Entries {
		if _, done := l.chosen[e.Instance]; done {
			continue
		}
		byBal := l.votes[e.Instance]
		if byBal == nil {
			byBal = map[Ballot]map[string]Value{}
			l.votes[e.Instance] = byBal
		}
		accs := byBal[m.Ballot]
		if accs == nil {
			accs = map[string]Value{}
			byBal[m.Ballot] = accs
		}
		accs[acceptor] = e.Value
		if len(accs) >= l.quorum {
			l.chosen[e.Instance] = e.Value
		}
	}
}

// outcome says whether the transaction is decided: aborted as soon as one
// instance chose aborted, committed once every instance chose prepared.
func (l *learner) outcome(instances []string) (commit, decided bool) {
	all := true
	for _, inst := range instances {
		v, ok := l.chosen[inst]
		if ok && v == Aborted {
			return false, true
		}
		all = all && ok
	}
	return all, all
}

type leaderPhase int

const (
	idle      leaderPhase = iota // not leading
	promising                    // phase 1a sent, collecting promises
	accepting                    // phase 2a sent, collecting acceptances
)

func (p leaderPhase) String() string {
	return [...]string{"idle", "promising", "accepting"}[p]
}

// roundKey prefixes a leader's durable highest round for a transaction.
const roundKey = "paxos/round/"

type roundTimer struct{ Txn string }

func (t roundTimer) String() string { return "round " + t.Txn }

// leaderTimer is the transaction of a timer that makes its node lead a
// ballot: the coordinator's vote timeout, a participant's decision
// timeout, or a round timer retrying higher.
func leaderTimer(tag any) (string, bool) {
	switch tag := tag.(type) {
	case txn.VoteTimeout:
		return tag.Txn, true
	case decisionTimer:
		return tag.Txn, true
	case roundTimer:
		return tag.Txn, true
	}
	return "", false
}

// leader runs higher ballots for every instance of one transaction. The
// coordinator and each participant embed one per transaction they take
// over.
type leader struct {
	txn       string
	instances []string
	rank      int
	phase     leaderPhase
	ballot    Ballot
	seen      int64              // highest round heard of (from nacks)
	attempts  int                // rounds started, for the back-off
	promises  map[string]Phase1b // acceptor -> its promise for ballot
	learn     *learner           // shared with the host's learner
	timer     sim.TimerID
	acceptors []string
}

// start begins a new round with a ballot above every one seen. The round is
// logged before the ballot is used: a leader that restarted and reused a
// ballot could propose a second value under it.
func (l *leader) start(env *sim.Env, cfg Config) {
	round := l.seen
	if r, ok := sim.Load[int64](env, roundKey+l.txn); ok {
		round = max(round, r)
	}
	round++
	l.attempts++
	env.Put(roundKey+l.txn, round)
	env.Sync()
	l.ballot = MakeBallot(round, l.rank)
	l.phase = promising
	l.promises = map[string]Phase1b{}
	for _, a := range l.acceptors {
		id, _ := env.Lookup(a)
		env.Send(id, Phase1a{Txn: l.txn, Ballot: l.ballot, Instances: l.instances})
	}
	l.arm(env, cfg)
}

// arm sets the round timer with a random, growing back-off (up to 8 round
// timeouts), so two leaders that pre-empt each other soon stop colliding and
// a leader cut off from a quorum does not flood the network meanwhile.
func (l *leader) arm(env *sim.Env, cfg Config) {
	env.CancelTimer(l.timer)
	base := cfg.RoundTimeout << min(max(l.attempts-1, 0), 3)
	d := base + time.Duration(env.Rand().Int64N(int64(base)))
	l.timer = env.SetTimer(d, roundTimer{l.txn})
}

// stop ends the leader's rounds; a nil leader (none was needed) has none.
func (l *leader) stop(env *sim.Env) {
	if l == nil {
		return
	}
	env.CancelTimer(l.timer)
	l.phase = idle
}

// onPhase1b collects promises; with a quorum it proposes, per instance, the
// value accepted at the highest ballot, or aborted where none was.
func (l *leader) onPhase1b(env *sim.Env, cfg Config, from string, m Phase1b) {
	if l.phase != promising || m.Ballot != l.ballot {
		return
	}
	l.promises[from] = m
	if len(l.promises) < cfg.quorum() {
		return
	}
	best := map[string]InstState{}
	for _, p := range l.promises {
		for _, s := range p.States {
			if b, ok := best[s.Instance]; !ok || (s.Val != NoValue && (b.Val == NoValue || s.Bal > b.Bal)) {
				best[s.Instance] = s
			}
		}
	}
	m2 := Phase2a{Txn: l.txn, Ballot: l.ballot, Leader: env.Name()}
	for _, inst := range l.instances {
		v := best[inst].Val
		if v == NoValue {
			v = Aborted
		}
		m2.Entries = append(m2.Entries, Entry{Instance: inst, Value: v})
	}
	l.phase = accepting
	for _, a := range l.acceptors {
		id, _ := env.Lookup(a)
		env.Send(id, m2)
	}
	l.arm(env, cfg)
}

func (l *leader) onNack(m Nack) {
	if m.Ballot == l.ballot {
		l.seen = max(l.seen, m.Promised.Round())
	}
}
