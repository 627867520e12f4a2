package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// EventKind names what happened in one trace event.
type EventKind uint8

const (
	EvStart   EventKind = iota // a node started, fresh or after a restart
	EvSend                     // a message left its sender
	EvDeliver                  // a message reached a live receiver
	EvDrop                     // a message was lost; Detail says why
	EvTimer                    // a timer fired at a live node
	EvCrash                    // a node crashed
	EvRestart                  // a crashed node came back
	EvPause                    // a node stopped handling events for a while
	EvResume                   // a paused node resumed
	EvFault                    // a fault action was applied; Detail describes it
	EvObserve                  // a protocol observation; Data holds it
)

var eventKindNames = [...]string{
	EvStart: "start", EvSend: "send", EvDeliver: "deliver", EvDrop: "drop",
	EvTimer: "timer", EvCrash: "crash", EvRestart: "restart", EvPause: "pause",
	EvResume: "resume", EvFault: "fault", EvObserve: "observe",
}

func (k EventKind) String() string {
	if int(k) < len(eventKindNames) {
		return eventKindNames[k]
	}
	return fmt.Sprintf("event(%d)", k)
}

// Event is one entry of the trace. It is kept structured (not as text) so
// that later tools — space-time diagrams, shrinking, replay — can read it
// without parsing; String gives the one canonical text form.
type Event struct {
	Time   time.Duration // true simulated time
	Kind   EventKind
	Node   NodeID // actor: sender, receiver, timer owner, crashed node
	Peer   NodeID // the other end of a message, or -1
	ID     uint64 // message id (send/deliver/drop) or timer id
	Msg    Message
	Tag    any          // timer tag
	Data   fmt.Stringer // observation
	Detail string       // drop reason, fault text, incarnation
}

// Trace is the complete, ordered record of a run.
type Trace struct {
	names  []string
	Events []Event
}

func (t *Trace) name(id NodeID) string {
	if id >= 0 && int(id) < len(t.names) {
		return t.names[id]
	}
	return fmt.Sprintf("node(%d)", id)
}

// FormatTime is the canonical text form of a simulated time: seconds with
// nanosecond precision, fixed width, so traces line up and sort as text.
func FormatTime(d time.Duration) string {
	return fmt.Sprintf("%4d.%09d", d/time.Second, d%time.Second)
}

// Format renders event i in its canonical text form.
func (t *Trace) Format(i int) string {
	e := &t.Events[i]
	var b strings.Builder
	b.WriteString(FormatTime(e.Time))
	b.WriteByte(' ')
	b.WriteString(e.Kind.String())
	b.WriteByte(' ')
	switch e.Kind {
	case EvSend, EvDeliver, EvDrop:
		fmt.Fprintf(&b, "%s->%s m%d", t.name(e.Node), t.name(e.Peer), e.ID)
		if e.Detail != "" {
			fmt.Fprintf(&b, " (%s)", e.Detail)
		}
		b.WriteByte(' ')
		b.WriteString(e.Msg.String())
	case EvTimer:
		fmt.Fprintf(&b, "%s t%d %v", t.name(e.Node), e.ID, e.Tag)
	case EvObserve:
		fmt.Fprintf(&b, "%s %s", t.name(e.Node), e.Data.String())
	case EvFault:
		b.WriteString(e.Detail)
	default:
		b.WriteString(t.name(e.Node))
		if e.Detail != "" {
			b.WriteByte(' ')
			b.WriteString(e.Detail)
		}
	}
	return b.String()
}

// Lines returns every event in canonical text form.
func (t *Trace) Lines() []string {
	out := make([]string, len(t.Events))
	for i := range t.Events {
		out[i] = t.Format(i)
	}
	return out
}

// Hash is a SHA-256 over the canonical text of every event, one per line,
// shortened to 16 hex digits: equal hashes mean equal runs.
func (t *Trace) Hash() string {
	h := sha256.New()
	for i := range t.Events {
		h.Write([]byte(t.Format(i)))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Len is the number of recorded events.
func (t *Trace) Len() int { return len(t.Events) }
