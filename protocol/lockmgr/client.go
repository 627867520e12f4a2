package lockmgr

import (
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/lockkit"
	"github.com/faultline-sim/faultline/sim"
)

// Client is the lock manager's side of a lock client (lockkit.Client runs
// the jobs and the critical section): it asks the manager for each lock of
// a job in the job's order, resending a request until it is answered —
// granted, or refused as busy, deadlocked or timed out; a queued request
// simply waits — and gives each lock back naming its grant's token.
type Client struct {
	cfg Config
	mgr sim.NodeID
	out lockkit.Pending // the outstanding request to the manager
}

// Start finds the manager.
func (c *Client) Start(env *sim.Env, k *lockkit.Client) {
	c.mgr, _ = env.Lookup(ManagerName)
	c.out.Every = c.cfg.ResendInterval
}

// Acquire sends the request; each resend counts as an attempt, so the
// grant can say which send it answered.
func (c *Client) Acquire(env *sim.Env, k *lockkit.Client, lock string, req lockkit.Req) {
	c.out.SendCounted(env, c.mgr, req, func(attempt int) sim.Message { return Acquire{Lock: lock, Req: req, Attempt: attempt} })
}

// Release gives the lock back.
func (c *Client) Release(env *sim.Env, k *lockkit.Client, h lockkit.Held, req lockkit.Req) {
	c.out.Send(env, c.mgr, req, Release{Lock: h.Lock, Req: req, Token: h.Token})
}

// Receive takes the manager's answers; an answer to anything but the
// outstanding request is a stale duplicate.
func (c *Client) Receive(env *sim.Env, k *lockkit.Client, _ sim.NodeID, m sim.Message) {
	switch m := m.(type) {
	case Grant:
		if k.Phase() == lockkit.Acquiring && c.out.Answer(env, m.Req) {
			// The lease is dated from the send the manager answered: the
			// grant came after it, so the lease cannot have started earlier,
			// whatever the network delay.
			k.Granted(env, m.Token, c.out.SentAt(m.Attempt)+m.TTL-c.cfg.Margin, true)
		}
	case Deny:
		if k.Phase() == lockkit.Acquiring && c.out.Answer(env, m.Req) {
			k.Refused(env, obs.DenyReason(m.Reason), false)
		}
	case ReleaseReply:
		if k.Phase() == lockkit.Releasing && c.out.Answer(env, m.Req) {
			k.Released(env, m.OK)
		}
	}
}

// Timer resends the outstanding request.
func (c *Client) Timer(env *sim.Env, k *lockkit.Client, tag any) { c.out.Timer(env, tag) }
