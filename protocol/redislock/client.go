package redislock

import (
	"time"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/lockkit"
	"github.com/faultline-sim/faultline/sim"
)

type timeoutTimer struct{ ID string }

func (t timeoutTimer) String() string { return "timeout " + t.ID }

// Client is the seed's RedisDistributedLock (lockkit.Client runs the jobs
// and the critical section around it): a unique value per acquisition,
// SET NX PX with retries, extend with the check-and-extend script, release
// with the check-and-delete script. It trusts the lock until the local
// time it sent the SET that won plus the TTL minus the drift allowance; it
// checks that deadline when the SET is answered, and a timer ends the
// critical section at it — a timer that, like everything else, fires late
// when the process is paused.
type Client struct {
	cfg Config

	servers []sim.NodeID
	at      int // index of the server believed to be master
	calls   Calls

	lock     string
	value    string // this acquisition's unique value
	relTries int

	cur     string        // the command awaited, "" if none
	curFor  lockkit.Phase // what the client was doing when it sent it
	curSent time.Duration // local time it was sent
	timeout sim.TimerID
}

// Start finds the servers, master first. A lock the previous incarnation
// held is left to expire: its value died with it.
func (c *Client) Start(env *sim.Env, k *lockkit.Client) {
	for _, n := range c.cfg.Servers() {
		id, _ := env.Lookup(n)
		c.servers = append(c.servers, id)
	}
}

// Acquire sends SET NX PX with a value unique to the acquisition: the
// value is what tells this holding apart from every other, this client's
// included.
func (c *Client) Acquire(env *sim.Env, k *lockkit.Client, lock string, req lockkit.Req) {
	c.lock, c.value = lock, env.Name()+":"+req.String()
	c.send(env, k, OpSetNX, c.cfg.TTL)
}

func (c *Client) send(env *sim.Env, k *lockkit.Client, op Op, ttl time.Duration) {
	id := k.NewReq().String()
	c.cur, c.curFor, c.curSent = id, k.Phase(), env.Now()
	value := c.value
	if op == OpDel {
		value = ""
	}
	c.calls.Send(env, Service, c.servers[c.at], Command{Op: op, Key: c.lock, Value: value, TTL: ttl, ID: id})
	c.timeout = env.SetTimer(c.cfg.CommandTimeout, timeoutTimer{ID: id})
}

// awaited reports whether id is the command the client still waits for:
// one sent for something the client has since stopped doing (the lease
// ran out while extending) is not.
func (c *Client) awaited(env *sim.Env, k *lockkit.Client, id string) bool {
	if id != c.cur || c.cur == "" {
		return false
	}
	c.cur = ""
	env.CancelTimer(c.timeout)
	return k.Phase() == c.curFor
}

// Receive handles the servers' replies.
func (c *Client) Receive(env *sim.Env, k *lockkit.Client, _ sim.NodeID, m sim.Message) {
	r, ok := m.(Reply)
	if !ok || !c.calls.Reply(env, r) || !c.awaited(env, k, r.ID) {
		return
	}
	if r.NotMaster {
		c.failedOver(env, k)
		return
	}
	switch k.Phase() {
	case lockkit.Acquiring:
		if r.OK {
			c.onAcquired(env, k)
		} else {
			k.Retry(env)
		}
	case lockkit.Extending:
		if !r.OK {
			k.Leave(env, obs.LeaveLost)
			return
		}
		k.Extended(env, c.curSent+c.cfg.TTL-c.cfg.drift())
	case lockkit.Releasing:
		k.Released(env, r.OK)
	}
}

// failedOver: no answer, or a replica answered. The other server may be
// (or become) the master; the command's fate is unknown to the client.
func (c *Client) failedOver(env *sim.Env, k *lockkit.Client) {
	c.at = (c.at + 1) % len(c.servers)
	switch k.Phase() {
	case lockkit.Acquiring:
		k.Retry(env)
	case lockkit.Extending:
		k.Extended(env, 0) // not extended, as far as the client knows
	case lockkit.Releasing:
		if c.relTries <= len(c.servers) {
			c.sendRelease(env, k)
			return
		}
		k.Released(env, false)
	}
}

// onAcquired checks the validity: the SET was sent at curSent by the
// client's clock, so the key cannot outlive curSent + TTL (less drift).
// Too late, the client gives the key back and tries the job again.
func (c *Client) onAcquired(env *sim.Env, k *lockkit.Client) {
	deadline := c.curSent + c.cfg.TTL - c.cfg.drift()
	if env.Now() >= deadline {
		k.Refused(env, obs.DenyValidity, true)
		return
	}
	k.Granted(env, 0, deadline, true)
}

// Extend runs the check-and-extend script, if the client extends.
func (c *Client) Extend(env *sim.Env, k *lockkit.Client, h lockkit.Held) bool {
	if c.cfg.Extend {
		c.send(env, k, OpCheckExtend, c.cfg.TTL)
	}
	return c.cfg.Extend
}

// Release deletes the key.
func (c *Client) Release(env *sim.Env, k *lockkit.Client, h lockkit.Held, req lockkit.Req) {
	c.relTries = 0
	c.sendRelease(env, k)
}

// sendRelease deletes the key only if it still holds this acquisition's
// value (the check-and-delete script); with the plain-del bug, whatever
// it holds.
func (c *Client) sendRelease(env *sim.Env, k *lockkit.Client) {
	c.relTries++
	op := OpCheckDel
	if c.cfg.Bugs.On(BugPlainDel) {
		op = OpDel
	}
	c.send(env, k, op, 0)
}

// Timer handles command timeouts.
func (c *Client) Timer(env *sim.Env, k *lockkit.Client, tag any) {
	if t, ok := tag.(timeoutTimer); ok && c.awaited(env, k, t.ID) {
		c.failedOver(env, k)
	}
}
