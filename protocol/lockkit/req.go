package lockkit

import (
	"fmt"
	"time"

	"github.com/faultline-sim/faultline/sim"
)

// Req identifies one operation of one client: the client's incarnation and
// a sequence number within it. Requests of a restarted client never collide
// with its earlier ones, and a delayed duplicate is recognisably older than
// the client's latest request.
type Req struct {
	Inc int
	Seq int
}

// Less orders requests of the same client.
func (r Req) Less(o Req) bool {
	if r.Inc != o.Inc {
		return r.Inc < o.Inc
	}
	return r.Seq < o.Seq
}

func (r Req) String() string { return fmt.Sprintf("%d.%d", r.Inc, r.Seq) }

// Reqs numbers one incarnation's requests.
type Reqs struct{ inc, seq int }

// Reset starts numbering for the node's current incarnation; call it from
// Start.
func (n *Reqs) Reset(env *sim.Env) { n.inc, n.seq = env.Incarnation(), 0 }

// Inc is the incarnation requests are numbered in.
func (n *Reqs) Inc() int { return n.inc }

// Next numbers a new request.
func (n *Reqs) Next() Req {
	n.seq++
	return Req{Inc: n.inc, Seq: n.seq}
}

type resendTimer struct{ Req Req }

func (t resendTimer) String() string { return "resend " + t.Req.String() }

// Pending is one outstanding request, sent again every Every until it is
// answered (Every 0: sent once). A client has at most one request
// outstanding per Pending, so an answer to anything else is a stale
// duplicate.
type Pending struct {
	Every time.Duration

	req   Req
	to    sim.NodeID
	mk    func(attempt int) sim.Message
	sent  []time.Duration
	timer sim.TimerID
	live  bool
}

// Send sends m, the request req, and keeps resending it until Answer or
// Stop.
func (p *Pending) Send(env *sim.Env, to sim.NodeID, req Req, m sim.Message) {
	p.SendCounted(env, to, req, func(int) sim.Message { return m })
}

// SendCounted is Send for a request that says which send it is: mk makes
// send number attempt (from 1).
func (p *Pending) SendCounted(env *sim.Env, to sim.NodeID, req Req, mk func(attempt int) sim.Message) {
	env.CancelTimer(p.timer)
	p.req, p.to, p.mk, p.sent, p.live = req, to, mk, p.sent[:0], true
	p.send(env)
}

func (p *Pending) send(env *sim.Env) {
	p.sent = append(p.sent, env.Now())
	env.Send(p.to, p.mk(len(p.sent)))
	if p.Every > 0 {
		p.timer = env.SetTimer(p.Every, resendTimer{p.req})
	}
}

// Answer reports whether req is the outstanding request and, if so, stops
// resending it.
func (p *Pending) Answer(env *sim.Env, req Req) bool {
	if !p.live || req != p.req {
		return false
	}
	p.Stop(env)
	return true
}

// Stop gives the request up: its answer, if one comes, will be ignored.
func (p *Pending) Stop(env *sim.Env) {
	env.CancelTimer(p.timer)
	p.live = false
}

// SentAt is the local time of send number attempt (from 1), or of the last
// send if attempt is out of range.
func (p *Pending) SentAt(attempt int) time.Duration {
	if attempt >= 1 && attempt <= len(p.sent) {
		return p.sent[attempt-1]
	}
	return p.sent[len(p.sent)-1]
}

// Timer resends on this Pending's timer tag and reports whether tag was
// one.
func (p *Pending) Timer(env *sim.Env, tag any) bool {
	t, ok := tag.(resendTimer)
	if !ok || t.Req != p.req {
		return false
	}
	if p.live {
		p.send(env)
	}
	return true
}
