package lockkit

import (
	"strings"
	"time"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
	"github.com/faultline-sim/faultline/workload"
)

// Durable keys of a client.
const (
	// JobsDoneKey is the count of finished jobs, so a restarted client
	// resumes at the next one.
	JobsDoneKey = "jobs-done"
	// HeldKey prefixes the token of a lock the client may hold (with
	// Options.KeepHeld).
	HeldKey = "held/"
)

// Service is a lock service's side of a client: how it acquires, extends
// and releases a lock. The Client drives the jobs and calls the service; the
// service answers by calling the Client back (Granted, Refused, Released,
// Lost, ...), in the same handler or a later one. It gets every message and
// timer that is not the Client's own.
type Service interface {
	// Start runs when the client node starts, before any job.
	Start(env *sim.Env, c *Client)
	// Acquire asks for lock; req names the acquisition in the lock facts.
	// Answer with Granted, Refused, or Retry (the lock is taken: Acquire
	// is called again for the next attempt).
	Acquire(env *sim.Env, c *Client, lock string, req Req)
	// Release gives h back; req names the release. Answer with Released.
	Release(env *sim.Env, c *Client, h Held, req Req)
	Receive(env *sim.Env, c *Client, from sim.NodeID, m sim.Message)
	Timer(env *sim.Env, c *Client, tag any)
}

// Extender is a service that extends a lock after the critical section's
// work, before the read-modify-write. Extend reports whether it asked; if
// so, answer with Extended or Leave.
type Extender interface {
	Extend(env *sim.Env, c *Client, h Held) bool
}

// Guard is a service that checks, just before the write, that the client
// may still act as holder; a non-empty reason ends the critical section
// with that reason instead.
type Guard interface {
	Guard(env *sim.Env, c *Client) obs.LeaveWhy
}

// Options are the service-independent choices of a client.
type Options struct {
	Jobs    []workload.LockJob
	Backoff Backoff // after a refused, lost or fenced-out job
	// RetryDelay is the wait before another attempt at a lock the service
	// found taken (Retry); MaxTries bounds the attempts of one acquisition
	// (0: no bound), after which the job counts as refused ("busy").
	RetryDelay Backoff
	MaxTries   int
	// ResendInterval: an unanswered storage request is sent again this
	// often; 0 sends it once (and a lost answer leaves the client to its
	// lease deadline).
	ResendInterval time.Duration
	Think          time.Duration // pause between getting one lock of a job and asking for the next
	// WorkBefore is the critical section's work before the read (then the
	// lock may be extended); WorkBetween its work between read and write.
	WorkBefore, WorkBetween time.Duration
	// FirstLockOnly: each job takes only its first lock.
	FirstLockOnly bool
	// KeepHeld records every granted lock durably, so that a restarted
	// client first releases what its previous incarnation may still hold.
	KeepHeld bool
	// ReleaseLater releases from a handler of its own, as a program returns
	// from its work before unlocking: a pause can fall between the two.
	ReleaseLater bool
}

// Held is a lock the client holds, or believes it does.
type Held struct {
	Lock  string
	Token int64 // fencing token, 0 if the service issues none
	// Deadline is the local time after which the client no longer trusts
	// the lock; Expires false means the service gives no deadline.
	Deadline time.Duration
	Expires  bool
}

// Phase is where a client is in its current job.
type Phase int

// Phases of a client.
const (
	Idle       Phase = iota // waiting for the next job's start time
	Acquiring               // the service is acquiring the job's next lock
	Thinking                // holds some of the job's locks, pausing before the next
	Working                 // in the critical section
	Extending               // in the critical section, the service extending the lock
	Releasing               // giving locks back, one at a time
	BackingOff              // the job failed; waiting to retry it
	Finished                // every job done
)

func (p Phase) String() string {
	return [...]string{"idle", "acquiring", "thinking", "working", "extending", "releasing", "backing-off", "finished"}[p]
}

// InCS reports whether the client believes it holds its job's locks.
func (p Phase) InCS() bool { return p == Working || p == Extending }

// afterRelease is what a client does once it has given its locks back.
type afterRelease int

const (
	retryJob afterRelease = iota // the job failed; back off and retry it
	nextJob                      // the job is done
	resume                       // recovery after a restart; start the current job
)

type startTimer struct{}
type thinkTimer struct{}
type leaseTimer struct{}
type workTimer struct{}
type releaseTimer struct{}
type retryTimer struct{}

func (startTimer) String() string   { return "start-job" }
func (thinkTimer) String() string   { return "think" }
func (leaseTimer) String() string   { return "lease-ending" }
func (workTimer) String() string    { return "work-done" }
func (releaseTimer) String() string { return "release" }
func (retryTimer) String() string   { return "retry" }

// step is where the critical section is.
type step int

const (
	working step = iota // the work before the read
	reading
	between // the work between read and write
	writing
)

// Client is a lock client node: it runs its jobs in order — acquire each
// lock of the job through the service, then in the critical section read,
// increment and write back the storage cell each lock protects (with the
// lock's token), leave, release, and move on; a refused or lost job is
// retried after a back-off. Protocol packages give it their Service.
type Client struct {
	opt Options
	svc Service

	reqs  Reqs
	done  int // jobs finished
	store sim.NodeID
	phase Phase
	fails int // failed tries of the current job
	next  int // index of the job's next lock
	held  []Held
	acq   Req  // the acquisition under way
	tries int  // its attempts
	again bool // another attempt is due
	rel   Req  // the release under way
	then  afterRelease

	step  step
	i     int // index in held of the cell being updated
	read  ReadReply
	io    Pending
	lease sim.TimerID
	work  sim.TimerID
}

// NewClient makes a client node running opt.Jobs against svc; pass it as
// the node factory.
func NewClient(svc Service, opt Options) *Client {
	return &Client{svc: svc, opt: opt, io: Pending{Every: opt.ResendInterval}}
}

// Phase is where the client is.
func (c *Client) Phase() Phase { return c.phase }

// NewReq numbers a new request of this incarnation.
func (c *Client) NewReq() Req { return c.reqs.Next() }

// Inc is the incarnation requests are numbered in.
func (c *Client) Inc() int { return c.reqs.Inc() }

// Start resumes at the first unfinished job. With KeepHeld, the locks the
// previous incarnation may still hold are released first; a release is
// safe whatever happened since, because it names the grant's token.
func (c *Client) Start(env *sim.Env) {
	c.reqs.Reset(env)
	c.done, _ = sim.Load[int](env, JobsDoneKey)
	c.store, _ = env.Lookup(NodeName)
	c.svc.Start(env, c)
	if c.opt.KeepHeld {
		for _, k := range env.Keys(HeldKey) {
			token, _ := sim.Load[int64](env, k)
			c.held = append(c.held, Held{Lock: strings.TrimPrefix(k, HeldKey), Token: token})
		}
		if len(c.held) > 0 {
			c.then = resume
			c.releaseAll(env)
			return
		}
	}
	c.schedule(env)
}

func (c *Client) job() workload.LockJob { return c.opt.Jobs[c.done] }

func (c *Client) locks() []string {
	if c.opt.FirstLockOnly {
		return c.job().Locks[:1]
	}
	return c.job().Locks
}

func (c *Client) schedule(env *sim.Env) {
	if c.done >= len(c.opt.Jobs) {
		c.phase = Finished
		return
	}
	c.phase = Idle
	env.SetTimer(c.job().At-env.Now(), startTimer{})
}

func (c *Client) startJob(env *sim.Env) {
	env.Observe(obs.JobStart{Job: c.job().ID, Locks: c.locks()})
	c.next, c.held = 0, nil
	c.acquireNext(env)
}

func (c *Client) acquireNext(env *sim.Env) {
	locks := c.locks()
	if c.next == len(locks) {
		c.enterCS(env)
		return
	}
	c.phase = Acquiring
	c.acq, c.tries, c.again = c.NewReq(), 1, false
	env.Observe(obs.LockRequest{Lock: locks[c.next], Req: c.acq.String()})
	c.svc.Acquire(env, c, locks[c.next], c.acq)
}

// Attempt is the number of the acquisition's current attempt, from 1.
func (c *Client) Attempt() int { return c.tries }

// Retry: the service found the lock taken. After RetryDelay the client
// makes another attempt (Acquire again, with the same request); after
// MaxTries attempts it gives the job up as refused.
func (c *Client) Retry(env *sim.Env) {
	if c.opt.MaxTries > 0 && c.tries >= c.opt.MaxTries {
		c.Refused(env, obs.DenyBusy, false)
		return
	}
	c.again = true
	env.SetTimer(c.opt.RetryDelay(env.Rand(), c.tries), retryTimer{})
}

// Granted: the service gave the lock being acquired, with its token (0 if
// none), to be trusted until deadline on the client's clock (expires
// false: no deadline).
func (c *Client) Granted(env *sim.Env, token int64, deadline time.Duration, expires bool) {
	lock := c.locks()[c.next]
	env.Observe(obs.LockGranted{Lock: lock, Req: c.acq.String(), Token: token})
	if c.opt.KeepHeld {
		env.Put(HeldKey+lock, token)
		env.Sync()
	}
	c.held = append(c.held, Held{Lock: lock, Token: token, Deadline: deadline, Expires: expires})
	c.next++
	if c.next < len(c.locks()) && c.opt.Think > 0 {
		c.phase = Thinking
		env.SetTimer(c.opt.Think, thinkTimer{})
		return
	}
	c.acquireNext(env)
}

// Refused: the service refused the lock being acquired for reason. With
// release, the service did take it (too late to trust it, say) and the
// client gives it back with the others before retrying the job.
func (c *Client) Refused(env *sim.Env, reason obs.DenyReason, release bool) {
	lock := c.locks()[c.next]
	env.Observe(obs.LockDenied{Lock: lock, Req: c.acq.String(), Reason: reason})
	if release {
		c.held = append(c.held, Held{Lock: lock})
	}
	c.then = retryJob
	c.releaseAll(env)
}

// Lost: the service lost every lock of the client (a session expired):
// an acquisition under way is refused for reason, a critical section ends
// for why. Whatever the client was doing under the locks is over; the job
// is retried unless its work was done.
func (c *Client) Lost(env *sim.Env, reason obs.DenyReason, why obs.LeaveWhy) {
	switch c.phase {
	case Acquiring, Thinking:
		c.Refused(env, reason, false)
	case Working, Extending:
		c.leaveCS(env, why)
		// The loss released the locks: say so, so that a later crash of
		// this client is not taken for a crash while holding them.
		for _, h := range c.held {
			c.rel = c.NewReq()
			env.Observe(obs.LockRelease{Lock: h.Lock, Req: c.rel.String(), Token: h.Token})
			env.Observe(obs.LockReleased{Lock: h.Lock, Req: c.rel.String(), Token: h.Token})
		}
		c.held = nil
		c.afterRelease(env)
	case Releasing:
		for len(c.held) > 0 {
			c.dropFirst(env, false)
		}
		c.afterRelease(env)
	}
}

// enterCS starts the critical section if every lock is still to be
// trusted; one whose deadline passed while the client waited for its
// other locks means starting over.
func (c *Client) enterCS(env *sim.Env) {
	end, expires := c.deadline()
	now := env.Now()
	if expires && now >= end {
		c.then = retryJob
		c.releaseAll(env)
		return
	}
	c.phase = Working
	for _, h := range c.held {
		env.Observe(obs.EnterCS{Lock: h.Lock, Token: h.Token})
	}
	if expires {
		c.lease = env.SetTimer(end-now, leaseTimer{})
	}
	c.step = working
	if c.opt.WorkBefore > 0 {
		c.work = env.SetTimer(c.opt.WorkBefore, workTimer{})
		return
	}
	c.afterWork(env)
}

func (c *Client) deadline() (end time.Duration, expires bool) {
	for _, h := range c.held {
		if h.Expires && (!expires || h.Deadline < end) {
			end, expires = h.Deadline, true
		}
	}
	return end, expires
}

func (c *Client) afterWork(env *sim.Env) {
	if x, ok := c.svc.(Extender); ok {
		c.phase = Extending
		if x.Extend(env, c, c.held[0]) {
			return
		}
		c.phase = Working
	}
	c.update(env)
}

// Extended: the service extended the lock to be trusted until deadline
// (0: the old deadline holds — the client does not know whether it was
// extended). The critical section goes on to the read-modify-write.
func (c *Client) Extended(env *sim.Env, deadline time.Duration) {
	if c.phase != Extending {
		return
	}
	c.phase = Working
	if deadline > 0 {
		for i := range c.held {
			c.held[i].Deadline = deadline
		}
		env.CancelTimer(c.lease)
		c.lease = env.SetTimer(deadline-env.Now(), leaseTimer{})
	}
	c.update(env)
}

func (c *Client) update(env *sim.Env) {
	c.i = 0
	c.readNext(env)
}

func (c *Client) readNext(env *sim.Env) {
	if c.i == len(c.held) {
		c.Leave(env, obs.LeaveDone)
		return
	}
	c.step = reading
	h, req := c.held[c.i], c.NewReq()
	c.io.Send(env, c.store, req, Read{Key: h.Lock, Req: req, Token: h.Token})
}

// onRead acts on the read's answer whenever it comes: a client paused
// after sending the read writes as soon as it resumes, before anything
// tells it time has passed.
func (c *Client) onRead(env *sim.Env, r ReadReply) {
	if !r.OK {
		c.Leave(env, obs.LeaveFenced)
		return
	}
	c.read = r
	if c.opt.WorkBetween > 0 {
		c.step = between
		c.work = env.SetTimer(c.opt.WorkBetween, workTimer{})
		return
	}
	c.write(env)
}

func (c *Client) write(env *sim.Env) {
	if g, ok := c.svc.(Guard); ok {
		if why := g.Guard(env, c); why != "" {
			c.Leave(env, why)
			return
		}
	}
	c.step = writing
	h, r, req := c.held[c.i], c.read, c.NewReq()
	c.io.Send(env, c.store, req, Write{Key: h.Lock, Req: req, Token: h.Token, ReadVersion: r.Version, Value: r.Value + 1})
}

func (c *Client) onWritten(env *sim.Env, r WriteReply) {
	if !r.OK {
		c.Leave(env, obs.LeaveFenced)
		return
	}
	c.i++
	c.readNext(env)
}

func (c *Client) leaveCS(env *sim.Env, why obs.LeaveWhy) {
	env.CancelTimer(c.lease)
	env.CancelTimer(c.work)
	c.io.Stop(env)
	for _, h := range c.held {
		env.Observe(obs.LeaveCS{Lock: h.Lock, Token: h.Token, Why: why})
	}
	c.then = retryJob
	if why == obs.LeaveDone {
		c.then = nextJob
	}
}

// Leave ends the critical section for why and releases, unless the lease
// deadline ended it: then the client does not release, because a write of
// its may still be on its way to the storage, and the margin left before
// the lock expires at the service is what keeps the next holder from
// overtaking it.
func (c *Client) Leave(env *sim.Env, why obs.LeaveWhy) {
	if !c.phase.InCS() {
		return
	}
	c.leaveCS(env, why)
	if why == obs.LeaveLeaseEnding {
		c.forgetHeld(env)
		c.backOff(env)
		return
	}
	c.releaseAll(env)
}

func (c *Client) forgetHeld(env *sim.Env) {
	if c.opt.KeepHeld {
		for _, h := range c.held {
			env.Delete(HeldKey + h.Lock)
		}
	}
	c.held = nil
}

func (c *Client) releaseAll(env *sim.Env) {
	if len(c.held) == 0 {
		c.afterRelease(env)
		return
	}
	c.phase = Releasing
	if c.opt.ReleaseLater {
		env.SetTimer(0, releaseTimer{})
		return
	}
	c.releaseNext(env)
}

func (c *Client) releaseNext(env *sim.Env) {
	if len(c.held) == 0 {
		c.afterRelease(env)
		return
	}
	h := c.held[0]
	c.rel = c.NewReq()
	env.Observe(obs.LockRelease{Lock: h.Lock, Req: c.rel.String(), Token: h.Token})
	c.svc.Release(env, c, h, c.rel)
}

// Released: the service answered the release under way; ok false means
// the client no longer held that lock.
func (c *Client) Released(env *sim.Env, ok bool) {
	if c.phase != Releasing || len(c.held) == 0 {
		return
	}
	c.dropFirst(env, ok)
	c.releaseNext(env)
}

func (c *Client) dropFirst(env *sim.Env, ok bool) {
	h := c.held[0]
	env.Observe(obs.LockReleased{Lock: h.Lock, Req: c.rel.String(), Token: h.Token, OK: ok})
	if c.opt.KeepHeld {
		env.Delete(HeldKey + h.Lock)
	}
	c.held = c.held[1:]
}

func (c *Client) afterRelease(env *sim.Env) {
	switch c.then {
	case nextJob:
		env.Observe(obs.JobDone{Job: c.job().ID})
		c.done++
		env.Put(JobsDoneKey, c.done)
		env.Sync()
		c.fails = 0
		c.schedule(env)
	case resume:
		c.schedule(env)
	default:
		c.backOff(env)
	}
}

func (c *Client) backOff(env *sim.Env) {
	c.phase = BackingOff
	c.fails++
	env.SetTimer(c.opt.Backoff(env.Rand(), c.fails), startTimer{})
}

// Receive takes the storage's answers; everything else goes to the
// service.
func (c *Client) Receive(env *sim.Env, from sim.NodeID, m sim.Message) {
	switch m := m.(type) {
	case ReadReply:
		if c.phase.InCS() && c.step == reading && c.io.Answer(env, m.Req) {
			c.onRead(env, m)
		}
	case WriteReply:
		if c.phase.InCS() && c.step == writing && c.io.Answer(env, m.Req) {
			c.onWritten(env, m)
		}
	default:
		c.svc.Receive(env, c, from, m)
	}
}

// Timer handles job starts, thinking, retries, the work, the lease
// deadline, the release and storage resends; other timers are the
// service's.
func (c *Client) Timer(env *sim.Env, tag any) {
	switch tag.(type) {
	case startTimer:
		if c.phase == Idle || c.phase == BackingOff {
			c.startJob(env)
		}
	case thinkTimer:
		if c.phase == Thinking {
			c.acquireNext(env)
		}
	case retryTimer:
		if c.phase == Acquiring && c.again {
			c.again = false
			c.tries++
			c.svc.Acquire(env, c, c.locks()[c.next], c.acq)
		}
	case workTimer:
		switch {
		case c.phase != Working:
		case c.step == working:
			c.afterWork(env)
		case c.step == between:
			c.write(env)
		}
	case leaseTimer:
		c.Leave(env, obs.LeaveLeaseEnding)
	case releaseTimer:
		if c.phase == Releasing {
			c.releaseNext(env)
		}
	default:
		if !c.io.Timer(env, tag) {
			c.svc.Timer(env, c, tag)
		}
	}
}
