package sim

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/cespare/xxhash/v2"
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

// appendEvent appends the canonical text of e, naming nodes from names.
func appendEvent(b []byte, e *Event, names []string) []byte {
	b = AppendTime(b, e.Time)
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
func (t *Trace) Format(i int) string { return string(appendEvent(nil, t.At(i), t.names)) }

// Lines returns every event in canonical text form.
func (t *Trace) Lines() []string {
	out := make([]string, t.n)
	for i := range out {
		out[i] = t.Format(i)
	}
	return out
}

// Hash is the fingerprint of the trace, 16 hex digits: equal hashes mean
// equal runs. A run computes the same hash as it goes, stored trace or
// not (World.TraceHash).
//
// It hashes what the canonical text says, not the text itself: each
// event's time, kind, nodes, id and drop reason as fixed-width integers,
// the length of its payload's canonical text (AppendValue; a message's at
// its send only) and that text, and at the end the node names and the
// counts — an encoding that reads back one way only. Formatting times and names as text and putting
// ~200 bytes a line through SHA-256 cost a quarter of an untraced run; a
// non-cryptographic 64-bit hash (xxHash) is enough for a fingerprint
// nobody forges, and the old hash kept only 64 bits of SHA-256 anyway.
func (t *Trace) Hash() string {
	var h traceHasher
	h.reset()
	for i := 0; i < t.n; i++ {
		h.add(t.At(i))
	}
	return h.sumNames(t.names)
}

// traceHasher hashes events as they happen, so that a run keeps a hash
// of its trace without keeping the trace. Encoded events are gathered in
// a reused buffer and hashed a few kilobytes at a time, which costs less
// than a hash write per event.
type traceHasher struct {
	d      xxhash.Digest
	buf    []byte
	events uint64
}

const hashFlush = 4096

func (h *traceHasher) reset() {
	if h.buf == nil {
		h.buf = make([]byte, 0, hashFlush+512)
	}
	h.d.Reset()
	h.buf = h.buf[:0]
	h.events = 0
}

// eventHeader is the fixed part of an event's encoding: time and id
// (8 bytes each), node and peer (4 each), kind and drop reason, and the
// length of the payload text that follows (4; noPayload for none). With
// the length ahead of the text, the encoding of a trace reads back one
// way only, so two traces that differ never hash the same bytes.
const eventHeader = 8 + 8 + 4 + 4 + 1 + 1 + 4

const noPayload = 1<<32 - 1

func (h *traceHasher) add(e *Event) {
	b := h.buf
	n := len(b)
	b = append(b, make([]byte, eventHeader)...)
	hd := b[n:]
	binary.LittleEndian.PutUint64(hd[0:], uint64(e.Time))
	binary.LittleEndian.PutUint64(hd[8:], e.ID)
	binary.LittleEndian.PutUint32(hd[16:], uint32(e.Node))
	binary.LittleEndian.PutUint32(hd[20:], uint32(e.Peer))
	hd[24], hd[25] = byte(e.Kind), byte(e.Drop)
	binary.LittleEndian.PutUint32(hd[26:], noPayload)
	// A delivery or drop carries the message its send did, and a sent
	// message never changes (Env.Send), so its text is hashed once, at the
	// send; the id ties the later events to it.
	if e.Payload != nil && e.Kind != EvDeliver && e.Kind != EvDrop {
		p := len(b)
		b = AppendValue(b, e.Payload)
		binary.LittleEndian.PutUint32(b[n+26:], uint32(len(b)-p))
	}
	h.events++
	if len(b) >= hashFlush {
		h.d.Write(b)
		b = b[:0]
	}
	h.buf = b
}

// sumNames finishes the hash with the node names the events' ids refer
// to. The running digest is left as it was, so a run can be read mid-way
// and go on.
func (h *traceHasher) sumNames(names []string) string {
	// Each name then its length, the number of names and the number of
	// events: read from the end, this trailer says where the events stop.
	d := h.d
	d.Write(h.buf)
	var tmp [8]byte
	for _, name := range names {
		d.WriteString(name)
		binary.LittleEndian.PutUint32(tmp[:4], uint32(len(name)))
		d.Write(tmp[:4])
	}
	binary.LittleEndian.PutUint32(tmp[:4], uint32(len(names)))
	d.Write(tmp[:4])
	binary.LittleEndian.PutUint64(tmp[:], h.events)
	d.Write(tmp[:])
	var sum [8]byte
	binary.BigEndian.PutUint64(sum[:], d.Sum64())
	return hex.EncodeToString(sum[:])
}

// Len is the number of recorded events.
func (t *Trace) Len() int { return t.n }
