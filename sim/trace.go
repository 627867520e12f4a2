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

// DropReason says why a message was lost.
type DropReason uint8

const (
	NotDropped       DropReason = iota
	DropLost                    // the link lost it (loss probability)
	DropPartitioned             // the link was cut when it was sent
	DropInFlight                // the link was cut while it was in flight
	DropReceiverDown            // the receiver was crashed at delivery time
	DropNoSuchNode              // sent to a node that does not exist
)

var dropNames = [...]string{"", "lost", "partitioned", "partitioned in flight", "receiver down", "no such node"}

func (d DropReason) String() string {
	if int(d) < len(dropNames) {
		return dropNames[d]
	}
	return fmt.Sprintf("drop(%d)", d)
}

// Event is one entry of the trace. It is kept structured (not as text) so
// that later tools — space-time diagrams, shrinking, replay — can read it
// without parsing; Format gives the one canonical text form. It is kept
// small because a run records one per send, delivery, timer and fault.
type Event struct {
	Time time.Duration // true simulated time
	ID   uint64        // message id (send/deliver/drop), timer id, or incarnation (restart)
	Node NodeID        // actor: sender, timer owner, crashed node
	Peer NodeID        // the other end of a message, or None
	Kind EventKind
	Drop DropReason
	// Payload is the Message (send, deliver, drop), the timer's tag, the
	// observation (a fmt.Stringer), the Fault applied, or the length of a
	// pause (time.Duration).
	Payload any
}

// Trace is the complete, ordered record of a run. Events are stored in
// fixed-size chunks so that a long run never copies its trace to grow it.
type Trace struct {
	names  []string
	chunks [][]Event
	n      int
}

const traceChunk = 4096

func (t *Trace) add(e Event) {
	if t.n%traceChunk == 0 {
		t.chunks = append(t.chunks, make([]Event, 0, traceChunk))
	}
	c := &t.chunks[len(t.chunks)-1]
	*c = append(*c, e)
	t.n++
}

// Names lists the node names, by id, that the trace's events refer to.
func (t *Trace) Names() []string { return append([]string(nil), t.names...) }

// At returns event i (from 0).
func (t *Trace) At(i int) *Event { return &t.chunks[i/traceChunk][i%traceChunk] }

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
	e := t.At(i)
	var b strings.Builder
	b.WriteString(FormatTime(e.Time))
	b.WriteByte(' ')
	b.WriteString(e.Kind.String())
	b.WriteByte(' ')
	switch e.Kind {
	case EvSend, EvDeliver, EvDrop:
		fmt.Fprintf(&b, "%s->%s m%d", t.name(e.Node), t.name(e.Peer), e.ID)
		if e.Drop != NotDropped {
			fmt.Fprintf(&b, " (%s)", e.Drop)
		}
		fmt.Fprintf(&b, " %v", e.Payload)
	case EvTimer:
		fmt.Fprintf(&b, "%s t%d %v", t.name(e.Node), e.ID, e.Payload)
	case EvObserve:
		fmt.Fprintf(&b, "%s %v", t.name(e.Node), e.Payload)
	case EvFault:
		fmt.Fprintf(&b, "%v", e.Payload)
	case EvRestart:
		fmt.Fprintf(&b, "%s incarnation %d", t.name(e.Node), e.ID)
	case EvPause:
		fmt.Fprintf(&b, "%s for %v", t.name(e.Node), e.Payload)
	default:
		b.WriteString(t.name(e.Node))
	}
	return b.String()
}

// Lines returns every event in canonical text form.
func (t *Trace) Lines() []string {
	out := make([]string, t.n)
	for i := range out {
		out[i] = t.Format(i)
	}
	return out
}

// Hash is a SHA-256 over the canonical text of every event, one per line,
// shortened to 16 hex digits: equal hashes mean equal runs.
func (t *Trace) Hash() string {
	h := sha256.New()
	for i := 0; i < t.n; i++ {
		h.Write([]byte(t.Format(i)))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Len is the number of recorded events.
func (t *Trace) Len() int { return t.n }
