package redislock

import (
	"github.com/faultline-sim/faultline/obs"
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
