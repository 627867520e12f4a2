package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"strconv"
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

const traceChunk = 1024

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
func FormatTime(d time.Duration) string { return string(AppendTime(nil, d)) }

// AppendTime appends FormatTime(d) to b. It is the trace's own time
// format, written by hand because it runs once per event of every run:
// the seconds right-aligned in at least 4 columns, a dot, 9 digits of
// nanoseconds (a negative time, which the kernel never makes, keeps the
// sign on both parts as fmt's %d would).
func AppendTime(b []byte, d time.Duration) []byte {
	sec, ns := int64(d/time.Second), int64(d%time.Second)
	var tmp [20]byte
	digits := strconv.AppendInt(tmp[:0], sec, 10)
	for i := len(digits); i < 4; i++ {
		b = append(b, ' ')
	}
	b = append(b, digits...)
	b = append(b, '.')
	if ns < 0 {
		b = append(b, '-')
		ns = -ns
		digits = strconv.AppendInt(tmp[:0], ns, 10)
		for i := len(digits) + 1; i < 9; i++ {
			b = append(b, '0')
		}
		return append(b, digits...)
	}
	digits = strconv.AppendInt(tmp[:0], ns, 10)
	for i := len(digits); i < 9; i++ {
		b = append(b, '0')
	}
	return append(b, digits...)
}

// TraceAppender is implemented by messages, timer tags and observations
// that can write their trace text without allocating. AppendTrace must
// append exactly what fmt's %v prints for the value (its String, for a
// Stringer): the trace hash is a hash of that text, and a type that
// implements the method only makes the run faster, never different. The
// usual way to keep the two equal is to write String as
// string(x.AppendTrace(nil)).
type TraceAppender interface {
	AppendTrace(b []byte) []byte
}

// AppendValue appends v's canonical text (fmt's %v) to b, without fmt
// when v is a TraceAppender.
func AppendValue(b []byte, v any) []byte {
	if a, ok := v.(TraceAppender); ok {
		return a.AppendTrace(b)
	}
	return fmt.Append(b, v)
}

// timeText remembers the text of the last time formatted: the events of
// one handler run share their time, so most lines repeat it.
type timeText struct {
	t   time.Duration
	n   int
	buf [24]byte
}

func (c *timeText) append(b []byte, t time.Duration) []byte {
	if c.n == 0 || c.t != t {
		c.t, c.n = t, len(AppendTime(c.buf[:0], t))
	}
	return append(b, c.buf[:c.n]...)
}

// appendEvent appends the canonical text of e, naming nodes from names;
// times may come from tc.
func appendEvent(b []byte, e *Event, names []string, tc *timeText) []byte {
	if tc != nil {
		b = tc.append(b, e.Time)
	} else {
		b = AppendTime(b, e.Time)
	}
	b = append(b, ' ')
	b = append(b, e.Kind.String()...)
	b = append(b, ' ')
	switch e.Kind {
	case EvSend, EvDeliver, EvDrop:
		b = appendName(b, names, e.Node)
		b = append(b, "->"...)
		b = appendName(b, names, e.Peer)
		b = append(b, " m"...)
		b = strconv.AppendUint(b, e.ID, 10)
		if e.Drop != NotDropped {
			b = append(b, " ("...)
			b = append(b, e.Drop.String()...)
			b = append(b, ')')
		}
		b = append(b, ' ')
		b = AppendValue(b, e.Payload)
	case EvTimer:
		b = appendName(b, names, e.Node)
		b = append(b, " t"...)
		b = strconv.AppendUint(b, e.ID, 10)
		b = append(b, ' ')
		b = AppendValue(b, e.Payload)
	case EvObserve:
		b = appendName(b, names, e.Node)
		b = append(b, ' ')
		b = AppendValue(b, e.Payload)
	case EvFault:
		b = AppendValue(b, e.Payload)
	case EvRestart:
		b = appendName(b, names, e.Node)
		b = append(b, " incarnation "...)
		b = strconv.AppendUint(b, e.ID, 10)
	case EvPause:
		b = appendName(b, names, e.Node)
		b = append(b, " for "...)
		b = AppendValue(b, e.Payload)
	default:
		b = appendName(b, names, e.Node)
	}
	return b
}

func appendName(b []byte, names []string, id NodeID) []byte {
	if id >= 0 && int(id) < len(names) {
		return append(b, names[id]...)
	}
	return fmt.Appendf(b, "node(%d)", id)
}

// Format renders event i in its canonical text form.
func (t *Trace) Format(i int) string { return string(appendEvent(nil, t.At(i), t.names, nil)) }

// Lines returns every event in canonical text form.
func (t *Trace) Lines() []string {
	out := make([]string, t.n)
	for i := range out {
		out[i] = t.Format(i)
	}
	return out
}

// Hash is a SHA-256 over the canonical text of every event, one per line,
// shortened to 16 hex digits: equal hashes mean equal runs. A run computes
// the same hash as it goes, stored trace or not (World.TraceHash).
func (t *Trace) Hash() string {
	var h traceHasher
	h.reset()
	for i := 0; i < t.n; i++ {
		h.add(t.At(i), t.names)
	}
	return h.sum()
}

// traceHasher hashes canonical event text as events happen, so that a
// run keeps a hash of its trace without keeping the trace. Lines are
// gathered in a reused buffer and hashed a few kilobytes at a time, which
// costs less than a hash write per event.
type traceHasher struct {
	h    hash.Hash
	buf  []byte
	time timeText
}

const hashFlush = 4096

func (h *traceHasher) reset() {
	if h.h == nil {
		h.h = sha256.New()
		h.buf = make([]byte, 0, hashFlush+512)
	}
	h.h.Reset()
	h.buf = h.buf[:0]
	h.time = timeText{}
}

func (h *traceHasher) add(e *Event, names []string) {
	h.buf = appendEvent(h.buf, e, names, &h.time)
	h.buf = append(h.buf, '\n')
	if len(h.buf) >= hashFlush {
		h.h.Write(h.buf)
		h.buf = h.buf[:0]
	}
}

func (h *traceHasher) sum() string {
	h.h.Write(h.buf)
	h.buf = h.buf[:0]
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.h.Sum(sum[:0]))[:16]
}

// Len is the number of recorded events.
func (t *Trace) Len() int { return t.n }
