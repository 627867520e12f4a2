package checker

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
)

// ZKTakeover checks the ZooKeeper lock's liveness from the server's own
// account: when a client crashes while the server records its node as the
// lowest (obs.Holder), the server must drop that node and the next holder
// must learn it holds the lock (obs.LockGranted with its node's czxid)
// within bound of the crash — or of from, the time faults are healed, if
// later. The lock going free (nobody waiting) counts as handed off.
//
// Like Takeover it is liveness, and time in which no takeover was possible
// does not count: the server paused or down, or cut off from the next
// holder (from every client while nobody is the next holder) — a client
// that crashed while the server was paused is handed on only once the
// server runs again.
//
// It reads the server's holder record rather than the clients' claims, as
// Takeover does: a client whose session has long expired may still believe
// it holds a lock when it crashes, and there is nothing to take over then.
type ZKTakeover struct {
	From  time.Duration // when waiting starts to count (the heal time, or 0)
	Bound time.Duration // session timeout plus the retry bound
}

func (ZKTakeover) Name() string { return "takeover" }
func (ZKTakeover) Class() Class { return ClassLiveness }

// Needs the server's holder record, which it judges by.
func (ZKTakeover) Needs() []string { return []string{obs.KindOf[obs.Holder]()} }

// Check runs the check.
func (x ZKTakeover) Check(h *History) Result {
	from, bound := x.From, x.Bound
	type holding struct {
		client string
		token  int64
	}
	type handoff struct {
		lock   string
		client string
		token  int64
		crash  time.Duration
		want   time.Duration
		gone   time.Duration // the crashed holder's node left; -1 = not yet
		next   holding
		nextAt time.Duration
	}
	holder := map[string]holding{}
	var open []*handoff
	var done []*handoff
	var ev evidence
	crash := func(c sim.Crash) {
		name := h.name(c.Node)
		for _, lock := range slices.Sorted(maps.Keys(holder)) {
			if hd := holder[lock]; hd.client == name {
				open = append(open, &handoff{lock: lock, client: name, token: hd.token, crash: c.Time, want: max(c.Time, from), gone: -1})
			}
		}
	}
	crashes := crashCursor{crashes: h.Crashes}
	for _, o := range h.Observations {
		for _, c := range crashes.upTo(o.Time, false) {
			crash(c)
		}
		switch f := o.Data.(type) {
		case obs.Holder:
			holder[f.Lock] = holding{f.Client, f.Token}
			for _, x := range open {
				switch {
				case x.lock != f.Lock:
				case x.gone < 0 && f.Token != x.token:
					x.gone, x.next, x.nextAt = o.Time, holding{f.Client, f.Token}, o.Time
				case x.gone >= 0:
					// The next holder's node went before it learned it held
					// the lock (its own session expired): the one after it
					// takes its place.
					x.next = holding{f.Client, f.Token}
				}
			}
		case obs.LockGranted:
			keep := open[:0]
			for _, x := range open {
				if x.gone >= 0 && x.lock == f.Lock && x.next.client == h.name(o.Node) && x.next.token == f.Token {
					x.nextAt = o.Time
					done = append(done, x)
					continue
				}
				keep = append(keep, x)
			}
			open = keep
		}
	}
	for _, c := range crashes.upTo(h.End, true) {
		crash(c)
	}
	svc := serviceNodes(h)
	possible := func(x *handoff, until time.Duration, client string) (time.Duration, time.Duration) {
		clients := lockClients(h)
		if id := nodeIndex(h, client); id >= 0 {
			clients = map[sim.NodeID]bool{id: true}
		}
		excused := impossible(h, svc, clients, x.want, until)
		return until - x.want - excused, excused
	}
	worst := time.Duration(0)
	for _, x := range done {
		if d, excused := possible(x, x.nextAt, x.next.client); d > bound {
			ev.add("%s crashed holding %s (token %d) at %s; %s (token %d) learned it holds the lock only at %s, %v later%s (bound %v)",
				x.client, x.lock, x.token, at(x.crash), x.next.client, x.next.token, at(x.nextAt), d, excusedNote(excused), bound)
		} else {
			worst = max(worst, d)
		}
	}
	for _, x := range open {
		switch {
		case x.gone < 0:
			if d, _ := possible(x, h.End, ""); d > bound {
				ev.add("%s crashed holding %s (token %d) at %s; the server still had its node at the end (%s)", x.client, x.lock, x.token, at(x.crash), at(h.End))
			}
		case x.next.client == "":
			d, excused := possible(x, x.gone, "")
			worst = max(worst, d) // freed, nobody waiting
			if d > bound {
				ev.add("%s crashed holding %s (token %d) at %s; the server freed it only at %s%s (bound %v)", x.client, x.lock, x.token, at(x.crash), at(x.gone), excusedNote(excused), bound)
			}
		default:
			if d, _ := possible(x, h.End, x.next.client); d > bound && !crashedSince(h, x.next.client, x.gone) {
				ev.add("%s crashed holding %s (token %d) at %s; the server made %s (token %d) the holder at %s, but it never learned so by the end",
					x.client, x.lock, x.token, at(x.crash), x.next.client, x.next.token, at(x.gone))
			}
		}
	}
	n := len(done) + len(open)
	msg := "no client crashed while the server recorded it as a holder"
	if n > 0 {
		msg = fmt.Sprintf("%d %s of crashed holders handed on, the slowest %v after the crash or the heal, counting only time a takeover was possible (bound %v)", n, plural(n, "lock"), worst, bound)
	}
	return ev.judge("takeover", notTakenOver, msg)
}

// crashedSince reports whether the named client crashed at or after t.
func crashedSince(h *History, client string, t time.Duration) bool {
	_, crashed := crashAfter(h, nodeIndex(h, client), t, 0)
	return crashed
}
