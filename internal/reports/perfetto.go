package reports

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/sim"
)

// ChromeTrace writes the run in the Chrome trace-event JSON format that
// ui.perfetto.dev and chrome://tracing open: one process for the run, a
// thread (track) per node; every handler execution (a delivery, a timer, a
// start) as a complete slice; every delivered message as a flow arrow from
// the sender's slice to the receiver's; crashes, drops and fault actions as
// instants; observations as instants carrying their text; and the intervals
// of the HTML report (down, paused, partitioned, clock faults, uncertain or
// blocked participants, lock beliefs, true holders, leases) as async spans,
// which may overlap where slices may not.
//
// Simulated handlers take no time, so each slice is given up to 1 µs of
// true time (less when the node's next handler comes sooner) and the events
// inside it are placed a nanosecond apart from its start; a handler at the
// very nanosecond another one ended on the same node is moved one
// nanosecond later. Every ts is therefore the true time to within a
// microsecond, and slices on a thread never overlap.
func ChromeTrace(w io.Writer, o *scenarios.Outcome) error {
	if o.Trace == nil {
		return fmt.Errorf("the run has no trace to export")
	}
	t := o.Trace
	names := t.Names()
	bw := bufio.NewWriter(w)
	first := true
	emit := func(ev map[string]any) error {
		b, err := json.Marshal(ev)
		if err != nil {
			return fmt.Errorf("chrome trace: %w", err)
		}
		if !first {
			bw.WriteString(",\n")
		}
		first = false
		_, err = bw.Write(b)
		return err
	}
	bw.WriteString(`{"displayTimeUnit":"ns","otherData":`)
	meta, _ := json.Marshal(map[string]any{"scenario": o.Scenario, "seed": o.Seed, "verdict": o.Verdict, "trace_hash": o.TraceHash})
	bw.Write(meta)
	bw.WriteString(",\"traceEvents\":[\n")

	const pid = 1
	tid := func(n sim.NodeID) int { return int(n) + 1 }
	evs := []map[string]any{
		{"ph": "M", "name": "process_name", "pid": pid, "tid": 0, "args": map[string]any{"name": fmt.Sprintf("%s seed %d (%s)", o.Scenario, o.Seed, o.Verdict)}},
	}
	for i, n := range names {
		evs = append(evs,
			map[string]any{"ph": "M", "name": "thread_name", "pid": pid, "tid": i + 1, "args": map[string]any{"name": n}},
			map[string]any{"ph": "M", "name": "thread_sort_index", "pid": pid, "tid": i + 1, "args": map[string]any{"sort_index": i}})
	}
	for _, e := range evs {
		if err := emit(e); err != nil {
			return err
		}
	}

	// Slices: a handler-opening event starts one on its node; the sends,
	// observations and crashes that follow at the same time on that node
	// happen inside it.
	type slice struct {
		node       sim.NodeID
		start, end int64 // ns
		opener     int   // trace index
		members    []int
	}
	var slices []*slice
	open := map[sim.NodeID]int{}    // node -> index in slices of its latest handler
	sliceOf := make([]int, t.Len()) // trace index -> slice index, -1 none
	for i := 0; i < t.Len(); i++ {
		sliceOf[i] = -1
		e := t.At(i)
		switch e.Kind {
		case sim.EvStart, sim.EvDeliver, sim.EvTimer:
			s := &slice{node: e.Peer, start: int64(e.Time), opener: i}
			if e.Kind != sim.EvDeliver {
				s.node = e.Node
			}
			slices = append(slices, s)
			open[s.node] = len(slices) - 1
			sliceOf[i] = len(slices) - 1
		case sim.EvSend, sim.EvObserve, sim.EvCrash:
			if k, ok := open[e.Node]; ok && slices[k].start == int64(e.Time) {
				slices[k].members = append(slices[k].members, i)
				sliceOf[i] = k
			}
		}
	}
	// Place slices: at least one nanosecond per member plus one, at most
	// 1 µs, ending before the node's next handler.
	next := map[sim.NodeID]int64{}
	lastEnd := map[sim.NodeID]int64{}
	for k := len(slices) - 1; k >= 0; k-- {
		s := slices[k]
		if n, ok := next[s.node]; ok {
			s.end = n // provisional: the next handler's time
		} else {
			s.end = -1
		}
		next[s.node] = s.start
	}
	for _, s := range slices {
		if le, ok := lastEnd[s.node]; ok && s.start <= le {
			s.start = le + 1
		}
		need := int64(len(s.members) + 2)
		dur := int64(time.Microsecond)
		if s.end >= 0 && s.end-s.start-1 < dur {
			dur = s.end - s.start - 1
		}
		dur = max(dur, need)
		s.end = s.start + dur
		lastEnd[s.node] = s.end
	}
	tsOf := func(i int) int64 { // where trace event i is drawn
		if k := sliceOf[i]; k >= 0 {
			s := slices[k]
			if s.opener == i {
				return s.start
			}
			for j, m := range s.members {
				if m == i {
					return s.start + int64(j) + 1
				}
			}
		}
		return int64(t.At(i).Time)
	}
	for _, s := range slices {
		e := t.At(s.opener)
		name := e.Kind.String()
		switch e.Kind {
		case sim.EvDeliver:
			name = "recv " + firstWords(fmt.Sprint(e.Payload), 2)
		case sim.EvTimer:
			name = "timer " + firstWords(fmt.Sprint(e.Payload), 2)
		}
		if err := emit(map[string]any{"ph": "X", "name": name, "cat": e.Kind.String(), "pid": pid, "tid": tid(s.node),
			"ts": us(s.start), "dur": us(s.end - s.start), "args": map[string]any{"line": t.Format(s.opener)}}); err != nil {
			return err
		}
	}
	// Flows, instants.
	sendAt := map[uint64]int{}
	for i := 0; i < t.Len(); i++ {
		e := t.At(i)
		var ev map[string]any
		switch e.Kind {
		case sim.EvSend:
			if sliceOf[i] >= 0 {
				sendAt[e.ID] = i
			}
		case sim.EvDeliver:
			si, ok := sendAt[e.ID]
			if !ok || sliceOf[i] < 0 {
				continue
			}
			delete(sendAt, e.ID)
			// Perfetto binds a flow to the slice enclosing it; DevTools
			// to an event of the same category at the same ts, thread and
			// category: the send and receive instants give it one.
			flowName := firstWords(fmt.Sprint(e.Payload), 1)
			text := firstWords(fmt.Sprint(e.Payload), 2)
			for _, x := range []map[string]any{
				{"ph": "i", "s": "t", "name": "send " + text, "cat": "message", "pid": pid, "tid": tid(e.Node), "ts": us(tsOf(si)), "args": map[string]any{"line": t.Format(si)}},
				{"ph": "s", "name": flowName, "cat": "message", "id": e.ID, "pid": pid, "tid": tid(e.Node), "ts": us(tsOf(si))},
				{"ph": "i", "s": "t", "name": "recv " + text, "cat": "message", "pid": pid, "tid": tid(e.Peer), "ts": us(tsOf(i) + 1), "args": map[string]any{"line": t.Format(i)}},
			} {
				if err := emit(x); err != nil {
					return err
				}
			}
			ev = map[string]any{"ph": "f", "bp": "e", "name": flowName, "cat": "message", "id": e.ID, "pid": pid, "tid": tid(e.Peer), "ts": us(tsOf(i) + 1)}
		case sim.EvDrop:
			delete(sendAt, e.ID)
			node := e.Node
			if e.Drop == sim.DropInFlight || e.Drop == sim.DropReceiverDown {
				if e.Peer >= 0 && int(e.Peer) < len(names) {
					node = e.Peer
				}
			}
			ev = map[string]any{"ph": "i", "s": "t", "name": "drop " + firstWords(fmt.Sprint(e.Payload), 2), "cat": "drop", "pid": pid, "tid": tid(node), "ts": us(tsOf(i)), "args": map[string]any{"line": t.Format(i)}}
		case sim.EvObserve:
			ev = map[string]any{"ph": "i", "s": "t", "name": firstWords(fmt.Sprint(e.Payload), 3), "cat": "observation", "pid": pid, "tid": tid(e.Node), "ts": us(tsOf(i)), "args": map[string]any{"observation": fmt.Sprint(e.Payload), "line": t.Format(i)}}
		case sim.EvCrash, sim.EvRestart, sim.EvPause, sim.EvResume:
			ev = map[string]any{"ph": "i", "s": "t", "name": e.Kind.String(), "cat": "fault", "pid": pid, "tid": tid(e.Node), "ts": us(tsOf(i)), "args": map[string]any{"line": t.Format(i)}}
		case sim.EvFault:
			ev = map[string]any{"ph": "i", "s": "g", "name": "fault " + fmt.Sprint(e.Payload), "cat": "fault", "pid": pid, "tid": 0, "ts": us(int64(e.Time)), "args": map[string]any{"line": t.Format(i)}}
		}
		if ev != nil {
			if err := emit(ev); err != nil {
				return err
			}
		}
	}
	for k, s := range spansOf(o, int64(o.SimTime)) {
		if s.Lane < 0 || s.Lane >= len(names) || s.To < s.From {
			continue
		}
		base := map[string]any{"name": s.Label, "cat": "span." + s.Class, "id": k + 1, "pid": pid, "tid": s.Lane + 1}
		b, e := copyMap(base), copyMap(base)
		b["ph"], b["ts"] = "b", us(s.From)
		b["args"] = map[string]any{"kind": s.Class, "until_end": s.Open}
		e["ph"], e["ts"] = "e", us(s.To)
		if err := emit(b); err != nil {
			return err
		}
		if err := emit(e); err != nil {
			return err
		}
	}
	bw.WriteString("\n]}\n")
	return bw.Flush()
}

// us is a nanosecond time as microseconds, exactly (json.Number keeps the
// three decimals without float rounding).
func us(ns int64) json.Number {
	return json.Number(fmt.Sprintf("%d.%03d", ns/1000, ns%1000))
}

func firstWords(s string, n int) string {
	f := strings.Fields(s)
	if len(f) > n {
		f = f[:n]
	}
	return strings.Join(f, " ")
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+3)
	for k, v := range m {
		out[k] = v
	}
	return out
}
