package kittest

import (
	"fmt"
	"time"

	"github.com/faultline-sim/faultline/fields"
	"github.com/faultline-sim/faultline/internal/catalog"
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/lockkit"
	"github.com/faultline-sim/faultline/protocol/plant"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/sim"
	"github.com/faultline-sim/faultline/workload"
)

func init() {
	scenarios.RegisterLock(Default(), scenarios.LeaseJudges)
	// For `simrun bugs`: how each planted bug is caught, within what budget.
	faultsSweep := catalog.Means{Kind: catalog.Runs, Scenario: "leasebox-faults", Budget: 30}
	lostWrites := faultsSweep
	lostWrites.Unsynced = "lose"
	catalog.Register("leasebox", Bugs,
		catalog.Catches{Bug: BugVolatileLeases, Means: faultsSweep},
		catalog.Catches{Bug: BugGrantBeforeSync, Means: lostWrites})
}

// ServerName is the lease box's node.
const ServerName = "leasebox"

// The planted bugs' names.
const (
	BugVolatileLeases  = "volatile-leases"
	BugGrantBeforeSync = "grant-before-sync"
)

// Bugs is the catalog of planted bugs.
var Bugs = plant.Catalog{
	{Name: BugVolatileLeases, Description: "the server keeps leases and the token counter in memory only: a restarted server grants held locks again"},
	{Name: BugGrantBeforeSync, Description: "the server answers a grant before the lease and token are synced (they reach the disk with its next sync): a crash losing unsynced writes grants a held lock, with the same token, again"},
}

// Config sets the lease box and its clients.
type Config struct {
	TTL            time.Duration // lease length, on the server's clock
	Margin         time.Duration // a client stops trusting its lease this much before TTL from its first send
	ResendInterval time.Duration
	RetryDelay     time.Duration // mean wait before trying a busy lock again
	Work           time.Duration // in the critical section, before the read-modify-write
	lockkit.Common
}

// Default is the configuration the family's scenarios run.
func Default() Config {
	return Config{TTL: 200 * time.Millisecond, Margin: 10 * time.Millisecond, ResendInterval: 20 * time.Millisecond,
		RetryDelay: 10 * time.Millisecond, Work: 20 * time.Millisecond}
}

// Name is "leasebox".
func (c Config) Name() string { return "leasebox" }

// Validate reports an impossible setting, naming the field.
func (c Config) Validate() error {
	f := &fields.Check{Of: "leasebox"}
	f.Positive("TTL", c.TTL).That(c.Margin >= 0 && c.Margin < c.TTL, "margin must be in [0, TTL %v), got %v", c.TTL, c.Margin)
	f.Positive("resend interval", c.ResendInterval).Positive("retry delay", c.RetryDelay).NotNegative("work", c.Work)
	return f.Err()
}

// Planted is the catalog of planted bugs.
func (c Config) Planted() plant.Catalog { return Bugs }

// WithBugs is the configuration with exactly the bugs s on.
func (c Config) WithBugs(s plant.Set) lockkit.Protocol { c.Bugs = s; return c }

// Fenced is false: the storage trusts every token.
func (c Config) Fenced() bool { return false }

// Servers is the lease box.
func (c Config) Servers() []string { return []string{ServerName} }

// AddNodes adds the server, the storage and the clients.
func (c Config) AddNodes(w *sim.World, clients []string, jobs []workload.LockJob) error {
	return lockkit.AddRoles(w, c, clients, jobs, lockkit.Roles{
		Server: func(int) sim.Node { return &server{cfg: c} },
		Options: lockkit.Options{Backoff: lockkit.Doubling(5*time.Millisecond, 80*time.Millisecond), RetryDelay: lockkit.Jittered(c.RetryDelay),
			ResendInterval: c.ResendInterval, WorkBefore: c.Work},
		Service: func() lockkit.Service { return &client{cfg: c} },
	})
}

// Messages.
type (
	// Acquire asks for Lock; Req is the attempt's own id.
	Acquire struct {
		Lock string
		Req  lockkit.Req
	}
	// Grant: Lock is the client's with Token for TTL from the server's decision.
	Grant struct {
		Lock  string
		Req   lockkit.Req
		Token int64
		TTL   time.Duration
	}
	// Busy: someone else holds Lock.
	Busy struct {
		Lock string
		Req  lockkit.Req
	}
	// Release gives back the grant Token.
	Release struct {
		Lock  string
		Req   lockkit.Req
		Token int64
	}
	// Released: OK false means that grant was no longer the lock's.
	Released struct {
		Lock string
		Req  lockkit.Req
		OK   bool
	}
)

func (m Acquire) String() string { return fmt.Sprintf("acquire %s req=%s", m.Lock, m.Req) }
func (m Grant) String() string {
	return fmt.Sprintf("grant %s req=%s token=%d ttl=%v", m.Lock, m.Req, m.Token, m.TTL)
}
func (m Busy) String() string { return fmt.Sprintf("busy %s req=%s", m.Lock, m.Req) }
func (m Release) String() string {
	return fmt.Sprintf("release %s req=%s token=%d", m.Lock, m.Req, m.Token)
}
func (m Released) String() string {
	return fmt.Sprintf("released %s req=%s ok=%t", m.Lock, m.Req, m.OK)
}

// lease is a held lock.
type lease struct {
	Holder  string
	Token   int64
	Expires time.Duration // on the server's clock
}

// Durable keys of the server.
const (
	tokenKey = "token"
	leaseKey = "lease/"
)

var answers = lockkit.Replies[sim.Message]{Prefix: "answer/"}

type server struct {
	cfg Config
	// With the planted bug, the leases and the counter live here instead.
	leases map[string]lease
	token  int64
}

func (s *server) volatile() bool { return s.cfg.Bugs.On(BugVolatileLeases) }

func (s *server) Start(env *sim.Env)          { s.leases = map[string]lease{} }
func (s *server) Timer(env *sim.Env, tag any) {}

func (s *server) lease(env *sim.Env, lock string) (lease, bool) {
	if s.volatile() {
		l, ok := s.leases[lock]
		return l, ok
	}
	return sim.Load[lease](env, leaseKey+lock)
}

// current is the lock's lease, after expiring it if its time is up.
func (s *server) current(env *sim.Env, lock string) (lease, bool) {
	l, held := s.lease(env, lock)
	if !held || env.Now() < l.Expires {
		return l, held
	}
	if s.volatile() {
		delete(s.leases, lock)
	} else {
		env.Delete(leaseKey + lock)
		env.Sync()
	}
	env.Observe(obs.LeaseExpired{Lock: lock, Client: l.Holder, Token: l.Token})
	env.Observe(obs.Holder{Lock: lock, Durable: !s.volatile()})
	return lease{}, false
}

func (s *server) Receive(env *sim.Env, from sim.NodeID, m sim.Message) {
	client := env.NameOf(from)
	switch m := m.(type) {
	case Acquire:
		if answers.Answered(env, from, m.Req) {
			return
		}
		if _, held := s.current(env, m.Lock); held {
			// Not recorded: a busy answer changes nothing, and a resend
			// may well find the lock free.
			env.Send(from, Busy{Lock: m.Lock, Req: m.Req})
			return
		}
		s.grant(env, from, client, m)
	case Release:
		if answers.Answered(env, from, m.Req) {
			return
		}
		l, held := s.current(env, m.Lock)
		ok := held && l.Holder == client && l.Token == m.Token
		reply := Released{Lock: m.Lock, Req: m.Req, OK: ok}
		var w sim.Batch
		if ok {
			if s.volatile() {
				delete(s.leases, m.Lock)
			} else {
				w.Delete(leaseKey + m.Lock)
			}
		}
		answers.Add(&w, client, m.Req, reply)
		env.Write(&w)
		env.Sync()
		if ok {
			env.Observe(obs.Holder{Lock: m.Lock, Durable: !s.volatile()})
		}
		env.Send(from, reply)
	}
}

// grant takes the next token and records it, the lease and the answer in
// one write: no crash falls between them.
func (s *server) grant(env *sim.Env, from sim.NodeID, client string, m Acquire) {
	var w sim.Batch
	l := lease{Holder: client, Expires: env.Now() + s.cfg.TTL}
	if s.volatile() {
		s.token++
		l.Token = s.token
		s.leases[m.Lock] = l
	} else {
		l.Token, _ = sim.Load[int64](env, tokenKey)
		l.Token++
		w.Put(tokenKey, l.Token)
		w.Put(leaseKey+m.Lock, l)
	}
	reply := Grant{Lock: m.Lock, Req: m.Req, Token: l.Token, TTL: s.cfg.TTL}
	answers.Add(&w, client, m.Req, reply)
	env.Write(&w)
	if !s.cfg.Bugs.On(BugGrantBeforeSync) {
		env.Sync()
	}
	env.Observe(obs.LockGrant{Lock: m.Lock, Client: client, Req: m.Req.String(), Token: l.Token})
	env.Observe(obs.Holder{Lock: m.Lock, Client: client, Token: l.Token, Durable: !s.volatile()})
	env.Send(from, reply)
}

// client is the lease box's side of a lock client.
type client struct {
	cfg Config
	srv sim.NodeID
	out lockkit.Pending
}

func (c *client) Start(env *sim.Env, k *lockkit.Client) {
	c.srv, _ = env.Lookup(ServerName)
	c.out.Every = c.cfg.ResendInterval
}

// Acquire makes one attempt, with an id of its own: a busy answer is not
// recorded, so a later attempt must not look like a resend.
func (c *client) Acquire(env *sim.Env, k *lockkit.Client, lock string, _ lockkit.Req) {
	req := k.NewReq()
	c.out.Send(env, c.srv, req, Acquire{Lock: lock, Req: req})
}

func (c *client) Release(env *sim.Env, k *lockkit.Client, h lockkit.Held, req lockkit.Req) {
	c.out.Send(env, c.srv, req, Release{Lock: h.Lock, Req: req, Token: h.Token})
}

func (c *client) Receive(env *sim.Env, k *lockkit.Client, _ sim.NodeID, m sim.Message) {
	switch m := m.(type) {
	case Grant:
		if k.Phase() == lockkit.Acquiring && c.out.Answer(env, m.Req) {
			// Dated from the attempt's first send: the lease cannot have
			// started before it.
			k.Granted(env, m.Token, c.out.SentAt(1)+m.TTL-c.cfg.Margin, true)
		}
	case Busy:
		if k.Phase() == lockkit.Acquiring && c.out.Answer(env, m.Req) {
			k.Retry(env)
		}
	case Released:
		if k.Phase() == lockkit.Releasing && c.out.Answer(env, m.Req) {
			k.Released(env, m.OK)
		}
	}
}

func (c *client) Timer(env *sim.Env, k *lockkit.Client, tag any) { c.out.Timer(env, tag) }
