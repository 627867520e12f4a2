package redislock

import (
	"time"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/resource"
	"github.com/faultline-sim/faultline/sim"
)

type clientState uint8

const (
	idle       clientState = iota // waiting for the next job's start time
	acquiring                     // a SET NX is outstanding
	retrying                      // the lock was taken; waiting to try again
	working                       // in the critical section
	extending                     // in the critical section, check-and-extend outstanding
	updating                      // in the critical section, read-modify-write on storage
	releasing                     // out of the critical section, giving the lock back
	backingOff                    // the job failed; waiting to retry it
	finished                      // every job done
)

func (s clientState) String() string {
	return [...]string{"idle", "acquiring", "retrying", "working", "extending", "updating", "releasing", "backing-off", "finished"}[s]
}

// inCS reports whether the client believes it holds the lock.
func (s clientState) inCS() bool { return s == working || s == extending || s == updating }

type startTimer struct{}
type retryTimer struct{}
type timeoutTimer struct{ ID string }
type workTimer struct{}
type leaseTimer struct{}
type releaseTimer struct{}

func (startTimer) String() string     { return "start-job" }
func (retryTimer) String() string     { return "retry" }
func (t timeoutTimer) String() string { return "timeout " + t.ID }
func (workTimer) String() string      { return "work-done" }
func (leaseTimer) String() string     { return "lease-ending" }
func (releaseTimer) String() string   { return "release" }

// Client is the seed's RedisDistributedLock: a unique value per
// acquisition, SET NX PX with retries, extend with the check-and-extend
// script, release with the check-and-delete script. It trusts the lock
// until the local time it sent the SET that won plus the TTL minus the
// drift allowance; it checks that deadline when it enters the critical
// section and a timer ends the section at it — a timer that, like
// everything else, fires late when the process is paused.
type Client struct {
	cfg  Config
	jobs resource.Jobs

	servers []sim.NodeID
	at      int // index of the server believed to be master
	calls   Calls
	upd     Update

	state    clientState
	tries    int           // SET attempts of this acquisition
	lock     string        // the current job's lock
	value    string        // this acquisition's unique value
	acq      string        // the acquisition's request id (LockRequest.Req)
	rel      string        // the release's request id (LockRelease.Req)
	deadline time.Duration // local time after which the lock is not trusted
	why      string        // why the critical section ended

	cur      string        // the command awaited, "" if none
	curSent  time.Duration // local time it was sent
	timeout  sim.TimerID
	lease    sim.TimerID
	work     sim.TimerID
	relTries int
}

// Start resumes at the first unfinished job. A lock the previous
// incarnation held is left to expire: its value died with it.
func (c *Client) Start(env *sim.Env) {
	c.jobs.Resume(env)
	for _, n := range c.cfg.Servers() {
		id, _ := env.Lookup(n)
		c.servers = append(c.servers, id)
	}
	c.upd.Storage, _ = env.Lookup(StorageName)
	c.schedule(env)
}

func (c *Client) schedule(env *sim.Env) {
	if c.jobs.Finished() {
		c.state = finished
		return
	}
	c.state = idle
	c.jobs.Arm(env, startTimer{})
}

// startJob begins an acquisition with a fresh value: the value is what
// tells this holding apart from every other, this client's included.
func (c *Client) startJob(env *sim.Env) {
	j := c.jobs.Current()
	env.Observe(obs.JobStart{Job: j.ID, Locks: j.Locks[:1]})
	c.lock = j.Locks[0]
	req := c.jobs.NewReq().String()
	c.acq, c.value, c.tries = req, env.Name()+":"+req, 0
	env.Observe(obs.LockRequest{Lock: c.lock, Req: c.acq})
	c.trySet(env)
}

func (c *Client) trySet(env *sim.Env) {
	c.state = acquiring
	c.tries++
	c.send(env, OpSetNX, c.cfg.TTL)
}

func (c *Client) send(env *sim.Env, op Op, ttl time.Duration) {
	id := c.jobs.NewReq().String()
	c.cur, c.curSent = id, env.Now()
	value := c.value
	if op == OpDel {
		value = ""
	}
	c.calls.Send(env, Service, c.servers[c.at], Command{Op: op, Key: c.lock, Value: value, TTL: ttl, ID: id})
	c.timeout = env.SetTimer(c.cfg.CommandTimeout, timeoutTimer{ID: id})
}

// Receive handles Redis replies and storage replies.
func (c *Client) Receive(env *sim.Env, _ sim.NodeID, m sim.Message) {
	switch m := m.(type) {
	case Reply:
		if !c.calls.Reply(env, m) || m.ID != c.cur {
			return
		}
		c.cur = ""
		env.CancelTimer(c.timeout)
		if m.NotMaster {
			c.failedOver(env)
			return
		}
		c.onReply(env, m.OK)
	case resource.ReadReply, resource.WriteReply:
		if c.state == updating && c.upd.Handle(env, m, c.jobs.NewReq) {
			c.endCS(env, "done")
		}
	}
}

// failedOver: no answer, or a replica answered. The other server may be
// (or become) the master; the command's fate is unknown to the client.
func (c *Client) failedOver(env *sim.Env) {
	c.at = (c.at + 1) % len(c.servers)
	switch c.state {
	case acquiring:
		c.retry(env)
	case extending:
		// Not extended, as far as the client knows; the old deadline holds.
		c.beginUpdate(env)
	case releasing:
		if c.relTries <= len(c.servers) {
			c.sendRelease(env)
			return
		}
		c.released(env, false)
	}
}

func (c *Client) onReply(env *sim.Env, ok bool) {
	switch c.state {
	case acquiring:
		if ok {
			c.onAcquired(env)
		} else {
			c.retry(env)
		}
	case extending:
		if !ok {
			c.endCS(env, "lost")
			return
		}
		c.trustUntil(env, c.curSent+c.cfg.TTL-c.cfg.drift())
		c.beginUpdate(env)
	case releasing:
		c.released(env, ok)
	}
}

// onAcquired checks the validity: the SET was sent at curSent by the
// client's clock, so the key cannot outlive curSent + TTL (less drift).
func (c *Client) onAcquired(env *sim.Env) {
	deadline := c.curSent + c.cfg.TTL - c.cfg.drift()
	if env.Now() >= deadline {
		env.Observe(obs.LockDenied{Lock: c.lock, Req: c.acq, Reason: "validity"})
		c.why = "validity"
		c.state = releasing
		c.relTries = 0
		c.sendRelease(env)
		return
	}
	env.Observe(obs.LockGranted{Lock: c.lock, Req: c.acq})
	env.Observe(obs.EnterCS{Lock: c.lock})
	c.state = working
	c.trustUntil(env, deadline)
	c.work = env.SetTimer(c.cfg.Work, workTimer{})
}

func (c *Client) trustUntil(env *sim.Env, deadline time.Duration) {
	c.deadline = deadline
	env.CancelTimer(c.lease)
	c.lease = env.SetTimer(deadline-env.Now(), leaseTimer{})
}

func (c *Client) retry(env *sim.Env) {
	if c.cfg.MaxRetries > 0 && c.tries >= c.cfg.MaxRetries {
		env.Observe(obs.LockDenied{Lock: c.lock, Req: c.acq, Reason: "busy"})
		c.backOff(env)
		return
	}
	c.state = retrying
	env.SetTimer(resource.Jitter(env.Rand(), c.cfg.RetryDelay), retryTimer{})
}

func (c *Client) backOff(env *sim.Env) {
	c.state = backingOff
	env.SetTimer(resource.Jitter(env.Rand(), 4*c.cfg.RetryDelay), startTimer{})
}

func (c *Client) afterWork(env *sim.Env) {
	if c.cfg.Extend {
		c.state = extending
		c.send(env, OpCheckExtend, c.cfg.TTL)
		return
	}
	c.beginUpdate(env)
}

func (c *Client) beginUpdate(env *sim.Env) {
	c.state = updating
	c.upd.Begin(env, c.lock, c.jobs.NewReq())
}

// endCS leaves the critical section. The release waits for a handler of
// its own, as it would in a program that returns from its work before
// unlocking: a pause can fall between the two. At the validity deadline
// the client does not release: a write of its may still be on its way to
// the storage, and the drift allowance left before the key expires is what
// keeps the next holder from overtaking it.
func (c *Client) endCS(env *sim.Env, why string) {
	env.CancelTimer(c.lease)
	env.CancelTimer(c.work)
	if c.cur != "" {
		env.CancelTimer(c.timeout)
		c.cur = ""
	}
	c.upd.Stop()
	env.Observe(obs.LeaveCS{Lock: c.lock, Why: obs.LeaveWhy(why)})
	c.why = why
	if why == "lease-ending" {
		c.backOff(env)
		return
	}
	c.state = releasing
	c.relTries = 0
	env.SetTimer(0, releaseTimer{})
}

// sendRelease deletes the key only if it still holds this acquisition's
// value (the check-and-delete script); with the plain-del bug, whatever
// it holds.
func (c *Client) sendRelease(env *sim.Env) {
	c.relTries++
	op := OpCheckDel
	if c.cfg.Bugs.PlainDel {
		op = OpDel
	}
	if c.relTries == 1 {
		c.rel = c.jobs.NewReq().String()
		env.Observe(obs.LockRelease{Lock: c.lock, Req: c.rel})
	}
	c.send(env, op, 0)
}

func (c *Client) released(env *sim.Env, ok bool) {
	env.Observe(obs.LockReleased{Lock: c.lock, Req: c.rel, OK: ok})
	switch c.why {
	case "done":
		c.jobs.Complete(env)
		c.schedule(env)
	default:
		c.backOff(env)
	}
}

// Timer handles job starts, retries, command timeouts, the work, the
// lease deadline and the release.
func (c *Client) Timer(env *sim.Env, tag any) {
	switch t := tag.(type) {
	case startTimer:
		if c.state == idle || c.state == backingOff {
			c.startJob(env)
		}
	case retryTimer:
		if c.state == retrying {
			c.trySet(env)
		}
	case timeoutTimer:
		if t.ID == c.cur {
			c.cur = ""
			c.failedOver(env)
		}
	case workTimer:
		if c.state == working {
			c.afterWork(env)
		}
	case leaseTimer:
		if c.state.inCS() {
			c.endCS(env, "lease-ending")
		}
	case releaseTimer:
		if c.state == releasing && c.cur == "" {
			c.sendRelease(env)
		}
	}
}
