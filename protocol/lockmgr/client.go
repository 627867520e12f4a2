package lockmgr

import (
	"strings"
	"time"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/resource"
	"github.com/faultline-sim/faultline/sim"
)

// Durable keys of a client.
const (
	heldKey = "held/" // int64 token of a lock the client may hold
)

type clientState int

const (
	idle       clientState = iota // waiting for the next job's start time
	acquiring                     // a request for the job's next lock is outstanding
	thinking                      // holds some of the job's locks, pausing before the next
	working                       // in the critical section: read-modify-write on storage
	releasing                     // giving locks back, one at a time
	backingOff                    // refused or out of lease: waiting to retry the job
	finished                      // every job done
)

func (s clientState) String() string {
	return [...]string{"idle", "acquiring", "thinking", "working", "releasing", "backing-off", "finished"}[s]
}

// afterRelease is what a client does once it has given its locks back.
type afterRelease int

const (
	nextJob  afterRelease = iota // the job is done
	retryJob                     // the job failed; back off and retry it
	resume                       // recovery after a restart; start the current job
)

type heldLock struct {
	lock     string
	token    int64
	deadline time.Duration // local time after which the client no longer trusts the lease
}

type startTimer struct{}
type resendTimer struct{ Req resource.Req }
type thinkTimer struct{}
type leaseTimer struct{}

func (startTimer) String() string    { return "start-job" }
func (t resendTimer) String() string { return "resend " + t.Req.String() }
func (thinkTimer) String() string    { return "think" }
func (leaseTimer) String() string    { return "lease-ending" }

// Client runs its jobs one after another.
type Client struct {
	cfg  Config
	jobs resource.Jobs

	mgr, store sim.NodeID
	state      clientState
	tries      int // failed tries of the current job
	next       int // index of the job's next lock to acquire
	held       []heldLock
	then       afterRelease

	op      resource.Req // the outstanding request
	pending sim.Message  // what to resend while op is unanswered
	to      sim.NodeID
	sends   []time.Duration // local send time of each attempt of an acquire
	resend  sim.TimerID

	step     int // index in held of the cell being updated
	reading  bool
	leaseEnd sim.TimerID
}

// Start resumes at the first unfinished job. Locks the previous
// incarnation may still hold are released first: they are recorded
// durably at each grant for this reason. A release is safe whatever
// happened since, because it names the grant's token.
func (c *Client) Start(env *sim.Env) {
	c.jobs.Resume(env)
	c.mgr, _ = env.Lookup(ManagerName)
	c.store, _ = env.Lookup(StorageName)
	for _, k := range env.Keys(heldKey) {
		v, _ := env.Get(k)
		c.held = append(c.held, heldLock{lock: strings.TrimPrefix(k, heldKey), token: v.(int64)})
	}
	if len(c.held) > 0 {
		c.releaseAll(env, resume)
		return
	}
	c.schedule(env)
}

// send sends a request and keeps resending it until answered.
func (c *Client) send(env *sim.Env, to sim.NodeID, m sim.Message) {
	c.to, c.pending = to, m
	env.Send(to, m)
	c.resend = env.SetTimer(c.cfg.ResendInterval, resendTimer{c.op})
}

func (c *Client) answered(env *sim.Env) {
	env.CancelTimer(c.resend)
	c.pending = nil
}

func (c *Client) schedule(env *sim.Env) {
	if c.jobs.Finished() {
		c.state = finished
		return
	}
	c.state = idle
	c.jobs.Arm(env, startTimer{})
}

func (c *Client) startJob(env *sim.Env) {
	j := c.jobs.Current()
	env.Observe(obs.JobStart{Job: j.ID, Locks: j.Locks})
	c.next, c.held = 0, nil
	c.acquireNext(env)
}

func (c *Client) acquireNext(env *sim.Env) {
	locks := c.jobs.Current().Locks
	if c.next == len(locks) {
		c.enterCS(env)
		return
	}
	c.state = acquiring
	c.op = c.jobs.NewReq()
	c.sends = c.sends[:0]
	env.Observe(obs.LockRequest{Lock: locks[c.next], Req: c.op.String()})
	c.sendAcquire(env)
}

func (c *Client) sendAcquire(env *sim.Env) {
	c.sends = append(c.sends, env.Now())
	c.send(env, c.mgr, Acquire{Lock: c.jobs.Current().Locks[c.next], Req: c.op, Attempt: len(c.sends)})
}

// Receive dispatches on the message type; answers to anything but the
// outstanding request are stale duplicates and are dropped.
func (c *Client) Receive(env *sim.Env, _ sim.NodeID, m sim.Message) {
	switch m := m.(type) {
	case Grant:
		if c.state == acquiring && m.Req == c.op {
			c.onGrant(env, m)
		}
	case Deny:
		if c.state == acquiring && m.Req == c.op {
			c.answered(env)
			env.Observe(obs.LockDenied{Lock: m.Lock, Req: m.Req.String(), Reason: obs.DenyReason(m.Reason)})
			c.releaseAll(env, retryJob)
		}
	case ReleaseReply:
		if c.state == releasing && m.Req == c.op {
			c.onReleased(env, m)
		}
	case resource.ReadReply:
		if c.state == working && c.reading && m.Req == c.op {
			c.onRead(env, m)
		}
	case resource.WriteReply:
		if c.state == working && !c.reading && m.Req == c.op {
			c.onWritten(env, m)
		}
	}
}

// onGrant dates the lease from the send the manager answered: the grant
// came after it, so the lease cannot have started earlier, whatever the
// network delay.
func (c *Client) onGrant(env *sim.Env, g Grant) {
	c.answered(env)
	sent := c.sends[len(c.sends)-1]
	if g.Attempt >= 1 && g.Attempt <= len(c.sends) {
		sent = c.sends[g.Attempt-1]
	}
	env.Observe(obs.LockGranted{Lock: g.Lock, Req: g.Req.String(), Token: g.Token})
	env.Put(heldKey+g.Lock, g.Token)
	c.held = append(c.held, heldLock{lock: g.Lock, token: g.Token, deadline: sent + g.TTL - c.cfg.Margin})
	c.next++
	if c.next < len(c.jobs.Current().Locks) && c.cfg.Think > 0 {
		c.state = thinking
		env.SetTimer(c.cfg.Think, thinkTimer{})
		return
	}
	c.acquireNext(env)
}

// enterCS starts the critical section if every lease is still good; a
// lease that ran out while the client waited for its other locks means
// starting over.
func (c *Client) enterCS(env *sim.Env) {
	now := env.Now()
	end := c.held[0].deadline
	for _, h := range c.held {
		end = min(end, h.deadline)
	}
	if now >= end {
		c.releaseAll(env, retryJob)
		return
	}
	c.state = working
	for _, h := range c.held {
		env.Observe(obs.EnterCS{Lock: h.lock, Token: h.token})
	}
	c.leaseEnd = env.SetTimer(end-now, leaseTimer{})
	c.step = 0
	c.readNext(env)
}

func (c *Client) readNext(env *sim.Env) {
	if c.step == len(c.held) {
		c.leaveCS(env, "done")
		c.releaseAll(env, nextJob)
		return
	}
	c.reading = true
	c.op = c.jobs.NewReq()
	c.send(env, c.store, resource.Read{Key: c.held[c.step].lock, Req: c.op, Token: c.held[c.step].token})
}

func (c *Client) onRead(env *sim.Env, r resource.ReadReply) {
	c.answered(env)
	if !r.OK {
		c.fencedOut(env)
		return
	}
	c.reading = false
	c.op = c.jobs.NewReq()
	h := c.held[c.step]
	c.send(env, c.store, resource.Write{Key: h.lock, Req: c.op, Token: h.token, ReadVersion: r.Version, Value: r.Value + 1})
}

func (c *Client) onWritten(env *sim.Env, r resource.WriteReply) {
	c.answered(env)
	if !r.OK {
		c.fencedOut(env)
		return
	}
	c.step++
	c.readNext(env)
}

// fencedOut: the storage refused this client's token, so a later holder
// exists and this client's lease is gone.
func (c *Client) fencedOut(env *sim.Env) {
	c.leaveCS(env, "fenced")
	c.releaseAll(env, retryJob)
}

func (c *Client) leaveCS(env *sim.Env, why string) {
	env.CancelTimer(c.leaseEnd)
	for _, h := range c.held {
		env.Observe(obs.LeaveCS{Lock: h.lock, Token: h.token, Why: obs.LeaveWhy(why)})
	}
}

// onLeaseEnding stops the critical section at the lease deadline. It does
// not release: a write of this client may still be on its way to the
// storage, and the lease's remaining margin is what keeps the next holder
// from overtaking it.
func (c *Client) onLeaseEnding(env *sim.Env) {
	c.answered(env)
	c.leaveCS(env, "lease-ending")
	for _, h := range c.held {
		env.Delete(heldKey + h.lock)
	}
	c.held = nil
	c.backOff(env)
}

func (c *Client) releaseAll(env *sim.Env, then afterRelease) {
	c.then = then
	c.state = releasing
	c.releaseNext(env)
}

func (c *Client) releaseNext(env *sim.Env) {
	if len(c.held) == 0 {
		c.afterReleasing(env)
		return
	}
	h := c.held[0]
	c.op = c.jobs.NewReq()
	env.Observe(obs.LockRelease{Lock: h.lock, Req: c.op.String(), Token: h.token})
	c.send(env, c.mgr, Release{Lock: h.lock, Req: c.op, Token: h.token})
}

func (c *Client) onReleased(env *sim.Env, r ReleaseReply) {
	c.answered(env)
	h := c.held[0]
	env.Observe(obs.LockReleased{Lock: h.lock, Req: r.Req.String(), Token: h.token, OK: r.OK})
	env.Delete(heldKey + h.lock)
	c.held = c.held[1:]
	c.releaseNext(env)
}

func (c *Client) afterReleasing(env *sim.Env) {
	switch c.then {
	case nextJob:
		c.jobs.Complete(env)
		c.tries = 0
		c.schedule(env)
	case retryJob:
		c.backOff(env)
	case resume:
		c.schedule(env)
	}
}

// backOff waits a random time that doubles with each failed try, so two
// clients that refused each other do not collide again in lockstep.
func (c *Client) backOff(env *sim.Env) {
	c.state = backingOff
	c.tries++
	env.SetTimer(resource.Backoff(env.Rand(), c.cfg.BackoffBase, c.cfg.BackoffMax, c.tries), startTimer{})
}

// Timer handles job starts, resends, thinking and the lease deadline.
func (c *Client) Timer(env *sim.Env, tag any) {
	switch t := tag.(type) {
	case startTimer:
		if c.state == idle || c.state == backingOff {
			c.startJob(env)
		}
	case thinkTimer:
		if c.state == thinking {
			c.acquireNext(env)
		}
	case leaseTimer:
		if c.state == working {
			c.onLeaseEnding(env)
		}
	case resendTimer:
		if t.Req != c.op || c.pending == nil {
			return
		}
		if c.state == acquiring {
			c.sendAcquire(env)
			return
		}
		c.send(env, c.to, c.pending)
	}
}
