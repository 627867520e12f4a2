package sim

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestTraceHashIsKeptWithoutTheTrace(t *testing.T) {
	stored, bare := chattyWorldCfg(t, 7, false), chattyWorldCfg(t, 7, true)
	stored.Run()
	bare.Run()
	require.Greater(t, stored.Trace().Len(), 100)
	require.Zero(t, bare.Trace().Len(), "NoTrace stores nothing")
	require.Len(t, bare.TraceHash(), 16)
	require.Equal(t, stored.Trace().Hash(), stored.TraceHash())
	require.Equal(t, stored.Trace().Hash(), bare.TraceHash())

	other := chattyWorldCfg(t, 8, true)
	other.Run()
	require.NotEqual(t, bare.TraceHash(), other.TraceHash())
}

// TestTraceHashSeesEveryPartOfAnEvent changes one thing the canonical
// text shows at a time — each field, the payload, where one payload ends
// and the next begins, a node's name — and wants a different hash each
// time: the hash stands for the text without writing it.
func TestTraceHashSeesEveryPartOfAnEvent(t *testing.T) {
	base := func() *Trace {
		tr := &Trace{names: []string{"a", "b"}}
		tr.add(Event{Time: time.Second, Kind: EvSend, Node: 0, Peer: 1, ID: 7, Payload: note{"ab"}})
		tr.add(Event{Time: time.Second, Kind: EvDrop, Node: 0, Peer: 1, ID: 7, Drop: DropLost, Payload: note{"ab"}})
		tr.add(Event{Time: 2 * time.Second, Kind: EvCrash, Node: 1})
		tr.add(Event{Time: 2 * time.Second, Kind: EvObserve, Node: 0, Payload: note{"c"}})
		return tr
	}
	seen := map[string]string{base().Hash(): "base"}
	require.Equal(t, base().Hash(), base().Hash(), "a pure function of the trace")
	// A drop or delivery names its message by id; the text came with the
	// send, and a sent message does not change.
	same := base()
	same.At(1).Payload = note{"not what was sent"}
	require.Equal(t, base().Hash(), same.Hash())
	for name, change := range map[string]func(*Trace){
		"time":          func(tr *Trace) { tr.At(0).Time++ },
		"kind":          func(tr *Trace) { tr.At(2).Kind = EvRestart },
		"node":          func(tr *Trace) { tr.At(2).Node = 0 },
		"peer":          func(tr *Trace) { tr.At(0).Peer = 0 },
		"id":            func(tr *Trace) { tr.At(1).ID = 8 },
		"drop reason":   func(tr *Trace) { tr.At(1).Drop = DropPartitioned },
		"payload":       func(tr *Trace) { tr.At(0).Payload = note{"abd"} },
		"no payload":    func(tr *Trace) { tr.At(0).Payload = nil },
		"boundary":      func(tr *Trace) { tr.At(0).Payload, tr.At(3).Payload = note{"a"}, note{"bc"} },
		"a node's name": func(tr *Trace) { tr.names[1] = "c" },
		"names' split":  func(tr *Trace) { tr.names = []string{"", "ab"} },
		"one more":      func(tr *Trace) { tr.add(Event{Time: 2 * time.Second, Kind: EvStart, Node: 1}) },
	} {
		tr := base()
		change(tr)
		h := tr.Hash()
		require.NotContains(t, seen, h, "changing the %s gives the hash of %q", name, seen[h])
		seen[h] = name
	}
}

func TestTraceHashFollowsTheRun(t *testing.T) {
	// The hash is of the trace so far: read mid-run it is the stored
	// prefix's hash, and it moves on as events happen.
	w := chattyWorldCfg(t, 7, false)
	w.cfg.MaxEvents = 50
	w.Run()
	mid := w.TraceHash()
	require.Equal(t, w.Trace().Hash(), mid)
	w.cfg.MaxEvents = 0
	w.Run()
	require.NotEqual(t, mid, w.TraceHash())
	require.Equal(t, w.Trace().Hash(), w.TraceHash())
}

func TestAppendTimeIsFmts(t *testing.T) {
	for _, d := range []time.Duration{0, 1, 999_999_999, time.Second, 1500 * time.Millisecond, 12345 * time.Second,
		99999*time.Second + 7, -1, -time.Second - 5, -1500 * time.Millisecond, math.MaxInt64, math.MinInt64} {
		want := fmt.Sprintf("%4d.%09d", d/time.Second, d%time.Second)
		require.Equal(t, want, FormatTime(d), "%d", int64(d))
	}
}

// appending's two texts differ on purpose, to show that the trace takes
// AppendTrace when a value has it (the scenarios' tests check that every
// real appender writes exactly its String).
type appending struct{}

func (appending) String() string              { return "by-string" }
func (appending) AppendTrace(b []byte) []byte { return append(b, "by-append"...) }

type plainTag struct{ N int }

func TestEventTextAppendsPayloads(t *testing.T) {
	e := Event{Kind: EvTimer, Node: 0, ID: 3, Time: 1500 * time.Millisecond, Payload: appending{}}
	require.Equal(t, "   1.500000000 timer a t3 by-append", string(appendEvent(nil, &e, []string{"a"})))
	e.Payload = plainTag{4}
	require.Equal(t, "   1.500000000 timer a t3 {4}", string(appendEvent(nil, &e, []string{"a"})))
	e = Event{Kind: EvDrop, Node: 0, Peer: 5, ID: 9, Drop: DropNoSuchNode, Payload: note{"x"}}
	require.Equal(t, "   0.000000000 drop a->node(5) m9 (no such node) x", string(appendEvent(nil, &e, []string{"a"})))
}

// BenchmarkTraceHash measures hashing one event line the way every run does.
func BenchmarkTraceHash(b *testing.B) {
	var h traceHasher
	h.reset()
	e := Event{Kind: EvDeliver, Node: 0, Peer: 1, ID: 1234, Time: 1234567890, Payload: quickMsg{"decision c1-t17", 1}}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		h.add(&e)
	}
}

// rawText is a payload whose text is any bytes at all.
type rawText []byte

func (r rawText) AppendTrace(b []byte) []byte { return append(b, r...) }
func (r rawText) String() string              { return string(r) }

// TestTraceHashOfTextThatLooksLikeAnEvent: a payload's text may spell the
// bytes of the event that would follow it; the hash must still tell the
// two traces apart (review finding: with the text's length after it, a
// timer with no tag then a start whose peer id read as that length, and a
// timer whose tag was the start's first bytes, hashed alike).
func TestTraceHashOfTextThatLooksLikeAnEvent(t *testing.T) {
	start := Event{Time: 5, Kind: EvStart, Node: 1, Peer: 0x160000}
	var enc traceHasher
	enc.reset()
	enc.add(&start)
	names := []string{"a", "b"}
	for _, n := range []int{22, 26, len(enc.buf)} {
		a := &Trace{names: names}
		a.add(Event{Time: 5, Kind: EvTimer, ID: 1})
		a.add(start)
		b := &Trace{names: names}
		b.add(Event{Time: 5, Kind: EvTimer, ID: 1, Payload: rawText(enc.buf[:min(n, len(enc.buf))])})
		require.NotEqual(t, a.Hash(), b.Hash(), "tag of %d bytes", n)
	}
}
