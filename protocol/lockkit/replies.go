package lockkit

import (
	"strings"

	"github.com/faultline-sim/faultline/sim"
)

// Replies is a server's durable record of the last answer it gave each
// client. Clients have one request outstanding at a time, so one record
// per client is enough to answer a resent request with the very same
// reply instead of applying it twice — a second application would be
// judged against newer state — and to drop delayed duplicates of older
// requests, which answered anew would overwrite the latest record.
type Replies[M sim.Message] struct {
	Prefix string // durable key prefix; the client's name follows it
}

// Answer is one recorded reply.
type Answer[M sim.Message] struct {
	Client string
	Req    Req
	Reply  M
}

type answer[M sim.Message] struct {
	Req   Req
	Reply M
}

// Answered resends the recorded reply to a repeated request and reports
// whether the request needs no new answer (it is repeated, or older than
// the last one answered).
func (r Replies[M]) Answered(env *sim.Env, from sim.NodeID, req Req) bool {
	last, ok := sim.Load[answer[M]](env, r.Prefix+env.NameOf(from))
	if !ok {
		return false
	}
	if last.Req == req {
		env.Send(from, last.Reply)
		return true
	}
	return req.Less(last.Req)
}

// Record stores the reply to a client's request, durably. Record before
// sending: after a crash a resend must get the same answer.
func (r Replies[M]) Record(env *sim.Env, client string, req Req, reply M) {
	env.Put(r.Prefix+client, answer[M]{Req: req, Reply: reply})
	env.Sync()
}

// Add puts the reply's record in the batch w, to be written at once with
// the state it answers for: a crash between the two would have a resend
// applied twice, or answered for an effect that never happened.
func (r Replies[M]) Add(w *sim.Batch, client string, req Req, reply M) {
	w.Put(r.Prefix+client, answer[M]{Req: req, Reply: reply})
}

// All lists the recorded replies in client-name order, for recovery.
func (r Replies[M]) All(env *sim.Env) []Answer[M] {
	var out []Answer[M]
	for _, k := range env.Keys(r.Prefix) {
		a, _ := sim.Load[answer[M]](env, k)
		out = append(out, Answer[M]{Client: strings.TrimPrefix(k, r.Prefix), Req: a.Req, Reply: a.Reply})
	}
	return out
}
