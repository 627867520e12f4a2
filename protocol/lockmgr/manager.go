package lockmgr

import (
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/lockkit"
	"github.com/faultline-sim/faultline/sim"
)

// Durable keys of the manager.
const (
	tokenKey = "token"  // int64: the last token issued
	leaseKey = "lease/" // lease of a held lock; absent = free
)

// answers keeps the last answer sent to each client: every resend or
// duplicate gets the same reply and older ones are dropped — a request
// that was refused must never be granted later.
var answers = lockkit.Replies[sim.Message]{Prefix: "answer/"}

// lease is a held lock, kept durably: a manager that forgot its leases in
// a crash would hand a held lock to someone else.
type lease struct {
	Holder  string
	Req     lockkit.Req
	Token   int64
	Attempt int
	Expires time.Duration // on the manager's clock
}

// lockState is what the manager knows of one lock.
type lockState int

const (
	free      lockState = iota // no holder; the queue is empty
	held                       // a holder whose lease has not run out, no waiter
	contended                  // held, with waiters in the queue
)

func (s lockState) String() string { return [...]string{"free", "held", "contended"}[s] }

type waiter struct {
	client  string
	req     lockkit.Req
	attempt int
	since   time.Duration // local time the request was queued
	timer   sim.TimerID
}

type expiryTimer struct {
	Lock  string
	Token int64
}
type waitTimer struct {
	Lock   string
	Client string
	Req    lockkit.Req
}

func (t expiryTimer) String() string { return "lease-expiry " + t.Lock }
func (t waitTimer) String() string   { return "wait-timeout " + t.Lock + " " + t.Client }

// Manager is the central lock manager.
type Manager struct {
	cfg    Config
	queues map[string][]*waiter
	expiry map[string]sim.TimerID
}

// Start recovers the leases. Queues are volatile: waiting clients resend
// their requests and so queue again, in the order their resends arrive.
func (m *Manager) Start(env *sim.Env) {
	m.queues = map[string][]*waiter{}
	m.expiry = map[string]sim.TimerID{}
	for _, a := range answers.All(env) {
		// A lease of the releasing client granted before its release is
		// the one the release dropped: a later grant to it would answer a
		// later request.
		if rr, ok := a.Reply.(ReleaseReply); ok && rr.OK {
			if l, held := m.lease(env, rr.Lock); held && l.Holder == a.Client && l.Req.Less(a.Req) {
				m.drop(env, rr.Lock)
			}
		}
	}
	for _, k := range env.Keys(leaseKey) {
		lock := strings.TrimPrefix(k, leaseKey)
		if !m.expireIfDue(env, lock) {
			l, _ := m.lease(env, lock)
			env.Observe(obs.Holder{Lock: lock, Client: l.Holder, Token: l.Token, Durable: true})
			m.armExpiry(env, lock, l)
		}
	}
}

func (m *Manager) lease(env *sim.Env, lock string) (lease, bool) {
	return sim.Load[lease](env, leaseKey+lock)
}

func (m *Manager) state(env *sim.Env, lock string) lockState {
	if _, ok := m.lease(env, lock); !ok {
		return free
	}
	if len(m.queues[lock]) > 0 {
		return contended
	}
	return held
}

func (m *Manager) armExpiry(env *sim.Env, lock string, l lease) {
	env.CancelTimer(m.expiry[lock])
	m.expiry[lock] = env.SetTimer(l.Expires-env.Now(), expiryTimer{Lock: lock, Token: l.Token})
}

// expireIfDue frees a lock whose lease has run out and hands it to the
// next waiter. It is called before every decision about the lock, not only
// from the timer, so a late timer (the manager was paused) never lets an
// expired lease count as held.
func (m *Manager) expireIfDue(env *sim.Env, lock string) bool {
	l, ok := m.lease(env, lock)
	if !ok || env.Now() < l.Expires {
		return false
	}
	env.Delete(leaseKey + lock)
	env.Sync()
	env.CancelTimer(m.expiry[lock])
	delete(m.expiry, lock)
	env.Observe(obs.LeaseExpired{Lock: lock, Client: l.Holder, Token: l.Token})
	env.Observe(obs.Holder{Lock: lock, Durable: true})
	m.grantNext(env, lock)
	return true
}

// Receive dispatches on the message type.
func (m *Manager) Receive(env *sim.Env, from sim.NodeID, msg sim.Message) {
	switch msg := msg.(type) {
	case Acquire:
		m.onAcquire(env, from, msg)
	case Release:
		m.onRelease(env, from, msg)
	}
}

// reply records the answer durably before sending it: after a crash the
// manager must give a resent request the same answer.
func (m *Manager) reply(env *sim.Env, client string, req lockkit.Req, msg sim.Message) {
	answers.Record(env, client, req, msg)
	if id, ok := env.Lookup(client); ok {
		env.Send(id, msg)
	}
}

func (m *Manager) onAcquire(env *sim.Env, from sim.NodeID, a Acquire) {
	client := env.NameOf(from)
	if answers.Answered(env, from, a.Req) {
		return
	}
	m.expireIfDue(env, a.Lock)
	if l, held := m.lease(env, a.Lock); held && l.Holder == client && l.Req == a.Req {
		// The grant was made durable but the manager crashed before its
		// answer was: the resent request gets that very grant again, not a
		// second one behind its own lease.
		m.reply(env, client, a.Req, Grant{Lock: a.Lock, Req: a.Req, Token: l.Token, Attempt: l.Attempt, TTL: m.cfg.TTL})
		return
	}
	for i, w := range m.queues[a.Lock] {
		if w.client == client && w.req == a.Req {
			w.attempt = max(w.attempt, a.Attempt)
			env.Send(from, Queued{Lock: a.Lock, Req: a.Req, Position: i + 1})
			return
		}
	}
	m.dropSuperseded(env, client, a.Req)
	switch st := m.state(env, a.Lock); {
	case st == free:
		m.grant(env, a.Lock, client, a.Req, a.Attempt)
	case m.cfg.Bugs.On(BugGrantHeld) && m.holder(env, a.Lock) != client:
		m.grant(env, a.Lock, client, a.Req, a.Attempt)
	case len(m.queues[a.Lock]) < m.cfg.QueueLimit:
		m.enqueue(env, a.Lock, client, a)
	default:
		m.reply(env, client, a.Req, Deny{Lock: a.Lock, Req: a.Req, Reason: ReasonBusy})
	}
}

func (m *Manager) holder(env *sim.Env, lock string) string {
	l, _ := m.lease(env, lock)
	return l.Holder
}

// dropSuperseded removes a client's waiting requests older than req: the
// client restarted or gave them up, and granting one now would hand a lock
// to nobody — and overwrite the client's last answer with an older one.
//
// Locks are visited in sorted order: each drop cancels a timer (an
// effect), and map iteration order must never reach the run.
func (m *Manager) dropSuperseded(env *sim.Env, client string, req lockkit.Req) {
	for _, lock := range slices.Sorted(maps.Keys(m.queues)) {
		q := m.queues[lock]
		for i := len(q) - 1; i >= 0; i-- {
			if q[i].client == client && q[i].req.Less(req) {
				m.dequeue(env, lock, i)
			}
		}
	}
}

func (m *Manager) grant(env *sim.Env, lock, client string, req lockkit.Req, attempt int) {
	token, _ := sim.Load[int64](env, tokenKey)
	token++
	env.Put(tokenKey, token)
	env.Sync() // a token must never be handed out twice, whatever is lost after it
	l := lease{Holder: client, Req: req, Token: token, Attempt: attempt, Expires: env.Now() + m.cfg.TTL}
	env.Put(leaseKey+lock, l)
	if !m.cfg.Bugs.On(BugGrantBeforeSync) {
		env.Sync()
	}
	m.armExpiry(env, lock, l)
	env.Observe(obs.LockGrant{Lock: lock, Client: client, Req: req.String(), Token: token})
	env.Observe(obs.Holder{Lock: lock, Client: client, Token: token, Durable: true})
	m.reply(env, client, req, Grant{Lock: lock, Req: req, Token: token, Attempt: attempt, TTL: m.cfg.TTL})
}

// grantNext gives a free lock to the first waiter.
func (m *Manager) grantNext(env *sim.Env, lock string) {
	q := m.queues[lock]
	if len(q) == 0 {
		return
	}
	if _, isHeld := m.lease(env, lock); isHeld {
		return
	}
	w := q[0]
	m.dequeue(env, lock, 0)
	m.grant(env, lock, w.client, w.req, w.attempt)
}

func (m *Manager) enqueue(env *sim.Env, lock, client string, a Acquire) {
	w := &waiter{client: client, req: a.Req, attempt: a.Attempt, since: env.Now()}
	m.queues[lock] = append(m.queues[lock], w)
	if m.cfg.DetectDeadlocks {
		if cycle := m.findCycle(env, client); cycle != nil {
			// The request that closed the cycle is the victim: it is the one
			// waiting right now, and refusing it is enough, since its client
			// gives back everything it holds when refused.
			m.dequeue(env, lock, len(m.queues[lock])-1)
			env.Observe(obs.Deadlock{Lock: lock, Cycle: cycle, Victim: client})
			m.reply(env, client, a.Req, Deny{Lock: lock, Req: a.Req, Reason: ReasonDeadlock})
			return
		}
	}
	if m.cfg.WaitTimeout > 0 {
		w.timer = env.SetTimer(m.cfg.WaitTimeout, waitTimer{Lock: lock, Client: client, Req: a.Req})
	}
	if id, ok := env.Lookup(client); ok {
		env.Send(id, Queued{Lock: lock, Req: a.Req, Position: len(m.queues[lock])})
	}
}

func (m *Manager) dequeue(env *sim.Env, lock string, i int) {
	q := m.queues[lock]
	env.CancelTimer(q[i].timer)
	m.queues[lock] = append(q[:i:i], q[i+1:]...)
}

// findCycle looks for a wait-for cycle through client. A waiter waits for
// the lock's holder and, the queue being FIFO, for every waiter ahead of
// it. Locks and neighbours are visited in a fixed order, so the cycle
// reported does not depend on map iteration.
func (m *Manager) findCycle(env *sim.Env, start string) []string {
	locks := make([]string, 0, len(m.queues))
	for l := range m.queues {
		locks = append(locks, l)
	}
	sort.Strings(locks)
	waitsFor := map[string][]string{}
	for _, lock := range locks {
		q := m.queues[lock]
		l, isHeld := m.lease(env, lock)
		for i, w := range q {
			var out []string
			if isHeld && l.Holder != w.client {
				out = append(out, l.Holder)
			}
			for _, ahead := range q[:i] {
				if ahead.client != w.client {
					out = append(out, ahead.client)
				}
			}
			waitsFor[w.client] = append(waitsFor[w.client], out...)
		}
	}
	visited := map[string]bool{}
	var path []string
	var dfs func(c string) bool
	dfs = func(c string) bool {
		path = append(path, c)
		for _, next := range waitsFor[c] {
			if next == start {
				path = append(path, start)
				return true
			}
			if !visited[next] {
				visited[next] = true
				if dfs(next) {
					return true
				}
			}
		}
		path = path[:len(path)-1]
		return false
	}
	visited[start] = true
	if dfs(start) {
		return path
	}
	return nil
}

func (m *Manager) onRelease(env *sim.Env, from sim.NodeID, r Release) {
	client := env.NameOf(from)
	if answers.Answered(env, from, r.Req) {
		return
	}
	m.dropSuperseded(env, client, r.Req)
	m.expireIfDue(env, r.Lock)
	l, isHeld := m.lease(env, r.Lock)
	ok := isHeld && l.Holder == client && l.Token == r.Token
	if m.cfg.Bugs.On(BugReleaseNonHolder) {
		ok = isHeld
	}
	if !ok {
		m.reply(env, client, r.Req, ReleaseReply{Lock: r.Lock, Req: r.Req, OK: false})
		return
	}
	// The answer is logged before the lease is dropped, and a restart
	// finishes a release it finds logged but not applied (see Start): a
	// crash between the two writes must not leave a client told "released"
	// of a lease that still holds, nor a dropped lease whose release a
	// resend would then be refused.
	msg := ReleaseReply{Lock: r.Lock, Req: r.Req, OK: true}
	answers.Record(env, client, r.Req, msg)
	m.drop(env, r.Lock)
	env.Send(from, msg)
	m.grantNext(env, r.Lock)
}

// drop removes a released lease.
func (m *Manager) drop(env *sim.Env, lock string) {
	env.Delete(leaseKey + lock)
	env.Sync()
	env.CancelTimer(m.expiry[lock])
	delete(m.expiry, lock)
	env.Observe(obs.Holder{Lock: lock, Durable: true})
}

// Timer handles lease expiry and, in timeout-only mode, wait timeouts.
func (m *Manager) Timer(env *sim.Env, tag any) {
	switch t := tag.(type) {
	case expiryTimer:
		l, ok := m.lease(env, t.Lock)
		if !ok || l.Token != t.Token {
			return
		}
		if !m.expireIfDue(env, t.Lock) {
			// The clock was set back: the lease has not run out by it yet.
			m.armExpiry(env, t.Lock, l)
		}
	case waitTimer:
		for i, w := range m.queues[t.Lock] {
			if w.client == t.Client && w.req == t.Req {
				m.dequeue(env, t.Lock, i)
				env.Observe(obs.WaitTimeout{Lock: t.Lock, Client: t.Client, Waited: env.Now() - w.since})
				m.reply(env, t.Client, t.Req, Deny{Lock: t.Lock, Req: t.Req, Reason: ReasonTimeout})
				return
			}
		}
	}
}
