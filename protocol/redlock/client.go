package redlock

import (
	"time"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/redislock"
	"github.com/faultline-sim/faultline/protocol/resource"
	"github.com/faultline-sim/faultline/sim"
)

type clientState uint8

const (
	idle       clientState = iota // waiting for the next job's start time
	acquiring                     // SET NX on the instances, one at a time
	retrying                      // the attempt failed; waiting a random delay
	working                       // in the critical section
	updating                      // in the critical section, read-modify-write on storage
	releasing                     // check-and-delete on every instance
	backingOff                    // the acquisition gave up; waiting to retry the job
	finished                      // every job done
)

func (s clientState) String() string {
	return [...]string{"idle", "acquiring", "retrying", "working", "updating", "releasing", "backing-off", "finished"}[s]
}

type startTimer struct{}
type retryTimer struct{}
type timeoutTimer struct{ ID string }
type releaseTimeout struct{ Req string }
type workTimer struct{}
type leaseTimer struct{}
type releaseTimer struct{}

func (startTimer) String() string       { return "start-job" }
func (retryTimer) String() string       { return "retry" }
func (t timeoutTimer) String() string   { return "instance-timeout " + t.ID }
func (t releaseTimeout) String() string { return "release-timeout " + t.Req }
func (workTimer) String() string        { return "work-done" }
func (leaseTimer) String() string       { return "validity-ending" }
func (releaseTimer) String() string     { return "release" }

// Client takes the lock on a majority of the instances.
type Client struct {
	cfg  Config
	jobs resource.Jobs

	instances []sim.NodeID
	calls     redislock.Calls
	upd       redislock.Update

	state    clientState
	tries    int
	lock     string
	value    string
	acq, rel string
	why      string

	start   time.Duration // local time the attempt began
	next    int           // index of the instance being asked
	got     int           // instances that said yes
	cur     string        // the SET awaited
	timeout sim.TimerID
	lease   sim.TimerID
	work    sim.TimerID

	releasing map[string]bool // check-and-delete calls awaited
	deleted   int
}

// Start resumes at the first unfinished job.
func (c *Client) Start(env *sim.Env) {
	c.jobs.Resume(env)
	for _, n := range c.cfg.Names() {
		id, _ := env.Lookup(n)
		c.instances = append(c.instances, id)
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

func (c *Client) startJob(env *sim.Env) {
	j := c.jobs.Current()
	env.Observe(obs.JobStart{Job: j.ID, Locks: j.Locks[:1]})
	c.lock = j.Locks[0]
	c.acq, c.tries = c.jobs.NewReq().String(), 0
	env.Observe(obs.LockRequest{Lock: c.lock, Req: c.acq})
	c.attempt(env)
}

// attempt is steps 1 and 2 of the algorithm: note the time, then ask the
// instances in turn. Each attempt has a value of its own: the unlock sent
// after a failed attempt is not waited for, and the network may deliver
// it after this attempt's SET, where a shared value would let it delete
// the new key.
func (c *Client) attempt(env *sim.Env) {
	c.state = acquiring
	c.tries++
	c.value = env.Name() + ":" + c.jobs.NewReq().String()
	c.start, c.next, c.got = env.Now(), 0, 0
	c.askNext(env)
}

func (c *Client) call(env *sim.Env, i int, op redislock.Op, ttl time.Duration) string {
	id := c.jobs.NewReq().String()
	c.calls.Send(env, c.cfg.Names()[i], c.instances[i], redislock.Command{Op: op, Key: c.lock, Value: c.value, TTL: ttl, ID: id})
	return id
}

func (c *Client) askNext(env *sim.Env) {
	if c.next == len(c.instances) {
		c.decide(env)
		return
	}
	c.cur = c.call(env, c.next, redislock.OpSetNX, c.cfg.TTL)
	c.timeout = env.SetTimer(c.cfg.InstanceTimeout, timeoutTimer{ID: c.cur})
}

// answered moves on to the next instance: yes counts, no and silence do
// not.
func (c *Client) answered(env *sim.Env, yes bool) {
	env.CancelTimer(c.timeout)
	c.cur = ""
	if yes {
		c.got++
	}
	c.next++
	c.askNext(env)
}

// decide is steps 3 and 4: a majority, and time left once the time spent
// acquiring and the drift allowance are taken off the TTL.
func (c *Client) decide(env *sim.Env) {
	now := env.Now()
	validity := c.cfg.TTL - (now - c.start) - c.cfg.Drift()
	if c.cfg.Bugs.NoElapsedCheck {
		validity = c.cfg.TTL - c.cfg.Drift()
	}
	if c.got < c.cfg.Quorum() || validity <= 0 {
		// Step 5: unlock every instance, even those that seemed to say no
		// (the yes may have been lost), without waiting for answers.
		for i := range c.instances {
			c.call(env, i, redislock.OpCheckDel, 0)
		}
		if c.cfg.MaxRetries > 0 && c.tries >= c.cfg.MaxRetries {
			env.Observe(obs.LockDenied{Lock: c.lock, Req: c.acq, Reason: "busy"})
			c.state = backingOff
			env.SetTimer(c.cfg.RetryDelay+time.Duration(env.Rand().Int64N(int64(3*c.cfg.RetryDelay)+1)), startTimer{})
			return
		}
		c.state = retrying
		env.SetTimer(time.Duration(env.Rand().Int64N(int64(c.cfg.RetryDelay)+1)), retryTimer{})
		return
	}
	env.Observe(obs.LockGranted{Lock: c.lock, Req: c.acq})
	env.Observe(obs.EnterCS{Lock: c.lock})
	c.state = working
	c.lease = env.SetTimer(validity, leaseTimer{})
	c.work = env.SetTimer(c.cfg.Work, workTimer{})
}

// Receive handles instance replies and storage replies.
func (c *Client) Receive(env *sim.Env, _ sim.NodeID, m sim.Message) {
	switch m := m.(type) {
	case redislock.Reply:
		if !c.calls.Reply(env, m) {
			return
		}
		switch {
		case c.state == acquiring && m.ID == c.cur:
			c.answered(env, m.OK)
		case c.state == releasing && c.releasing[m.ID]:
			delete(c.releasing, m.ID)
			if m.OK {
				c.deleted++
			}
			if len(c.releasing) == 0 {
				c.released(env)
			}
		}
	case resource.ReadReply, resource.WriteReply:
		if c.state == updating && c.upd.Handle(env, m, c.jobs.NewReq) {
			c.endCS(env, "done")
		}
	}
}

// endCS leaves the critical section. At the validity deadline the client
// does not unlock: a write of its may still be on its way to the storage,
// and the drift allowance left before the keys expire is what keeps the
// next holder from overtaking it. After the work, it unlocks from a
// handler of its own, as a program returns from its work before unlocking.
func (c *Client) endCS(env *sim.Env, why string) {
	env.CancelTimer(c.lease)
	env.CancelTimer(c.work)
	c.upd.Stop()
	env.Observe(obs.LeaveCS{Lock: c.lock, Why: obs.LeaveWhy(why)})
	c.why = why
	if why == "lease-ending" {
		c.state = backingOff
		env.SetTimer(time.Duration(env.Rand().Int64N(int64(c.cfg.RetryDelay)+1)), startTimer{})
		return
	}
	c.state = releasing
	c.releasing = nil
	env.SetTimer(0, releaseTimer{})
}

// release sends check-and-delete to every instance at once and waits for
// the answers, or for one instance timeout.
func (c *Client) release(env *sim.Env) {
	c.rel = c.jobs.NewReq().String()
	env.Observe(obs.LockRelease{Lock: c.lock, Req: c.rel})
	c.releasing, c.deleted = map[string]bool{}, 0
	for i := range c.instances {
		c.releasing[c.call(env, i, redislock.OpCheckDel, 0)] = true
	}
	env.SetTimer(c.cfg.InstanceTimeout, releaseTimeout{Req: c.rel})
}

// released: the lock is gone if a majority deleted it (the rest expire).
func (c *Client) released(env *sim.Env) {
	c.releasing = nil
	env.Observe(obs.LockReleased{Lock: c.lock, Req: c.rel, OK: c.deleted >= c.cfg.Quorum()})
	if c.why == "done" {
		c.jobs.Complete(env)
		c.schedule(env)
		return
	}
	c.state = backingOff
	env.SetTimer(time.Duration(env.Rand().Int64N(int64(c.cfg.RetryDelay)+1)), startTimer{})
}

// Timer handles job starts, retries, instance timeouts, the work, the
// validity deadline and the release.
func (c *Client) Timer(env *sim.Env, tag any) {
	switch t := tag.(type) {
	case startTimer:
		if c.state == idle || c.state == backingOff {
			c.startJob(env)
		}
	case retryTimer:
		if c.state == retrying {
			c.attempt(env)
		}
	case timeoutTimer:
		if c.state == acquiring && t.ID == c.cur {
			c.answered(env, false)
		}
	case workTimer:
		if c.state == working {
			c.state = updating
			c.upd.Begin(env, c.lock, c.jobs.NewReq())
		}
	case leaseTimer:
		if c.state == working || c.state == updating {
			c.endCS(env, "lease-ending")
		}
	case releaseTimer:
		if c.state == releasing && c.releasing == nil {
			c.release(env)
		}
	case releaseTimeout:
		if c.state == releasing && t.Req == c.rel && c.releasing != nil {
			c.released(env)
		}
	}
}
