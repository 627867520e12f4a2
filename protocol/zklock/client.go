package zklock

import (
	"fmt"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/resource"
	"github.com/faultline-sim/faultline/sim"
)

// A client's only durable state is its count of finished jobs
// (resource.JobsDoneKey), so a restarted client resumes. Its old session is
// not resumed: the new incarnation opens a new one and waits behind its
// predecessor's node until that session expires.

type clientState int

const (
	idle       clientState = iota // waiting for the next job's start time
	creating                      // creating its lock node
	recovering                    // a create's answer was lost: looking for its node by GUID
	listing                       // getChildren: is its node the lowest?
	watching                      // waiting for its predecessor to go
	working                       // in the critical section: read, work, write on storage
	releasing                     // deleting its node
	backingOff                    // lost its session or was fenced: waiting to retry the job
	finished                      // every job done
)

func (s clientState) String() string {
	return [...]string{"idle", "creating", "recovering", "listing", "watching", "working", "releasing", "backing-off", "finished"}[s]
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

type afterRelease int

const (
	nextJob  afterRelease = iota // the job is done
	retryJob                     // the job failed; back off and retry it
)

type startTimer struct{}
type heartbeatTimer struct{}
type suspendTimer struct{ Session int64 }
type requestTimer struct{ Xid int64 }
type resendTimer struct{ Req resource.Req }
type workTimer struct{ Req resource.Req }

func (startTimer) String() string     { return "start-job" }
func (heartbeatTimer) String() string { return "heartbeat" }
func (t suspendTimer) String() string { return fmt.Sprintf("suspend-check s%d", t.Session) }
func (t requestTimer) String() string { return fmt.Sprintf("request-timeout xid=%d", t.Xid) }
func (t resendTimer) String() string  { return "resend " + t.Req.String() }
func (t workTimer) String() string    { return "work-done " + t.Req.String() }

// Client runs its jobs one after another, each under one lock.
type Client struct {
	cfg  Config
	jobs resource.Jobs

	zk, store sim.NodeID
	inc       int
	seq       int

	state   clientState
	conn    connState
	session int64
	connReq int64
	heard   time.Duration // local time of the last answer from the server
	suspend sim.TimerID

	xid         int64 // the current ZooKeeper request
	outstanding bool  // it has not been answered
	reqTimer    sim.TimerID

	job, tries int
	then       afterRelease
	lock       string
	req        string // the acquire's name in lock facts
	guid       string
	mine       string // this acquisition's node
	token      int64  // its czxid
	pred       string // the node it waits for

	op      resource.Req // the outstanding storage request
	pending sim.Message
	resend  sim.TimerID
	reading bool
	read    resource.ReadReply
}

// Start opens a session and schedules the first unfinished job.
func (c *Client) Start(env *sim.Env) {
	c.jobs.Resume(env)
	c.zk, _ = env.Lookup(ServerName)
	c.store, _ = env.Lookup(StorageName)
	c.connect(env)
	env.SetTimer(c.cfg.Heartbeat, heartbeatTimer{})
	c.schedule(env)
}

func (c *Client) next() int {
	return c.jobs.NextSeq()
}

func (c *Client) connect(env *sim.Env) {
	c.conn, c.session = noSession, 0
	// Unique across incarnations: a restarted client must not be handed
	// its predecessor's session, or it would keep that session alive and
	// wait for ever behind the node its predecessor left.
	c.connReq = int64(c.jobs.Inc())<<32 | int64(c.next())
	env.Send(c.zk, Connect{Req: c.connReq})
}

func (c *Client) schedule(env *sim.Env) {
	if c.jobs.Finished() {
		c.state = finished
		return
	}
	c.state = idle
	c.jobs.Arm(env, startTimer{})
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
func (c *Client) Receive(env *sim.Env, _ sim.NodeID, m sim.Message) {
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
			c.onReply(env, m)
		}
	case WatchEvent:
		if m.Session == c.session && c.state == watching && m.Name == c.pred {
			c.list(env)
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

func (c *Client) onReply(env *sim.Env, r Reply) {
	if r.Op != OpPing {
		env.Observe(obs.ZKReturn{Session: r.Session, Xid: r.Xid, Op: r.Op.String(), Lock: r.Lock, Err: r.Err,
			Node: r.Name, Czxid: r.Czxid, Exists: r.Exists, Children: r.Children})
	}
	if r.Err == ErrSessionExpired {
		c.sessionLost(env)
		return
	}
	c.heardFrom(env)
	if r.Op == OpPing || r.Xid != c.xid || !c.outstanding {
		return // a heartbeat, or the late answer to a request given up on
	}
	c.outstanding = false
	env.CancelTimer(c.reqTimer)
	switch {
	case c.state == creating && r.Op == OpCreate:
		c.mine, c.token = r.Name, r.Czxid
		c.list(env)
	case (c.state == listing || c.state == recovering) && r.Op == OpChildren:
		c.onChildren(env, r.Children)
	case c.state == watching && r.Op == OpExists:
		if !r.Exists {
			c.list(env) // gone before the watch was set: look again
		}
	case c.state == releasing && r.Op == OpDelete:
		c.released(env, r.Err == "")
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
	switch c.state {
	case creating:
		if c.outstanding && !c.cfg.Bugs.NoGUID {
			c.state = recovering
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

func (c *Client) startJob(env *sim.Env) {
	j := c.jobs.Current()
	env.Observe(obs.JobStart{Job: j.ID, Locks: j.Locks})
	c.lock = j.Locks[0]
	c.req = fmt.Sprintf("%d.%d", c.jobs.Inc(), c.next())
	// The GUID names this acquisition: unique per client, incarnation and
	// attempt.
	c.guid = fmt.Sprintf("%s.%s", env.Name(), c.req)
	c.mine, c.token, c.pred = "", 0, ""
	env.Observe(obs.LockRequest{Lock: c.lock, Req: c.req})
	c.state = creating
	c.outstanding = false
	c.retry(env)
}

func (c *Client) list(env *sim.Env) {
	c.state = listing
	c.request(env, OpChildren, "", false)
}

func (c *Client) onChildren(env *sim.Env, kids []obs.ZKChild) {
	if c.state == recovering {
		for _, k := range kids {
			if strings.HasPrefix(k.Name, c.guid+"-lock-") {
				c.mine, c.token = k.Name, k.Czxid
			}
		}
		if c.mine == "" {
			c.state = creating // the create never happened
			c.outstanding = false
			c.retry(env)
			return
		}
	}
	c.state = listing
	i := -1
	for j, k := range kids {
		if k.Name == c.mine {
			i = j
		}
	}
	switch {
	case i < 0:
		// Its node is gone though the session lives: nobody but its session
		// deletes it, so this cannot happen; start the acquisition over.
		c.state, c.outstanding, c.mine = creating, false, ""
		c.retry(env)
	case i == 0:
		c.enterCS(env)
	default:
		c.state = watching
		c.pred = kids[i-1].Name
		c.request(env, OpExists, c.pred, true)
	}
}

func (c *Client) enterCS(env *sim.Env) {
	env.Observe(obs.LockGranted{Lock: c.lock, Req: c.req, Token: c.token})
	c.state = working
	env.Observe(obs.EnterCS{Lock: c.lock, Token: c.token})
	c.reading = true
	c.storage(env, func(r resource.Req) sim.Message { return resource.Read{Key: c.lock, Req: r, Token: c.token} })
}

// storage sends a request to the storage and resends it until answered.
func (c *Client) storage(env *sim.Env, mk func(resource.Req) sim.Message) {
	c.op = resource.Req{Inc: c.jobs.Inc(), Seq: c.next()}
	c.pending = mk(c.op)
	env.Send(c.store, c.pending)
	c.resend = env.SetTimer(c.cfg.ResendInterval, resendTimer{c.op})
}

func (c *Client) stopStorage(env *sim.Env) {
	env.CancelTimer(c.resend)
	c.pending = nil
}

func (c *Client) onRead(env *sim.Env, r resource.ReadReply) {
	c.stopStorage(env)
	if !r.OK {
		c.leave(env, "fenced", retryJob)
		return
	}
	c.read = r
	if c.cfg.Work > 0 {
		env.SetTimer(c.cfg.Work, workTimer{c.op})
		return
	}
	c.write(env)
}

// write ends the work. With LeaveOnSuspend the client checks, just before
// writing, that it heard from the server recently; a pause after this
// check, or a slow write, still gets through.
func (c *Client) write(env *sim.Env) {
	if c.cfg.LeaveOnSuspend && (c.conn != connected || env.Now()-c.heard >= c.cfg.SuspendAfter) {
		c.leave(env, "suspended", retryJob)
		return
	}
	c.reading = false
	rv, val := c.read.Version, c.read.Value+1
	c.storage(env, func(r resource.Req) sim.Message {
		return resource.Write{Key: c.lock, Req: r, Token: c.token, ReadVersion: rv, Value: val}
	})
}

func (c *Client) onWritten(env *sim.Env, r resource.WriteReply) {
	c.stopStorage(env)
	if !r.OK {
		c.leave(env, "fenced", retryJob)
		return
	}
	c.leave(env, "done", nextJob)
}

// leave ends the critical section and releases the lock.
func (c *Client) leave(env *sim.Env, why string, then afterRelease) {
	c.stopStorage(env)
	env.Observe(obs.LeaveCS{Lock: c.lock, Token: c.token, Why: obs.LeaveWhy(why)})
	c.then = then
	c.state = releasing
	env.Observe(obs.LockRelease{Lock: c.lock, Req: c.req + "r", Token: c.token})
	c.outstanding = false
	if c.session != 0 {
		c.request(env, OpDelete, c.mine, false)
	}
}

func (c *Client) released(env *sim.Env, ok bool) {
	env.Observe(obs.LockReleased{Lock: c.lock, Req: c.req + "r", Token: c.token, OK: ok})
	c.mine = ""
	if c.then == nextJob {
		c.jobs.Complete(env)
		c.tries = 0
		c.schedule(env)
		return
	}
	c.backOff(env)
}

// sessionLost: the server says the session expired. Its node is gone, so
// whatever the client was doing under the lock is over; it opens a new
// session and, unless the job's work was done, retries the job.
func (c *Client) sessionLost(env *sim.Env) {
	env.Observe(obs.ZKConn{Session: c.session, State: "lost"})
	env.CancelTimer(c.reqTimer)
	env.CancelTimer(c.suspend)
	c.outstanding = false
	switch c.state {
	case creating, recovering, listing, watching:
		env.Observe(obs.LockDenied{Lock: c.lock, Req: c.req, Reason: "session-expired"})
		c.backOff(env)
	case working:
		c.stopStorage(env)
		env.Observe(obs.LeaveCS{Lock: c.lock, Token: c.token, Why: "session-expired"})
		// The expiry released the lock: say so, so that a later crash of
		// this client is not taken for a crash while holding it.
		env.Observe(obs.LockRelease{Lock: c.lock, Req: c.req + "r", Token: c.token})
		c.then = retryJob
		c.released(env, false)
	case releasing:
		c.released(env, false)
	}
	c.connect(env)
}

// backOff waits a random time that doubles with each failed try.
func (c *Client) backOff(env *sim.Env) {
	c.state = backingOff
	c.tries++
	env.SetTimer(resource.Backoff(env.Rand(), c.cfg.BackoffBase, c.cfg.BackoffMax, c.tries), startTimer{})
}

// Timer handles job starts, heartbeats, the disconnect check, request
// timeouts, storage resends and the end of the work.
func (c *Client) Timer(env *sim.Env, tag any) {
	switch t := tag.(type) {
	case startTimer:
		if c.state == idle || c.state == backingOff {
			c.startJob(env)
		}
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
		if c.state == watching {
			ping.Lock, ping.Name = c.lock, c.pred
		}
		env.Send(c.zk, ping)
	case suspendTimer:
		if t.Session != c.session || c.conn != connected {
			return
		}
		c.conn = suspended
		env.Observe(obs.ZKConn{Session: c.session, State: "suspended"})
		if c.cfg.LeaveOnSuspend && c.state == working {
			c.leave(env, "suspended", retryJob)
		}
	case requestTimer:
		// While suspended, wait for the connection: retrying into the
		// void only piles up operations of unknown outcome.
		if t.Xid == c.xid && c.outstanding && c.conn == connected {
			c.retry(env)
		}
	case resendTimer:
		if t.Req == c.op && c.pending != nil {
			env.Send(c.store, c.pending)
			c.resend = env.SetTimer(c.cfg.ResendInterval, resendTimer{c.op})
		}
	case workTimer:
		if c.state == working && c.reading && t.Req == c.op {
			c.write(env)
		}
	}
}
