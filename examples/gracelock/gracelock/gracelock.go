// Package gracelock is a lock service of one's own, tested with Faultline
// (docs/your-protocol.md). Its server keeps leases in memory only — a grant
// costs no disk write — and is safe by a grace period: a server that had an
// earlier life (a durable epoch, written once per start) refuses every
// acquire for one lease length, so its previous life's leases run out first.
// Planted bug no-grace: a restarted server grants at once.
package gracelock

import (
	"fmt"
	"time"

	"github.com/faultline-sim/faultline"
	"github.com/faultline-sim/faultline/fields"
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/lockkit"
	"github.com/faultline-sim/faultline/protocol/plant"
	"github.com/faultline-sim/faultline/sim"
	"github.com/faultline-sim/faultline/workload"
)

// Leases are forgotten by design, so lock-linear (every lease ends in a
// release or a recorded expiry) does not apply; the family's checkers do.
func init() {
	faultline.RegisterLock(Default(), faultline.LockJudges{Takeover: faultline.LeaseJudges.Takeover})
}

// ServerName is the server's node; BugNoGrace the planted bug.
const ServerName, BugNoGrace = "gracelock", "no-grace"

// Config's exported fields are a scenario file's system.params (lease,
// margin, resend, retry, hold).
type Config struct {
	Lease  time.Duration // how long a grant lasts on the server's clock; also the grace after a restart
	Margin time.Duration // a client stops trusting its lease this much early
	Resend time.Duration // an unanswered request goes again this often
	Retry  time.Duration // mean wait before asking for a busy lock again
	Hold   time.Duration // work in the critical section before the read-modify-write
	lockkit.Common
}

// Default is the configuration a file's left-out parameters keep.
func Default() Config {
	ms := time.Millisecond
	return Config{Lease: 100 * ms, Margin: 10 * ms, Resend: 20 * ms, Retry: 10 * ms, Hold: 20 * ms}
}

func (c Config) Name() string { return "gracelock" }
func (c Config) Validate() error {
	f := &fields.Check{Of: "gracelock"}
	f.Positive("lease", c.Lease).Positive("resend", c.Resend).Positive("retry", c.Retry).NotNegative("hold", c.Hold)
	return f.That(0 <= c.Margin && c.Margin < c.Lease, "margin must be at least 0 and below the lease (%v), got %v", c.Lease, c.Margin).Err()
}
func (c Config) Planted() plant.Catalog {
	return plant.Catalog{{Name: BugNoGrace, Description: "a restarted server grants at once, while leases of its previous life still run"}}
}
func (c Config) WithBugs(s plant.Set) lockkit.Protocol { c.Bugs = s; return c }
func (c Config) Fenced() bool                          { return false }
func (c Config) Servers() []string                     { return []string{ServerName} }
func (c Config) AddNodes(w *sim.World, clients []string, jobs []workload.LockJob) error {
	return lockkit.AddRoles(w, c, clients, jobs, lockkit.Roles{
		Server: func(int) sim.Node { return &server{cfg: c} },
		Options: lockkit.Options{RetryDelay: lockkit.Jittered(c.Retry), Backoff: lockkit.Doubling(c.Retry, c.Lease),
			ResendInterval: c.Resend, WorkBefore: c.Hold},
		Service: func() lockkit.Service { return &client{cfg: c} },
	})
}

// Ask is "acquire" Lock or "release" grant Token. Answer: granted (OK,
// Token, TTL) or busy; a release OK if the grant was still the lock's.
type Ask struct {
	Op, Lock string
	Req      lockkit.Req
	Token    int64
}
type Answer struct {
	Ask
	OK  bool
	TTL time.Duration
}

func (m Ask) String() string {
	return fmt.Sprintf("%s %s req=%s token=%d", m.Op, m.Lock, m.Req, m.Token)
}
func (m Answer) String() string { return fmt.Sprintf("%s: ok=%t ttl=%v", m.Ask, m.OK, m.TTL) }

type lease struct { // the grant: Ask with Token set
	Ask
	holder  string
	expires time.Duration
}

type server struct {
	cfg          Config
	epoch, count int64
	graceUntil   time.Duration
	leases       map[string]lease
	seen         map[string]lockkit.Req // each client's latest request
}

func (s *server) Start(env *sim.Env) {
	s.leases, s.seen = map[string]lease{}, map[string]lockkit.Req{}
	s.epoch, _ = sim.Load[int64](env, "epoch")
	if s.epoch > 0 && !s.cfg.Bugs.On(BugNoGrace) {
		s.graceUntil = env.Now() + s.cfg.Lease
	}
	s.epoch++
	env.Put("epoch", s.epoch)
}

func (s *server) Timer(*sim.Env, any) {}

func (s *server) Receive(env *sim.Env, from sim.NodeID, m sim.Message) {
	ask, ok := m.(Ask)
	client := env.NameOf(from)
	if !ok || ask.Req.Less(s.seen[client]) {
		return // an older request's late duplicate
	}
	s.seen[client] = ask.Req
	// Durable: the design honours a lease across a crash (the grace period
	// waits it out); the planted bug breaks that promise, and the checkers
	// see the consequence, a second holder.
	holder := func(client string, token int64) {
		env.Observe(obs.Holder{Lock: ask.Lock, Client: client, Token: token, Durable: true})
	}
	l, held := s.leases[ask.Lock]
	if held && env.Now() >= l.expires {
		delete(s.leases, ask.Lock)
		held = false
		holder("", 0)
	}
	a := Answer{Ask: ask}
	switch {
	case ask.Op == "release": // a resend or an old duplicate names a grant no longer there
		if a.OK = held && l.holder == client && l.Token == ask.Token; a.OK {
			delete(s.leases, ask.Lock)
			holder("", 0)
		}
	case held && l.holder == client && l.Req == ask.Req: // a resend: the same grant
		a.OK, a.Token, a.TTL = true, l.Token, s.cfg.Lease
	case held || env.Now() < s.graceUntil: // busy
	default:
		s.count++
		a.OK, a.Token, a.TTL = true, s.epoch<<32|s.count, s.cfg.Lease
		s.leases[ask.Lock] = lease{Ask: a.Ask, holder: client, expires: env.Now() + s.cfg.Lease}
		env.Observe(obs.LockGrant{Lock: ask.Lock, Client: client, Req: ask.Req.String(), Token: a.Token})
		holder(client, a.Token)
	}
	env.Send(from, a)
}

// client is the service's side of a lockkit.Client, which runs the jobs.
type client struct {
	cfg Config
	srv sim.NodeID
	out lockkit.Pending // resent until answered
}

func (c *client) Start(env *sim.Env, k *lockkit.Client) {
	c.srv, _ = env.Lookup(ServerName)
	c.out.Every = c.cfg.Resend
}
func (c *client) Acquire(env *sim.Env, k *lockkit.Client, lock string, _ lockkit.Req) {
	req := k.NewReq()
	c.out.Send(env, c.srv, req, Ask{Op: "acquire", Lock: lock, Req: req})
}
func (c *client) Release(env *sim.Env, k *lockkit.Client, h lockkit.Held, req lockkit.Req) {
	c.out.Send(env, c.srv, req, Ask{Op: "release", Lock: h.Lock, Req: req, Token: h.Token})
}
func (c *client) Timer(env *sim.Env, k *lockkit.Client, tag any) { c.out.Timer(env, tag) }

func (c *client) Receive(env *sim.Env, k *lockkit.Client, _ sim.NodeID, m sim.Message) {
	a, ok := m.(Answer)
	switch {
	case !ok || !c.out.Answer(env, a.Req): // not the request outstanding
	case a.Op == "release":
		k.Released(env, a.OK)
	case a.OK: // dated from the first send: the lease cannot have started before it
		k.Granted(env, a.Token, c.out.SentAt(1)+a.TTL-c.cfg.Margin, true)
	default:
		k.Retry(env)
	}
}
