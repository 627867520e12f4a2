package reports

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/sim"
)

// runView is everything the run page's script draws, computed in Go from
// the trace, the observations and the checkers' results. Events travel as
// a flat integer array with interned payload strings, so a 30,000-event run
// stays near a megabyte; the script rebuilds each canonical trace line from
// them exactly as sim.Trace.Format does.
type runView struct {
	Names    []string      `json:"names"`
	End      int64         `json:"end"`
	Strs     []string      `json:"strs"`
	Ev       []int64       `json:"ev"` // per event: time delta (ns), kind, node, peer, id, payload string, drop reason
	Spans    []viewSpan    `json:"spans"`
	Findings []viewFinding `json:"findings"`
	Focus    int           `json:"focus"` // index in Findings to open on, -1: the whole run
	From     int64         `json:"from"`  // a window asked for on the command line (To 0: none)
	To       int64         `json:"to"`
	Mode     string        `json:"mode"` // "time" or "rows"
}

const evFields = 7

// viewSpan is an interval drawn on a lane (Lane -1: every lane).
type viewSpan struct {
	Lane  int    `json:"lane"`
	From  int64  `json:"from"`
	To    int64  `json:"to"`
	Class string `json:"cls"` // down, pause, uncertain, blocked, belief, holder, lease, partition, clock
	Label string `json:"label"`
	Open  bool   `json:"open,omitempty"` // still going at the end of the run
}

// viewFinding is one checker result that is not ok, with the trace events
// its evidence names and the window that shows them.
type viewFinding struct {
	Checker  string   `json:"checker"`
	Verdict  string   `json:"verdict"`
	Message  string   `json:"message"`
	Evidence []string `json:"evidence,omitempty"`
	Events   []int    `json:"events"`
	From     int64    `json:"from"`
	To       int64    `json:"to"`
}

// evidenceTime matches the true times checkers print: seconds with
// nanosecond precision (sim.FormatTime), alone or as node@time. At that
// precision a time names its events almost uniquely.
var evidenceTime = regexp.MustCompile(`(?:^|[^\d.])(\d+)\.(\d{9})(?:[^\d]|$)`)

func buildRunView(o *scenarios.Outcome, opt HTMLOptions) runView {
	t := o.Trace
	v := runView{Names: t.Names(), Focus: -1, From: int64(opt.From), To: int64(opt.To), Mode: "time"}
	if opt.Rows {
		v.Mode = "rows"
	}
	strIdx := map[string]int{}
	intern := func(s string) int64 {
		i, ok := strIdx[s]
		if !ok {
			i = len(v.Strs)
			strIdx[s] = i
			v.Strs = append(v.Strs, s)
		}
		return int64(i)
	}
	byTime := map[int64][]int{}
	v.Ev = make([]int64, 0, t.Len()*evFields)
	prev := time.Duration(0)
	for i := 0; i < t.Len(); i++ {
		e := t.At(i)
		payload := int64(-1)
		if e.Payload != nil {
			payload = intern(fmt.Sprint(e.Payload))
		}
		v.Ev = append(v.Ev, int64(e.Time-prev), int64(e.Kind), int64(e.Node), int64(e.Peer), int64(e.ID), payload, int64(e.Drop))
		prev = e.Time
		byTime[int64(e.Time)] = append(byTime[int64(e.Time)], i)
	}
	v.End = int64(o.SimTime)
	if t.Len() > 0 {
		v.End = max(v.End, int64(t.At(t.Len()-1).Time))
	}
	v.Spans = spansOf(o, v.End)
	v.Findings = findingsOf(o, byTime, v.End)
	first := int64(-1)
	for i, f := range v.Findings {
		if f.Verdict != string(checker.Violation) || len(f.Events) == 0 {
			continue
		}
		if at := int64(t.At(f.Events[0]).Time); first < 0 || at < first {
			first, v.Focus = at, i
		}
	}
	if v.Focus < 0 {
		for i, f := range v.Findings {
			if f.Verdict == string(checker.Blocked) {
				v.Focus = i
				break
			}
		}
	}
	return v
}

// findingsOf links each result that is not ok to the trace events its
// message and evidence name by time, and to the window that shows them.
func findingsOf(o *scenarios.Outcome, byTime map[int64][]int, end int64) []viewFinding {
	t := o.Trace
	var out []viewFinding
	for _, r := range o.Results {
		if r.Verdict == checker.OK {
			continue
		}
		f := viewFinding{Checker: r.Checker, Verdict: string(r.Verdict), Message: r.Message, Evidence: r.Evidence, Events: []int{}}
		seen := map[int]bool{}
		add := func(i int) {
			if !seen[i] && len(f.Events) < 24 {
				seen[i] = true
				f.Events = append(f.Events, i)
			}
		}
		text := r.Message + "\n" + strings.Join(r.Evidence, "\n")
		for _, s := range r.Stuck {
			// The vote that made the participant uncertain, at Since.
			for _, i := range byTime[int64(s.Since)] {
				if e := t.At(i); e.Kind == sim.EvObserve && nameOf(t, e.Node) == s.Node {
					if vt, ok := e.Payload.(obs.Vote); ok && vt.Txn == s.Txn {
						add(i)
					}
				}
			}
		}
		for _, m := range evidenceTime.FindAllStringSubmatch(text, -1) {
			sec, _ := strconv.ParseInt(m[1], 10, 64)
			ns, _ := strconv.ParseInt(m[2], 10, 64)
			at := sec*int64(time.Second) + ns
			var obsAt, named []int
			for _, i := range byTime[at] {
				e := t.At(i)
				if e.Kind == sim.EvObserve || e.Kind == sim.EvCrash || e.Kind == sim.EvFault || e.Kind == sim.EvPause {
					obsAt = append(obsAt, i)
					if n := nameOf(t, e.Node); n != "" && strings.Contains(text, n) && mentions(text, e) {
						named = append(named, i)
					}
				}
			}
			if len(named) == 0 {
				named = obsAt
			}
			for _, i := range named {
				add(i)
			}
		}
		sort.Ints(f.Events)
		if len(f.Events) > 0 {
			a, b := int64(t.At(f.Events[0]).Time), int64(t.At(f.Events[len(f.Events)-1]).Time)
			if r.Verdict == checker.Blocked {
				b = end
			}
			pad := max((b-a)/8, int64(2*time.Millisecond))
			f.From, f.To = max(0, a-pad), min(end, b+pad)
		} else {
			f.From, f.To = 0, end
		}
		out = append(out, f)
	}
	return out
}

// mentions reports whether an observation's subject (its transaction, lock
// or key) appears in the finding's text, so that of the events at a named
// time only those the finding is about are highlighted.
func mentions(text string, e *sim.Event) bool {
	if e.Kind != sim.EvObserve {
		return true
	}
	fields := strings.Fields(fmt.Sprint(e.Payload))
	if len(fields) < 2 {
		return true
	}
	subject := fields[1]
	if i := strings.IndexByte(subject, '@'); i > 0 && len(fields) > 2 {
		subject = fields[2] // "redis-call redis@redis set-nx lock-1": the service is not the subject
	}
	return strings.Contains(text, subject) || strings.Contains(text, strings.TrimSuffix(subject, ","))
}

func nameOf(t *sim.Trace, id sim.NodeID) string {
	names := t.Names()
	if id >= 0 && int(id) < len(names) {
		return names[id]
	}
	return ""
}

// spansOf turns the trace and observations into intervals: crashed-down
// periods, pauses, partitions, clock faults, participants uncertain or
// blocked (with their locks), each client's belief that it holds a lock,
// the lock service's true holder, and Redis leases.
func spansOf(o *scenarios.Outcome, end int64) []viewSpan {
	t := o.Trace
	names := t.Names()
	lane := map[string]int{}
	for i, n := range names {
		lane[n] = i
	}
	var spans []viewSpan
	type key struct {
		node int
		what string
	}
	open := map[key]int{} // index in spans of an interval still open
	begin := func(k key, at int64, cls, label string) {
		if i, ok := open[k]; ok {
			spans[i].To = at
		}
		open[k] = len(spans)
		spans = append(spans, viewSpan{Lane: k.node, From: at, To: end, Class: cls, Label: label, Open: true})
	}
	finish := func(k key, at int64) {
		if i, ok := open[k]; ok {
			spans[i].To, spans[i].Open = at, false
			delete(open, k)
		}
	}
	finishNode := func(node int, at int64, classes ...string) {
		var ks []key
		for k := range open {
			if k.node == node {
				ks = append(ks, k)
			}
		}
		// Sorted so that the spans' order never depends on map order.
		sort.Slice(ks, func(a, b int) bool { return ks[a].what < ks[b].what })
		for _, k := range ks {
			for _, c := range classes {
				if spans[open[k]].Class == c {
					finish(k, at)
				}
			}
		}
	}
	stuck := map[string]checker.Stuck{}
	for _, r := range o.Results {
		for _, s := range r.Stuck {
			stuck[s.Node+" "+s.Txn] = s
		}
	}
	type call struct {
		op  string
		ttl time.Duration
	}
	calls := map[string]call{}
	type lease struct {
		span   int // index in spans
		client string
	}
	leases := map[string]lease{} // by node and key: the latest lease
	// endLease cuts a lease short where the server dropped the key or
	// gave it to another client before its TTL ran out (a clock jump, a
	// delete, a restart without persistence).
	endLease := func(node int, key string, at int64, unless string) {
		k := fmt.Sprint(node, " ", key)
		if l, ok := leases[k]; ok && (unless == "" || l.client != unless) {
			spans[l.span].To = min(spans[l.span].To, at)
			delete(leases, k)
		}
	}
	netCut := map[int]bool{}
	for i := 0; i < t.Len(); i++ {
		e := t.At(i)
		at := int64(e.Time)
		node := int(e.Node)
		switch e.Kind {
		case sim.EvCrash:
			finishNode(node, at, "uncertain", "belief", "pause")
			begin(key{node, "down"}, at, "down", "down")
		case sim.EvRestart:
			finish(key{node, "down"}, at)
		case sim.EvPause:
			d, _ := e.Payload.(time.Duration)
			spans = append(spans, viewSpan{Lane: node, From: at, To: min(end, at+int64(d)), Class: "pause", Label: fmt.Sprintf("paused %v", d)})
		case sim.EvFault:
			a, ok := e.Payload.(faults.Action)
			if !ok {
				continue
			}
			switch a.Kind {
			case faults.Partition:
				// The smaller sides are the cut-off ones; when every side
				// is the same size, all are.
				largest, ties := 0, 0
				for _, g := range a.Groups {
					switch {
					case len(g) > largest:
						largest, ties = len(g), 1
					case len(g) == largest:
						ties++
					}
				}
				for _, group := range a.Groups {
					if len(group) == largest && ties < len(a.Groups) {
						continue
					}
					for _, n := range group {
						netCut[lane[n]] = true
						begin(key{lane[n], "net"}, at, "partition", "cut off: "+a.String())
					}
				}
			case faults.Isolate:
				netCut[lane[a.Node]] = true
				begin(key{lane[a.Node], "net"}, at, "partition", "isolated")
			case faults.Cut:
				for _, n := range a.From {
					netCut[lane[n]] = true
					begin(key{lane[n], "net"}, at, "partition", "cut: "+a.String())
				}
			case faults.Heal, faults.HealAll:
				for n := range names {
					if netCut[n] {
						finish(key{n, "net"}, at)
						delete(netCut, n)
					}
				}
				if a.Kind == faults.HealAll {
					for n := range names {
						finish(key{n, "clock"}, at)
					}
				}
			case faults.ClockJump:
				begin(key{lane[a.Node], "clock"}, at, "clock", fmt.Sprintf("clock jumped %+v", time.Duration(a.Duration)))
			case faults.ClockDrift:
				begin(key{lane[a.Node], "clock"}, at, "clock", fmt.Sprintf("clock drift %+g%%", 100*a.Drift))
			}
		case sim.EvObserve:
			n := nameOf(t, e.Node)
			switch ob := e.Payload.(type) {
			case obs.Vote:
				if ob.Yes {
					label := "uncertain " + ob.Txn
					cls := "uncertain"
					if _, ok := stuck[n+" "+ob.Txn]; ok {
						label, cls = "blocked "+ob.Txn, "blocked"
					}
					if len(ob.Locks) > 0 {
						label += " holding " + strings.Join(ob.Locks, ",")
					}
					begin(key{node, "txn " + ob.Txn}, at, cls, label)
				}
			case obs.Decide:
				finish(key{node, "txn " + ob.Txn}, at)
			case obs.EnterCS:
				begin(key{node, "cs " + ob.Lock}, at, "belief", fmt.Sprintf("believes it holds %s (token %d)", ob.Lock, ob.Token))
			case obs.LeaveCS:
				finish(key{node, "cs " + ob.Lock}, at)
			case obs.Holder:
				endLease(node, ob.Lock, at, ob.Client)
				if ob.Client == "" {
					finish(key{node, "holder " + ob.Lock}, at)
				} else {
					begin(key{node, "holder " + ob.Lock}, at, "holder", fmt.Sprintf("%s really held by %s (token %d)", ob.Lock, ob.Client, ob.Token))
				}
			case obs.RedisExpired:
				endLease(node, ob.Key, at, "")
			case obs.RedisCall:
				calls[n+" "+ob.ID] = call{ob.Op, ob.TTL}
			case obs.RedisServed:
				c, ok := calls[ob.Client+" "+ob.ID]
				if ok && ob.OK && c.ttl > 0 {
					endLease(node, ob.Key, at, "")
					leases[fmt.Sprint(node, " ", ob.Key)] = lease{len(spans), ob.Client}
					spans = append(spans, viewSpan{Lane: node, From: at, To: min(end, at+int64(c.ttl)), Class: "lease",
						Label: fmt.Sprintf("lease %s for %s %v (%s)", ob.Key, ob.Client, c.ttl, c.op)})
				}
			}
		}
	}
	for i := range spans {
		if spans[i].Class == "uncertain" && spans[i].Open {
			spans[i].Class = "blocked"
		}
	}
	return spans
}
