package live

import (
	"sort"
	"strconv"
	"time"

	"github.com/faultline-sim/faultline/internal/live/record"
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
)

// redisDerivation turns the Redis clients' record — each command they sent
// and each reply they got — into the lock facts a simulated lock service
// records, so the same checkers judge it:
//
//   - client side: a SET NX is an acquire (LockRequest, then LockGranted or
//     LockDenied), a check-and-delete a release (LockRelease, LockReleased);
//     a command with no reply stays pending, its outcome unknown, and one
//     answered with an error reply had no effect and is left out;
//   - server side: the runner cannot look inside redis-server, so it
//     derives what the server held from what it acknowledged and from the
//     TTL rule Redis documents (a key set at wall-clock millisecond m with
//     PX t is gone from millisecond m+t+1 on, on the same clock as ours):
//     an obs.Holder on the server that served the SET from its reply, free
//     again at the release's call or at the expiry, and an
//     obs.LeaseExpired at the expiry. The set was served somewhere within
//     its call, so the expiry is known to lie in a window about as wide as
//     the round trip; it is placed at the earliest moment in that window
//     that the replies of other clients allow (a SET NX refused there was
//     served before the key expired).
//
// A server that forgets a key (a failover to a replica that never got it,
// a restart without persistence) then shows as a grant that no expiry or
// release explains, as it does in simulated runs.
type redisDerivation struct {
	rec     *record.Recorder
	key     string // the storage cell the lock guards
	durable bool   // the servers keep keys across kill -9 (append-only)
	// serverAt names the process that served a command sent to service at
	// time at (the proxy may have been moved to a promoted replica).
	serverAt func(service string, at time.Duration) string
	// snapshots are what the runner read from a server as it became the
	// service's master (a promoted replica): the lock key's value then.
	snapshots []snapshot
}

// snapshot: at time at, server (now serving service) held value under the
// lock key ("" = no key).
type snapshot struct {
	at              time.Duration
	service, server string
	value           string
}

type redisCmd struct {
	client string
	call   obs.RedisCall
	at     time.Duration
	reply  *obs.RedisReply
	ret    time.Duration
}

type holding struct {
	server, client, lock, value string
	token                       int64
	call, ret                   time.Duration
	deadline                    time.Duration // earliest moment the key can be gone
	window                      time.Duration // latest moment it must be gone
	ended                       bool          // released (or a release of unknown outcome)
	end                         time.Duration
}

// wallMs is the wall-clock millisecond of a record time.
func (d redisDerivation) wallMs(at time.Duration) int64 { return d.rec.Start().Add(at).UnixMilli() }

// fromMs is the record time at which wall-clock millisecond ms begins.
func (d redisDerivation) fromMs(ms int64) time.Duration { return d.rec.Offset(time.UnixMilli(ms)) }

func (d redisDerivation) facts(obsv []sim.Observation, end time.Duration) []record.Fact {
	var cmds []*redisCmd
	byID := map[string]*redisCmd{}
	for _, o := range obsv {
		switch f := o.Data.(type) {
		case obs.RedisCall:
			c := &redisCmd{client: d.rec.Name(o.Node), call: f, at: o.Time}
			cmds = append(cmds, c)
			byID[f.ID] = c
		case obs.RedisReply:
			if c, ok := byID[f.ID]; ok && c.reply == nil {
				r := f
				c.reply, c.ret = &r, o.Time
			}
		}
	}
	var out []record.Fact
	var holds []*holding
	byValue := map[string]*holding{} // service/value -> its holding
	for _, c := range cmds {
		if c.reply != nil && c.reply.Err != "" {
			continue // refused: no effect
		}
		lock := c.call.Service + "/" + c.call.Key
		req := c.call.ID
		switch c.call.Op {
		case "set-nx":
			out = append(out, record.Fact{At: c.at, Node: c.client, Fact: obs.LockRequest{Lock: lock, Req: req}})
			if c.reply == nil {
				continue
			}
			if !c.reply.OK {
				out = append(out, record.Fact{At: c.ret, Node: c.client, Fact: obs.LockDenied{Lock: lock, Req: req, Reason: "busy"}})
				continue
			}
			tok, _ := strconv.ParseInt(c.reply.Value, 10, 64)
			out = append(out, record.Fact{At: c.ret, Node: c.client, Fact: obs.LockGranted{Lock: lock, Req: req, Token: tok}})
			h := &holding{server: d.serverAt(c.call.Service, c.at), client: c.client, lock: lock, value: c.call.Value,
				token: tok, call: c.at, ret: c.ret}
			h.deadline, h.window = d.expiry(c.at, c.ret, c.call.TTL)
			holds = append(holds, h)
			byValue[c.call.Service+"/"+c.call.Value] = h
		case "check-extend":
			if h := byValue[c.call.Service+"/"+c.call.Value]; h != nil && c.reply != nil && c.reply.OK && !h.ended {
				h.deadline, h.window = d.expiry(c.at, c.ret, c.call.TTL)
			}
		case "check-del":
			h := byValue[c.call.Service+"/"+c.call.Value]
			var tok int64
			if h != nil {
				tok = h.token
			}
			out = append(out, record.Fact{At: c.at, Node: c.client, Fact: obs.LockRelease{Lock: lock, Req: req, Token: tok}})
			if c.reply != nil {
				out = append(out, record.Fact{At: c.ret, Node: c.client, Fact: obs.LockReleased{Lock: lock, Req: req, Token: tok, OK: c.reply.OK}})
			}
			// A release that worked, or may have, ends the holding at its
			// call; one that found the key gone leaves the expiry standing.
			if h != nil && !h.ended && (c.reply == nil || c.reply.OK) && c.at < h.window {
				h.ended, h.end = true, c.at
			}
		}
	}
	// Refused acquires by others inside a holding's expiry window were
	// served while the key was still there.
	for _, h := range holds {
		if h.ended {
			continue
		}
		for _, c := range cmds {
			if c.call.Op == "set-nx" && c.reply != nil && c.reply.Err == "" && !c.reply.OK &&
				c.call.Service+"/"+c.call.Key == h.lock && c.at > h.deadline && c.at < h.window {
				h.deadline = c.at
			}
		}
	}
	// A promoted replica that had received a holding's key holds it from
	// its promotion on, until the holding ends.
	for _, sn := range d.snapshots {
		if h := byValue[sn.service+"/"+sn.value]; sn.value != "" && h != nil && (!h.ended || h.end > sn.at) {
			moved := *h
			moved.server, moved.ret = sn.server, sn.at
			holds = append(holds, &moved)
		}
	}
	byServer := map[string][]*holding{}
	for _, h := range holds {
		byServer[h.server] = append(byServer[h.server], h)
	}
	for _, list := range byServer {
		sort.SliceStable(list, func(i, j int) bool { return list[i].ret < list[j].ret })
		for i, h := range list {
			out = append(out, record.Fact{At: h.ret, Node: h.server, Fact: obs.Holder{Lock: d.key, Client: h.client, Token: h.token, Durable: d.durable}})
			stop := h.end
			if !h.ended {
				stop = h.deadline
				if stop < end {
					out = append(out, record.Fact{At: stop, Node: h.server, Fact: obs.LeaseExpired{Lock: h.lock, Client: h.client, Token: h.token}})
				}
			}
			// The server is free again unless the next holding there began
			// first (then its own fact says who holds).
			if stop < end && (i+1 == len(list) || list[i+1].ret > stop) {
				out = append(out, record.Fact{At: stop, Node: h.server, Fact: obs.Holder{Lock: d.key}})
			}
		}
	}
	return out
}

// expiry is the window in which a key set (or extended) by a command sent
// at call and answered at ret, with ttl, stops existing: Redis keeps the
// absolute expiry in wall-clock milliseconds and drops the key once the
// clock is past it.
func (d redisDerivation) expiry(call, ret, ttl time.Duration) (from, to time.Duration) {
	ms := ttl.Milliseconds()
	return d.fromMs(d.wallMs(call) + ms + 1), d.fromMs(d.wallMs(ret) + ms + 2)
}
