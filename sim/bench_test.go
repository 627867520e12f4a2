package sim

import (
	"testing"
	"time"
)

// pinger bounces a message with a peer and keeps one timer going, so the
// benchmark exercises delivery, timers and the heap together.
type pinger struct{ peer NodeID }

type ping struct{ n int }

func (p ping) String() string              { return "ping" }
func (p ping) AppendTrace(b []byte) []byte { return append(b, "ping"...) }

type tick struct{}

func (tick) AppendTrace(b []byte) []byte { return append(b, "{}"...) }

func (p *pinger) Start(env *Env) {
	if env.ID() == 0 {
		for i := 0; i < 16; i++ {
			env.Send(p.peer, ping{i})
		}
	}
	env.SetTimer(time.Millisecond, tick{})
}
func (p *pinger) Receive(env *Env, from NodeID, m Message) { env.Send(from, m) }
func (p *pinger) Timer(env *Env, _ any)                    { env.SetTimer(time.Millisecond, tick{}) }

func benchKernel(b *testing.B, noTrace bool) {
	const events = 1_000_000
	b.ReportAllocs()
	total := 0
	for i := 0; i < b.N; i++ {
		w, _ := New(Config{Seed: uint64(i), Network: Link{Latency: time.Millisecond, Jitter: time.Millisecond}, MaxEvents: events, NoTrace: noTrace})
		for n := 0; n < 8; n++ {
			peer := NodeID(n ^ 1)
			w.AddNode(string(rune('a'+n)), func() Node { return &pinger{peer: peer} })
		}
		total += w.Run().Events
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkKernel measures event throughput on one core with the trace
// recorded (the default) and without it (sweeps).
func BenchmarkKernel(b *testing.B) {
	b.Run("trace", func(b *testing.B) { benchKernel(b, false) })
	b.Run("notrace", func(b *testing.B) { benchKernel(b, true) })
}

type benchLease struct {
	Holder  string
	Token   int64
	Expires time.Duration
}

type benchRecord struct {
	Txn   string
	Parts []string
}

// BenchmarkPut measures one durable write through Env.Put (and sim.Put), including the
// copy that keeps stored state from aliasing memory: a flat struct (stored
// as boxed, no copy), an int, and a record holding a slice (deep-copied).
// The boxing of the value into an interface happens at the caller and is
// counted too.
func BenchmarkPut(b *testing.B) {
	run := func(b *testing.B, put func(env *Env, i int)) {
		w, _ := New(Config{})
		w.AddNode("n", func() Node { return &recorder{} })
		w.Run()
		env := w.procs[0].env
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			put(env, i)
		}
	}
	parts := []string{"p1", "p2", "p3"}
	b.Run("int", func(b *testing.B) { run(b, func(env *Env, i int) { env.Put("count", i) }) })
	b.Run("flat-struct", func(b *testing.B) {
		run(b, func(env *Env, i int) { env.Put("lease", benchLease{Holder: "c1", Token: int64(i)}) })
	})
	b.Run("slice-record", func(b *testing.B) {
		run(b, func(env *Env, i int) { env.Put("rec", benchRecord{Txn: "t", Parts: parts}) })
	})
	// sim.Put, typed: the copy is made in the world's arena, and a record
	// written again with the same slices shares their stored copy.
	b.Run("typed-int", func(b *testing.B) { run(b, func(env *Env, i int) { Put(env, "count", i) }) })
	b.Run("typed-slice-record", func(b *testing.B) {
		run(b, func(env *Env, i int) { Put(env, "rec", benchRecord{Txn: "t", Parts: parts}) })
	})
	b.Run("load-flat", func(b *testing.B) {
		run(b, func(env *Env, i int) {
			if i == 0 {
				env.Put("lease", benchLease{Holder: "c1"})
			}
			Load[benchLease](env, "lease")
		})
	})
}
