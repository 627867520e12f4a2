package checker

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
)

func at(d time.Duration) string { return strings.TrimSpace(sim.FormatTime(d)) + "s" }

// clientLanes numbers the clients that recorded any of the given facts,
// in name order, so lanes do not depend on node ids.
func clientLanes(h *History, is func(any) bool) (map[string]int, []string) {
	seen := map[string]bool{}
	for _, o := range h.Observations {
		if is(o.Data) {
			seen[h.name(o.Node)] = true
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	lanes := map[string]int{}
	for i, n := range names {
		lanes[n] = i
	}
	return lanes, names
}

// laneOf gives each name its lane: a client clientLanes numbered keeps
// its own, and any other name (a lane for the server's side) gets the
// next free one when first asked for.
func laneOf(lanes map[string]int) func(string) int {
	return func(n string) int {
		if _, ok := lanes[n]; !ok {
			lanes[n] = len(lanes)
		}
		return lanes[n]
	}
}

// reqKey names a request by its client and id. The maps that pair a call
// with its answer are keyed by the pair rather than a joined string, so a
// look-up builds nothing and "a/b", "c" cannot meet "a", "b/c".
type reqKey struct{ client, id string }

// calls are the requests still waiting for their answer, each with what
// the answer completes (an operation's index, a request's place).
type calls[K comparable, V any] map[K]V

// answer returns what call k's answer completes and closes the call, so
// that a duplicate answer finds nothing.
func (c calls[K, V]) answer(k K) (V, bool) {
	v, ok := c[k]
	if ok {
		delete(c, k)
	}
	return v, ok
}

// LockOps turns a run's lock facts into a lock history: each client
// request with its answer is one operation, a request never answered stays
// pending to the end, and each lease expiry, and each grant whose answer
// never reached its client, is a server-side operation.
func LockOps(h *History) []LockOp {
	lanes, _ := clientLanes(h, func(d any) bool {
		switch d.(type) {
		case obs.LockRequest, obs.LockRelease:
			return true
		}
		return false
	})
	lane := laneOf(lanes)
	// Grants the manager made whose answer no client ever saw (lost with a
	// crash, or the lease ran out before the resend came) are operations
	// too: the lock was held, other clients were refused, and the lease may
	// expire. Each becomes an acquire by its client at the server's moment.
	type lockToken struct {
		lock  string
		token int64
	}
	seen := map[lockToken]bool{}
	for _, o := range h.Observations {
		if f, ok := o.Data.(obs.LockGranted); ok {
			seen[lockToken{f.Lock, f.Token}] = true
		}
	}
	var ops []LockOp
	open := calls[reqKey, int]{} // -> index in ops
	for _, o := range h.Observations {
		node := h.name(o.Node)
		t := int64(o.Time)
		switch f := o.Data.(type) {
		case obs.LockRequest:
			open[reqKey{node, f.Req}] = len(ops)
			ops = append(ops, LockOp{Client: lane(node), Name: node, Lock: f.Lock, Kind: Acquire, Call: t, Pending: true, Note: "req " + f.Req})
		case obs.LockRelease:
			open[reqKey{node, f.Req}] = len(ops)
			ops = append(ops, LockOp{Client: lane(node), Name: node, Lock: f.Lock, Kind: Release, Token: f.Token, Call: t, Pending: true, Note: "req " + f.Req})
		case obs.LockGranted:
			if i, ok := open.answer(reqKey{node, f.Req}); ok {
				ops[i].OK, ops[i].Token, ops[i].Return, ops[i].Pending = true, f.Token, t, false
			}
		case obs.LockDenied:
			if i, ok := open.answer(reqKey{node, f.Req}); ok {
				ops[i].OK, ops[i].Return, ops[i].Pending = false, t, false
				ops[i].Note += " denied: " + string(f.Reason)
			}
		case obs.LockReleased:
			if i, ok := open.answer(reqKey{node, f.Req}); ok {
				ops[i].OK, ops[i].Return, ops[i].Pending = f.OK, t, false
			}
		case obs.LeaseExpired:
			ops = append(ops, LockOp{Client: lane(f.Client), Name: f.Client, Lock: f.Lock, Kind: Expire, OK: true, Token: f.Token, Call: t, Return: t, Note: "server: lease ran out"})
		case obs.LockGrant:
			if !seen[lockToken{f.Lock, f.Token}] {
				ops = append(ops, LockOp{Client: lane(f.Client), Name: f.Client, Lock: f.Lock, Kind: Acquire, OK: true, Token: f.Token, Call: t, Return: t, Note: "server: grant never answered (req " + f.Req + ")"})
			}
		}
	}
	return ops
}

// linResult turns a porcupine check into a checker result; unit names what
// the history is partitioned by ("key", "lock").
func linResult(name, what, unit string, l Linearizability) Result {
	r := Result{Checker: name, Verdict: l.Verdict}
	switch l.Verdict {
	case OK:
		r.Message = fmt.Sprintf("%s history linearizable: %d operations on %d %s", what, l.Ops, l.Keys, plural(l.Keys, unit))
		if l.Pending > 0 {
			r.Message += fmt.Sprintf(" (%d never returned)", l.Pending)
		}
	case Unknown:
		r.Message = fmt.Sprintf("%s history: search timed out after %v on %d operations; not known to be linearizable", what, l.Timeout, l.Ops)
	default:
		r.Message = fmt.Sprintf("%s history not linearizable (%d operations)", what, l.Ops)
		for _, f := range l.Failures {
			r.Evidence = append(r.Evidence, f.String())
		}
		if len(r.Evidence) > 0 {
			r.Message += ": " + r.Evidence[0]
		}
		r.Visualize = l.Visualize
	}
	return r
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// LockLinearizable checks the lock service's history with porcupine, lock
// by lock, lease expiry included. It cannot see a paused holder that goes
// on using an expired lease: that is MutualExclusion's job.
type LockLinearizable struct {
	Timeout time.Duration // bound on each porcupine search; running out is unknown
}

func (LockLinearizable) Name() string    { return "lock-linear" }
func (LockLinearizable) Class() Class    { return ClassSafety }
func (LockLinearizable) Needs() []string { return lockOpFacts }

// Check runs the check.
func (x LockLinearizable) Check(h *History) Result {
	return linResult("lock-linear", "lock", "lock", CheckLocks(LockOps(h), x.Timeout))
}

// csInterval is the time a client believed it held a lock.
type csInterval struct {
	client string
	lock   string
	token  int64
	from   time.Duration
	to     time.Duration
	why    string
}

// crashCursor hands out a history's crashes, in order, to a walk over its
// observations. A node records nothing after its own crash, so by an
// observation the crashes that have happened are those strictly before it.
type crashCursor struct {
	crashes []sim.Crash
	next    int
}

// upTo returns the crashes not handed out yet that came before t, or at t
// too when inclusive (at the end of the run).
func (c *crashCursor) upTo(t time.Duration, inclusive bool) []sim.Crash {
	from := c.next
	for c.next < len(c.crashes) && (c.crashes[c.next].Time < t || inclusive && c.crashes[c.next].Time == t) {
		c.next++
	}
	return c.crashes[from:c.next]
}

// crashAfter is the first crash of node at or after t, or end.
func crashAfter(h *History, node sim.NodeID, t, end time.Duration) (time.Duration, bool) {
	for _, c := range h.Crashes {
		if c.Node == node && c.Time >= t {
			return c.Time, true
		}
	}
	return end, false
}

func csIntervals(h *History) []csInterval {
	open := map[atNode]int{}
	var out []csInterval
	for _, o := range h.Observations {
		switch f := o.Data.(type) {
		case obs.EnterCS:
			open[atNode{o.Node, f.Lock}] = len(out)
			to, crashed := crashAfter(h, o.Node, o.Time, h.End)
			why := "still inside at the end"
			if crashed {
				why = "crashed"
			}
			out = append(out, csInterval{client: h.name(o.Node), lock: f.Lock, token: f.Token, from: o.Time, to: to, why: why})
		case obs.LeaveCS:
			k := atNode{o.Node, f.Lock}
			if i, ok := open[k]; ok {
				if o.Time < out[i].to {
					out[i].to, out[i].why = o.Time, string(f.Why)
				}
				delete(open, k)
			}
		}
	}
	return out
}

// MutualExclusion checks, in true simulated time, that no two clients
// believed they were inside the critical section of the same lock at once.
// A belief lasts from entering to leaving, or to the client's crash: a
// dead process believes nothing. A paused one still does.
type MutualExclusion struct {
	// Fenced: the protected storage refuses stale tokens. Two clients
	// believing they hold the same lock is then expected of any lease (a
	// paused holder cannot know its lease ran out) and harmless, because
	// the storage refuses the stale one — StorageSafety judges that. The
	// overlaps stay in the evidence.
	Fenced bool
}

func (MutualExclusion) Name() string { return "mutex" }
func (MutualExclusion) Class() Class { return ClassSafety }

// Needs critical sections: a client entering one is the belief judged.
func (MutualExclusion) Needs() []string { return []string{obs.KindOf[obs.EnterCS]()} }

// Check runs the check.
func (m MutualExclusion) Check(h *History) Result {

	ivs := csIntervals(h)
	byLock := map[string][]csInterval{}
	for _, iv := range ivs {
		byLock[iv.lock] = append(byLock[iv.lock], iv)
	}
	locks := make([]string, 0, len(byLock))
	for l := range byLock {
		locks = append(locks, l)
	}
	sort.Strings(locks)
	var ev evidence
	for _, l := range locks {
		list := byLock[l]
		sort.SliceStable(list, func(i, j int) bool { return list[i].from < list[j].from })
		var inside []csInterval
		for _, iv := range list {
			keep := inside[:0]
			for _, o := range inside {
				if o.to > iv.from {
					keep = append(keep, o)
				}
			}
			inside = keep
			for _, o := range inside {
				if o.client != iv.client && iv.to > iv.from {
					ev.add("%s: %s (token %d) entered at %s while %s (token %d) was inside since %s, until %s (%s)",
						l, iv.client, iv.token, at(iv.from), o.client, o.token, at(o.from), at(o.to), o.why)
				}
			}
			inside = append(inside, iv)
		}
	}
	r := ev.judge("mutex", "overlapping critical sections", fmt.Sprintf("%d critical sections on %d %s, never two holders at once", len(ivs), len(locks), plural(len(locks), "lock")))
	if m.Fenced && r.Verdict == Violation {
		r.Verdict, r.Message = OK, "beliefs overlapped, harmless with fenced storage (see storage): "+r.Message
	}
	return r
}

// LostUpdates checks the protected resource: every accepted write must
// find the version its writer read. A write that finds a newer one
// overwrites an update the writer never saw — a lost update. The last
// accepted write of each key must also leave value == version, which holds
// because every write adds one to what it read.
type LostUpdates struct{}

func (LostUpdates) Name() string    { return "lost-updates" }
func (LostUpdates) Class() Class    { return ClassSafety }
func (LostUpdates) Needs() []string { return []string{obs.KindOf[obs.StorageWrite]()} }

// Check runs the check.
func (LostUpdates) Check(h *History) Result {

	var ev evidence
	type lastW struct {
		client string
		token  int64
		at     time.Duration
		value  int64
		ver    int64
	}
	last := map[string]lastW{}
	writes, rejected := 0, 0
	for _, o := range h.Observations {
		f, ok := o.Data.(obs.StorageWrite)
		if !ok {
			continue
		}
		if f.Rejected {
			rejected++
			continue
		}
		writes++
		if f.ReadVersion != f.PrevVersion {
			prev := last[f.Key]
			ev.add("%s: %s (token %d) wrote at %s based on version %d, but version %d (by %s, token %d, at %s) was there: an update is lost",
				f.Key, f.Client, f.Token, at(o.Time), f.ReadVersion, f.PrevVersion, prev.client, prev.token, at(prev.at))
		}
		last[f.Key] = lastW{client: f.Client, token: f.Token, at: o.Time, value: f.Value, ver: f.Version}
	}
	keys := make([]string, 0, len(last))
	for k := range last {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if l := last[k]; l.value != l.ver {
			ev.add("%s ends at value %d after %d accepted writes: %d increments lost", k, l.value, l.ver, l.ver-l.value)
		}
	}
	msg := fmt.Sprintf("%d writes to %d %s, none lost", writes, len(keys), plural(len(keys), "cell"))
	if rejected > 0 {
		msg += fmt.Sprintf(" (%d fenced off)", rejected)
	}
	return ev.judge("lost-updates", "lost updates", msg)
}

const notTakenOver = "locks of crashed holders not taken over in time"

// Takeover checks the lease's purpose, a liveness property: when a client
// crashes holding a lock (granted and not released, by its own account)
// and another client wants that lock, the lock is granted again — to
// anyone, the crashed client itself after a restart included: the lease
// did its work then — within bound of the crash (or of the other client's
// request, or of from, the time faults are healed, if later). Time in
// which no takeover was possible does not count against the bound: the
// lock service paused or down, or cut off from the client that got the
// lock (from every client while nobody got it).
//
// The service may also grant a request whose client crashed after making
// it (obs.LockGrant naming that request): down, or restarted as a process
// that knows nothing of it, the client cannot take the lock up. The lock
// has then moved on, so the crashed holder before it was taken over; and
// that client is a crashed holder from the grant, whose lock must in turn
// reach the next waiting client within bound.
type Takeover struct {
	From  time.Duration // when waiting starts to count (the heal time, or 0)
	Bound time.Duration // how soon another client must get a crashed holder's lock
}

func (Takeover) Name() string { return "takeover" }
func (Takeover) Class() Class { return ClassLiveness }

// Needs grants: without a holder there is nothing a crash could leave
// behind, and with grants "nobody crashed holding a lock" is a finding.
func (Takeover) Needs() []string { return []string{obs.KindOf[obs.LockGranted]()} }

// Check runs the check.
func (x Takeover) Check(h *History) Result {
	from, bound := x.From, x.Bound
	type holding struct {
		node sim.NodeID
		lock string
	}
	holds := map[atNode]holding{} // -> grant
	type crashHold struct {
		client string
		lock   string
		at     time.Duration
	}
	var crashed []crashHold
	type grantAt struct {
		client string
		node   sim.NodeID
		at     time.Duration
	}
	type request struct {
		client    string
		call, ret time.Duration
	}
	grants := map[string][]grantAt{}   // lock -> grants, in time order
	requests := map[string][]request{} // lock -> requests, in call order
	type reqRef struct {
		node sim.NodeID
		lock string
		i    int
	}
	openReq := calls[reqKey, reqRef]{} // -> its request
	deadReq := map[reqKey]bool{}       // requests whose client crashed before an answer
	crash := func(c sim.Crash) {
		var gone []atNode
		for k, hd := range holds {
			if hd.node == c.Node {
				crashed = append(crashed, crashHold{client: h.name(c.Node), lock: hd.lock, at: c.Time})
				gone = append(gone, k)
			}
		}
		for _, k := range gone {
			delete(holds, k)
		}
		// A crashed client wants nothing any more: its open requests end
		// with it (the order of this loop does not matter).
		for k, r := range openReq {
			if r.node == c.Node {
				requests[r.lock][r.i].ret = c.Time
				delete(openReq, k)
				deadReq[k] = true
			}
		}
	}
	crashes := crashCursor{crashes: h.Crashes}
	for _, o := range h.Observations {
		for _, c := range crashes.upTo(o.Time, false) {
			crash(c)
		}
		node := h.name(o.Node)
		switch f := o.Data.(type) {
		case obs.LockGrant:
			k := reqKey{f.Client, f.Req}
			if r, open := openReq[k]; open {
				if ct, crashed := crashAfter(h, r.node, o.Time, h.End); crashed && ct == o.Time {
					deadReq[k] = true // its client crashed at this very instant: the crash is not handed out yet
				}
			}
			if deadReq[k] {
				delete(deadReq, k) // a resent grant is the same grant
				id := nodeIndex(h, f.Client)
				grants[f.Lock] = append(grants[f.Lock], grantAt{f.Client, id, o.Time})
				crashed = append(crashed, crashHold{client: f.Client, lock: f.Lock, at: o.Time})
			}
		case obs.LockGranted:
			holds[atNode{o.Node, f.Lock}] = holding{node: o.Node, lock: f.Lock}
			grants[f.Lock] = append(grants[f.Lock], grantAt{node, o.Node, o.Time})
			if r, ok := openReq.answer(reqKey{node, f.Req}); ok {
				requests[r.lock][r.i].ret = o.Time
			}
		case obs.LockDenied:
			if r, ok := openReq.answer(reqKey{node, f.Req}); ok {
				requests[r.lock][r.i].ret = o.Time
			}
		case obs.LockRequest:
			openReq[reqKey{node, f.Req}] = reqRef{node: o.Node, lock: f.Lock, i: len(requests[f.Lock])}
			requests[f.Lock] = append(requests[f.Lock], request{client: node, call: o.Time, ret: h.End})
		case obs.LockReleased:
			delete(holds, atNode{o.Node, f.Lock})
		case obs.LeaveCS:
			if f.Why == obs.LeaveLeaseEnding {
				delete(holds, atNode{o.Node, f.Lock})
			}
		}
	}
	for _, c := range crashes.upTo(h.End, true) {
		crash(c)
	}
	sort.SliceStable(crashed, func(i, j int) bool {
		if crashed[i].at != crashed[j].at {
			return crashed[i].at < crashed[j].at
		}
		return crashed[i].lock < crashed[j].lock
	})
	var ev evidence
	var worst time.Duration
	taken := 0
	svc := serviceNodes(h)
	for _, c := range crashed {
		// Someone else waiting at the crash, or the first to ask after it.
		var want time.Duration = -1
		for _, r := range requests[c.lock] {
			if r.client == c.client || r.ret < c.at {
				continue
			}
			want = max(r.call, c.at, from)
			break
		}
		if want < 0 {
			continue
		}
		var got *grantAt
		for i, g := range grants[c.lock] {
			if g.at > c.at {
				got = &grants[c.lock][i]
				break
			}
		}
		if got == nil {
			if waited := h.End - want - impossible(h, svc, lockClients(h), want, h.End); waited > bound {
				ev.add("%s crashed holding %s at %s; nobody got it again by the end (%s), %v of it takeover was possible in (bound %v)", c.client, c.lock, at(c.at), at(h.End), waited, bound)
			}
			continue
		}
		excused := impossible(h, svc, map[sim.NodeID]bool{got.node: true}, want, got.at)
		waited := got.at - want - excused
		if waited > bound {
			ev.add("%s crashed holding %s at %s; %s got it next only at %s, %v later%s (bound %v)", c.client, c.lock, at(c.at), got.client, at(got.at), waited, excusedNote(excused), bound)
			continue
		}
		taken++
		worst = max(worst, waited)
	}
	msg := "no client crashed holding a lock someone else wanted"
	if taken > 0 {
		msg = fmt.Sprintf("%d %s of crashed holders taken over, the slowest after %v (bound %v)", taken, plural(taken, "lock"), worst, bound)
	}
	return ev.judge("takeover", notTakenOver, msg)
}
