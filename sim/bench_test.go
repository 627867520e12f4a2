package sim

import (
	"testing"
	"time"
)

// pinger bounces a message with a peer and keeps one timer going, so the
// benchmark exercises delivery, timers and the heap together.
type pinger struct{ peer NodeID }

type ping struct{ n int }

func (p ping) String() string { return "ping" }

type tick struct{}

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
