package redislock

import (
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/resource"
	"github.com/faultline-sim/faultline/sim"
)

// Calls sends a client's Redis commands and records each as a call and,
// when the answer comes, a reply (obs.RedisCall, obs.RedisReply): the
// client side of the Redis history that the linearizability checker reads.
// A reply that comes after the client stopped waiting is still recorded,
// since the command did take effect; one that never comes leaves the call
// pending.
type Calls struct {
	out map[string]sent // id -> what was sent, until answered
}

type sent struct {
	service string
	key     string
}

// Send records the call and sends it.
func (c *Calls) Send(env *sim.Env, service string, to sim.NodeID, cmd Command) {
	if c.out == nil {
		c.out = map[string]sent{}
	}
	c.out[cmd.ID] = sent{service: service, key: cmd.Key}
	env.Observe(obs.RedisCall{Service: service, Server: env.NameOf(to), Key: cmd.Key, Op: cmd.Op.String(),
		Value: cmd.Value, TTL: cmd.TTL, ID: cmd.ID})
	env.Send(to, cmd)
}

// Reply records an answer; false means it answers nothing outstanding (a
// duplicate delivery).
func (c *Calls) Reply(env *sim.Env, r Reply) bool {
	s, ok := c.out[r.ID]
	if !ok {
		return false
	}
	delete(c.out, r.ID)
	f := obs.RedisReply{Service: s.service, Key: s.key, ID: r.ID, OK: r.OK, Value: r.Value}
	if r.NotMaster {
		f.OK, f.Err = false, "not-master"
	}
	env.Observe(f)
	return true
}

// Update is one unfenced read-modify-write of a storage cell: read it,
// write back value+1 naming the version read. Redis has no fencing token,
// so both carry token 0 and the storage cannot tell a stale holder from
// the current one.
type Update struct {
	Storage sim.NodeID
	key     string
	req     resource.Req
	reading bool
	active  bool
}

// Begin sends the read.
func (u *Update) Begin(env *sim.Env, key string, req resource.Req) {
	u.key, u.req, u.reading, u.active = key, req, true, true
	env.Send(u.Storage, resource.Read{Key: key, Req: req})
}

// Stop abandons the update: replies still on their way are ignored.
func (u *Update) Stop() { u.active = false }

// Handle takes a storage reply and reports whether the write has been
// acknowledged. next is the write's request id. The reply to the read is
// acted on whenever it comes: a client paused after sending the read
// writes as soon as it resumes, before anything tells it time has passed.
func (u *Update) Handle(env *sim.Env, m sim.Message, next func() resource.Req) bool {
	if !u.active {
		return false
	}
	switch m := m.(type) {
	case resource.ReadReply:
		if u.reading && m.Req == u.req && m.OK {
			u.reading, u.req = false, next()
			env.Send(u.Storage, resource.Write{Key: u.key, Req: u.req, ReadVersion: m.Version, Value: m.Value + 1})
		}
	case resource.WriteReply:
		if !u.reading && m.Req == u.req {
			u.active = false
			return true
		}
	}
	return false
}
