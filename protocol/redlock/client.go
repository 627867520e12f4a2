package redlock

import (
	"time"

	"github.com/faultline-sim/faultline/protocol/lockkit"
	"github.com/faultline-sim/faultline/protocol/redislock"
	"github.com/faultline-sim/faultline/sim"
)

type timeoutTimer struct{ ID string }
type releaseTimeout struct{ Req lockkit.Req }

func (t timeoutTimer) String() string   { return "instance-timeout " + t.ID }
func (t releaseTimeout) String() string { return "release-timeout " + t.Req.String() }

// Client takes the lock on a majority of the instances (lockkit.Client
// runs the jobs and the critical section around it).
type Client struct {
	cfg Config

	instances []sim.NodeID
	calls     redislock.Calls

	lock  string
	value string

	start   time.Duration // local time the attempt began
	next    int           // index of the instance being asked
	got     int           // instances that said yes
	cur     string        // the SET awaited
	timeout sim.TimerID

	rel       lockkit.Req
	releasing map[string]bool // check-and-delete calls awaited
	deleted   int
}

// Start finds the instances.
func (c *Client) Start(env *sim.Env, k *lockkit.Client) {
	for _, n := range c.cfg.Names() {
		id, _ := env.Lookup(n)
		c.instances = append(c.instances, id)
	}
}

// Acquire makes one attempt: steps 1 and 2 of the algorithm, note the
// time, then ask the instances in turn. Each attempt has a value of its
// own: the unlock sent after a failed attempt is not waited for, and the
// network may deliver it after this attempt's SET, where a shared value
// would let it delete the new key.
func (c *Client) Acquire(env *sim.Env, k *lockkit.Client, lock string, req lockkit.Req) {
	c.lock = lock
	c.value = env.Name() + ":" + k.NewReq().String()
	c.start, c.next, c.got = env.Now(), 0, 0
	c.askNext(env, k)
}

func (c *Client) call(env *sim.Env, k *lockkit.Client, i int, op redislock.Op, ttl time.Duration) string {
	id := k.NewReq().String()
	c.calls.Send(env, c.cfg.Names()[i], c.instances[i], redislock.Command{Op: op, Key: c.lock, Value: c.value, TTL: ttl, ID: id})
	return id
}

func (c *Client) askNext(env *sim.Env, k *lockkit.Client) {
	if c.next == len(c.instances) {
		c.decide(env, k)
		return
	}
	c.cur = c.call(env, k, c.next, redislock.OpSetNX, c.cfg.TTL)
	c.timeout = env.SetTimer(c.cfg.InstanceTimeout, timeoutTimer{ID: c.cur})
}

// answered moves on to the next instance: yes counts, no and silence do
// not.
func (c *Client) answered(env *sim.Env, k *lockkit.Client, yes bool) {
	env.CancelTimer(c.timeout)
	c.cur = ""
	if yes {
		c.got++
	}
	c.next++
	c.askNext(env, k)
}

// decide is steps 3 and 4: a majority, and time left once the time spent
// acquiring and the drift allowance are taken off the TTL. The client then
// trusts the lock for that validity, on its own clock.
func (c *Client) decide(env *sim.Env, k *lockkit.Client) {
	now := env.Now()
	validity := c.cfg.TTL - (now - c.start) - c.cfg.Drift()
	if c.cfg.Bugs.On(BugNoElapsedCheck) {
		validity = c.cfg.TTL - c.cfg.Drift()
	}
	quorum := c.cfg.Quorum()
	if c.cfg.Bugs.On(BugMinorityQuorum) {
		quorum = c.cfg.Instances / 2
	}
	if c.got >= quorum && validity > 0 {
		k.Granted(env, 0, now+validity, true)
		return
	}
	// Step 5: unlock every instance, even those that seemed to say no (the
	// yes may have been lost), without waiting for answers, and retry
	// after a random delay.
	for i := range c.instances {
		c.call(env, k, i, redislock.OpCheckDel, 0)
	}
	k.Retry(env)
}

// Release sends check-and-delete to every instance at once and waits for
// the answers, or for one instance timeout.
func (c *Client) Release(env *sim.Env, k *lockkit.Client, h lockkit.Held, req lockkit.Req) {
	c.rel, c.releasing, c.deleted = req, map[string]bool{}, 0
	for i := range c.instances {
		c.releasing[c.call(env, k, i, redislock.OpCheckDel, 0)] = true
	}
	env.SetTimer(c.cfg.InstanceTimeout, releaseTimeout{Req: req})
}

// released: the lock is gone if a majority deleted it (the rest expire).
func (c *Client) released(env *sim.Env, k *lockkit.Client) {
	c.releasing = nil
	k.Released(env, c.deleted >= c.cfg.Quorum())
}

// Receive handles the instances' replies.
func (c *Client) Receive(env *sim.Env, k *lockkit.Client, _ sim.NodeID, m sim.Message) {
	r, ok := m.(redislock.Reply)
	if !ok || !c.calls.Reply(env, r) {
		return
	}
	switch {
	case k.Phase() == lockkit.Acquiring && r.ID == c.cur:
		c.answered(env, k, r.OK)
	case k.Phase() == lockkit.Releasing && c.releasing[r.ID]:
		delete(c.releasing, r.ID)
		if r.OK {
			c.deleted++
		}
		if len(c.releasing) == 0 {
			c.released(env, k)
		}
	}
}

// Timer handles instance timeouts and the release's timeout.
func (c *Client) Timer(env *sim.Env, k *lockkit.Client, tag any) {
	switch t := tag.(type) {
	case timeoutTimer:
		if k.Phase() == lockkit.Acquiring && t.ID == c.cur {
			c.answered(env, k, false)
		}
	case releaseTimeout:
		if k.Phase() == lockkit.Releasing && t.Req == c.rel && c.releasing != nil {
			c.released(env, k)
		}
	}
}
