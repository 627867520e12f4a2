package zklock

import (
	"fmt"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/lockkit"
	"github.com/faultline-sim/faultline/sim"
)

// A client's only durable state is its count of finished jobs (kept by
// lockkit.Client), so a restarted client resumes. Its old session is not
// resumed: the new incarnation opens a new one and waits behind its
// predecessor's node until that session expires.

// recipeStep is where the client is in the recipe.
type recipeStep int

const (
	none       recipeStep = iota // not acquiring or releasing
	creating                     // creating its lock node
	recovering                   // a create's answer was lost: looking for its node by GUID
	listing                      // getChildren: is its node the lowest?
	watching                     // waiting for its predecessor to go
	releasing                    // deleting its node
)

func (s recipeStep) String() string {
	return [...]string{"none", "creating", "recovering", "listing", "watching", "releasing"}[s]
}

// connState is the client's view of its session (Curator's connection
// states, but "lost" is only the moment of learning it: the client then
// opens a new session at once).
type connState int

const (
	noSession connState = iota // connecting: no session yet
	connected                  // answers arrive
	suspended                  // no answer for SuspendAfter: the session may or may not live
)

func (s connState) String() string { return [...]string{"no-session", "connected", "suspended"}[s] }

type heartbeatTimer struct{}
type suspendTimer struct{ Session int64 }
type requestTimer struct{ Xid int64 }

func (heartbeatTimer) String() string { return "heartbeat" }
func (t suspendTimer) String() string { return fmt.Sprintf("suspend-check s%d", t.Session) }
func (t requestTimer) String() string { return fmt.Sprintf("request-timeout xid=%d", t.Xid) }

// Client is the ZooKeeper lock recipe (lockkit.Client runs the jobs and the
// critical section around it): create an ephemeral sequential node under
// the lock, hold the lock when it is the lowest, otherwise watch the node
// just before it; release by deleting the node.
type Client struct {
	cfg Config
	zk  sim.NodeID

	conn    connState
	session int64
	connReq int64
	heard   time.Duration // local time of the last answer from the server
	suspend sim.TimerID

	xid         int64 // the current ZooKeeper request
	outstanding bool  // it has not been answered
	reqTimer    sim.TimerID

	step  recipeStep
	lock  string
	guid  string
	mine  string // this acquisition's node
	token int64  // its czxid
	pred  string // the node it waits for
}

// Start opens a session.
func (c *Client) Start(env *sim.Env, k *lockkit.Client) {
	c.zk, _ = env.Lookup(ServerName)
	c.connect(env, k)
	env.SetTimer(c.cfg.Heartbeat, heartbeatTimer{})
}

func (c *Client) connect(env *sim.Env, k *lockkit.Client) {
	c.conn, c.session = noSession, 0
	// Unique across incarnations: a restarted client must not be handed
	// its predecessor's session, or it would keep that session alive and
	// wait for ever behind the node its predecessor left.
	c.connReq = int64(k.Inc())<<32 | int64(k.NewReq().Seq)
	env.Send(c.zk, Connect{Req: c.connReq})
}

// heardFrom notes an answer from the server: the connection works.
func (c *Client) heardFrom(env *sim.Env) {
	c.heard = env.Now()
	env.CancelTimer(c.suspend)
	c.suspend = env.SetTimer(c.cfg.SuspendAfter, suspendTimer{c.session})
	if c.conn == suspended {
		c.conn = connected
		env.Observe(obs.ZKConn{Session: c.session, State: "reconnected"})
		// A watch notification or an answer may have been lost meanwhile.
		c.retry(env)
	}
}

// Receive dispatches on the message type.
func (c *Client) Receive(env *sim.Env, k *lockkit.Client, _ sim.NodeID, m sim.Message) {
	switch m := m.(type) {
	case Connected:
		if c.session == 0 && m.Req == c.connReq {
			c.session, c.conn = m.Session, connected
			env.Observe(obs.ZKConn{Session: c.session, State: "connected"})
			c.heardFrom(env)
			c.retry(env)
		}
	case Reply:
		if m.Session == c.session && c.session != 0 {
			c.onReply(env, k, m)
		}
	case WatchEvent:
		if m.Session == c.session && c.step == watching && m.Name == c.pred {
			c.list(env)
		}
	}
}

func (c *Client) onReply(env *sim.Env, k *lockkit.Client, r Reply) {
	if r.Op != OpPing {
		env.Observe(obs.ZKReturn{Session: r.Session, Xid: r.Xid, Op: r.Op.String(), Lock: r.Lock, Err: r.Err,
			Node: r.Name, Czxid: r.Czxid, Exists: r.Exists, Children: r.Children})
	}
	if r.Err == ErrSessionExpired {
		c.sessionLost(env, k)
		return
	}
	c.heardFrom(env)
	if r.Op == OpPing || r.Xid != c.xid || !c.outstanding {
		return // a heartbeat, or the late answer to a request given up on
	}
	c.outstanding = false
	env.CancelTimer(c.reqTimer)
	switch {
	case c.step == creating && r.Op == OpCreate:
		c.mine, c.token = r.Name, r.Czxid
		c.list(env)
	case (c.step == listing || c.step == recovering) && r.Op == OpChildren:
		c.onChildren(env, k, r.Children)
	case c.step == watching && r.Op == OpExists:
		if !r.Exists {
			c.list(env) // gone before the watch was set: look again
		}
	case c.step == releasing && r.Op == OpDelete:
		c.released(env, k, r.Err == "")
	}
}

// request sends one ZooKeeper operation. An operation is not resent as is:
// as with ZooKeeper's connection loss, the client does not know whether
// it took effect, and retry decides what to do next.
func (c *Client) request(env *sim.Env, op Op, name string, watch bool) {
	c.xid++
	c.outstanding = true
	env.Observe(obs.ZKCall{Session: c.session, Xid: c.xid, Op: op.String(), Lock: c.lock, Node: name, Watch: watch})
	env.Send(c.zk, Request{Session: c.session, Xid: c.xid, Op: op, Lock: c.lock, Name: name, Watch: watch})
	env.CancelTimer(c.reqTimer)
	c.reqTimer = env.SetTimer(c.cfg.RequestTimeout, requestTimer{c.xid})
}

// retry redoes the current step after an answer was lost or the
// connection came back. A create whose answer never came may have made a
// node: the client looks for it by GUID rather than make another (Z2).
func (c *Client) retry(env *sim.Env) {
	if c.session == 0 {
		return
	}
	switch c.step {
	case creating:
		if c.outstanding && !c.cfg.Bugs.On(BugNoGUID) {
			c.step = recovering
			c.request(env, OpChildren, "", false)
			return
		}
		c.request(env, OpCreate, c.guid, false)
	case recovering:
		c.request(env, OpChildren, "", false)
	case listing, watching:
		c.list(env)
	case releasing:
		c.request(env, OpDelete, c.mine, false)
	}
}

// Acquire creates the lock node. The GUID names this acquisition: unique
// per client, incarnation and attempt.
func (c *Client) Acquire(env *sim.Env, k *lockkit.Client, lock string, req lockkit.Req) {
	c.lock = lock
	c.guid = fmt.Sprintf("%s.%s", env.Name(), req)
	c.mine, c.token, c.pred = "", 0, ""
	c.step, c.outstanding = creating, false
	c.retry(env)
}

func (c *Client) list(env *sim.Env) {
	c.step = listing
	c.request(env, OpChildren, "", false)
}

func (c *Client) onChildren(env *sim.Env, k *lockkit.Client, kids []obs.ZKChild) {
	if c.step == recovering {
		for _, kid := range kids {
			if strings.HasPrefix(kid.Name, c.guid+"-lock-") {
				c.mine, c.token = kid.Name, kid.Czxid
			}
		}
		if c.mine == "" {
			c.step, c.outstanding = creating, false // the create never happened
			c.retry(env)
			return
		}
	}
	c.step = listing
	i := -1
	for j, kid := range kids {
		if kid.Name == c.mine {
			i = j
		}
	}
	switch {
	case i < 0:
		// Its node is gone though the session lives: nobody but its session
		// deletes it, so this cannot happen; start the acquisition over.
		c.step, c.outstanding, c.mine = creating, false, ""
		c.retry(env)
	case i == 0:
		// The lowest node holds the lock, for as long as the session
		// lives: there is no deadline; its czxid is the fencing token.
		c.step = none
		k.Granted(env, c.token, 0, false)
	default:
		c.step = watching
		c.pred = kids[i-1].Name
		c.request(env, OpExists, c.pred, true)
	}
}

// Guard: with LeaveOnSuspend the client checks, just before writing, that
// it heard from the server recently; a pause after this check, or a slow
// write, still gets through.
func (c *Client) Guard(env *sim.Env, k *lockkit.Client) obs.LeaveWhy {
	if c.cfg.LeaveOnSuspend && (c.conn != connected || env.Now()-c.heard >= c.cfg.SuspendAfter) {
		return obs.LeaveSuspended
	}
	return ""
}

// Release deletes the node, at once if there is a session, or when the
// next one is open.
func (c *Client) Release(env *sim.Env, k *lockkit.Client, h lockkit.Held, req lockkit.Req) {
	c.step, c.outstanding = releasing, false
	if c.session != 0 {
		c.request(env, OpDelete, c.mine, false)
	}
}

func (c *Client) released(env *sim.Env, k *lockkit.Client, ok bool) {
	c.mine, c.step = "", none
	k.Released(env, ok)
}

// sessionLost: the server says the session expired. Its node is gone, so
// whatever the client was doing under the lock is over; it opens a new
// session and, unless the job's work was done, retries the job.
func (c *Client) sessionLost(env *sim.Env, k *lockkit.Client) {
	env.Observe(obs.ZKConn{Session: c.session, State: "lost"})
	env.CancelTimer(c.reqTimer)
	env.CancelTimer(c.suspend)
	c.outstanding = false
	c.mine, c.step = "", none
	k.Lost(env, obs.DenySessionExpired, obs.LeaveSessionExpired)
	c.connect(env, k)
}

// Timer handles heartbeats, the disconnect check and request timeouts.
func (c *Client) Timer(env *sim.Env, k *lockkit.Client, tag any) {
	switch t := tag.(type) {
	case heartbeatTimer:
		env.SetTimer(c.cfg.Heartbeat, heartbeatTimer{})
		if c.session == 0 {
			env.Send(c.zk, Connect{Req: c.connReq})
			return
		}
		// The ping names the node the client watches, as ZooKeeper's
		// SetWatches does on reconnection: a notification lost with a
		// short cut (TCP would have retransmitted it) is sent again.
		ping := Request{Session: c.session, Op: OpPing}
		if c.step == watching {
			ping.Lock, ping.Name = c.lock, c.pred
		}
		env.Send(c.zk, ping)
	case suspendTimer:
		if t.Session != c.session || c.conn != connected {
			return
		}
		c.conn = suspended
		env.Observe(obs.ZKConn{Session: c.session, State: "suspended"})
		if c.cfg.LeaveOnSuspend {
			k.Leave(env, obs.LeaveSuspended)
		}
	case requestTimer:
		// While suspended, wait for the connection: retrying into the
		// void only piles up operations of unknown outcome.
		if t.Xid == c.xid && c.outstanding && c.conn == connected {
			c.retry(env)
		}
	}
}
