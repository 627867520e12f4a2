package optimistic

import (
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/lockkit"
	"github.com/faultline-sim/faultline/sim"
	"github.com/faultline-sim/faultline/workload"
)

const ordersDoneKey = "orders-done" // int: orders finished, so a restart resumes

type clientState int

const (
	idle     clientState = iota // waiting for the next order's time
	reading                     // a read of the item is outstanding
	updating                    // a compare-and-set is outstanding
	finished                    // every order done
)

func (s clientState) String() string {
	return [...]string{"idle", "reading", "updating", "finished"}[s]
}

type orderTimer struct{}

func (orderTimer) String() string { return "order" }

// Client places its orders one after another.
type Client struct {
	cfg    Config
	orders []workload.OrderSpec

	store sim.NodeID
	state clientState
	reqs  lockkit.Reqs
	order int
	op    lockkit.Req
	out   lockkit.Pending // the outstanding request, resent until answered
}

// Start resumes at the first order not known to be finished. An order
// that was in flight at a crash is started again as a new attempt; whether
// the old attempt sold anything is exactly what the checkers then count as
// in doubt.
func (c *Client) Start(env *sim.Env) {
	c.reqs.Reset(env)
	c.out.Every = c.cfg.ResendInterval
	c.store, _ = env.Lookup(StoreName)
	c.order, _ = sim.Load[int](env, ordersDoneKey)
	c.schedule(env)
}

func (c *Client) schedule(env *sim.Env) {
	if c.order >= len(c.orders) {
		c.state = finished
		return
	}
	c.state = idle
	env.SetTimer(c.orders[c.order].At-env.Now(), orderTimer{})
}

func (c *Client) send(env *sim.Env, m sim.Message) {
	c.out.Send(env, c.store, c.op, m)
}

func (c *Client) read(env *sim.Env) {
	o := c.orders[c.order]
	c.state = reading
	c.op = c.reqs.Next()
	env.Observe(obs.KVCall{Req: c.op.String(), Key: o.Item, Op: "read"})
	c.send(env, Read{Key: o.Item, Req: c.op})
}

// Receive handles the answer to the outstanding request; others are stale.
func (c *Client) Receive(env *sim.Env, _ sim.NodeID, m sim.Message) {
	switch m := m.(type) {
	case ReadReply:
		if c.state == reading && c.out.Answer(env, m.Req) {
			env.Observe(obs.KVReturn{Req: m.Req.String(), Key: m.Key, Op: "read", OK: true, Value: m.Value, Version: m.Version})
			c.onStock(env, m.Value, m.Version)
		}
	case CASReply:
		if c.state == updating && c.out.Answer(env, m.Req) {
			env.Observe(obs.KVReturn{Req: m.Req.String(), Key: m.Key, Op: "cas", OK: m.OK, Value: m.Value, Version: m.Version})
			o := c.orders[c.order]
			if m.OK {
				env.Observe(obs.Sold{Order: o.ID, Item: o.Item, Units: o.Units})
				c.done(env)
				return
			}
			// Version mismatch: someone sold in between. Read the new stock
			// and decide again, as the seed's flow does.
			c.read(env)
		}
	}
}

func (c *Client) onStock(env *sim.Env, stock, version int64) {
	o := c.orders[c.order]
	if stock < o.Units {
		env.Observe(obs.OutOfStock{Order: o.ID, Item: o.Item, Stock: stock})
		c.done(env)
		return
	}
	c.state = updating
	c.op = c.reqs.Next()
	env.Observe(obs.KVCall{Req: c.op.String(), Key: o.Item, Op: "cas", Expect: version, Value: stock - o.Units})
	c.send(env, CAS{Key: o.Item, Req: c.op, Expect: version, Value: stock - o.Units})
}

func (c *Client) done(env *sim.Env) {
	env.Observe(obs.JobDone{Job: c.orders[c.order].ID})
	c.order++
	env.Put(ordersDoneKey, c.order)
	env.Sync()
	c.schedule(env)
}

// Timer starts orders and resends unanswered requests.
func (c *Client) Timer(env *sim.Env, tag any) {
	switch tag.(type) {
	case orderTimer:
		if c.state == idle {
			o := c.orders[c.order]
			env.Observe(obs.JobStart{Job: o.ID})
			env.Observe(obs.Order{Order: o.ID, Item: o.Item, Units: o.Units})
			c.read(env)
		}
	default:
		c.out.Timer(env, tag)
	}
}
