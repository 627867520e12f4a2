package sim

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type note struct{ s string }

func (n note) String() string { return n.s }

// recorder is a scriptable node: it logs what happens to it as observations
// and runs an optional hook on start and on every message.
type recorder struct {
	onStart func(env *Env)
	onMsg   func(env *Env, from NodeID, m Message)
}

func (r *recorder) Start(env *Env) {
	env.Observe(note{fmt.Sprintf("start inc=%d", env.Incarnation())})
	if r.onStart != nil {
		r.onStart(env)
	}
}
func (r *recorder) Receive(env *Env, from NodeID, m Message) {
	env.Observe(note{"got " + m.String()})
	if r.onMsg != nil {
		r.onMsg(env, from, m)
	}
}
func (r *recorder) Timer(env *Env, tag any) { env.Observe(note{fmt.Sprintf("timer %v", tag)}) }

// firstStart is a recorder that runs f when it first starts and nothing
// more after a restart: the tests' crashed nodes must not redo their work.
func firstStart(f func(env *Env)) func() Node {
	return func() Node {
		return &recorder{onStart: func(env *Env) {
			if env.Incarnation() == 0 {
				f(env)
			}
		}}
	}
}

func observed(w *World, node string) []string {
	id, _ := w.Lookup(node)
	var out []string
	for _, o := range w.Observations() {
		if o.Node == id {
			out = append(out, o.Data.String())
		}
	}
	return out
}

func newWorld(t *testing.T, cfg Config) *World {
	t.Helper()
	w, err := New(cfg)
	require.NoError(t, err)
	return w
}

func TestEventsRunInTimeThenInsertionOrder(t *testing.T) {
	w := newWorld(t, Config{Network: Link{Latency: 5 * time.Millisecond}})
	var b NodeID = 1
	w.AddNode("a", func() Node {
		return &recorder{onStart: func(env *Env) {
			env.SetTimer(5*time.Millisecond, "t1") // same time as the message below, set first
			env.Send(b, note{"m1"})
			env.SetTimer(5*time.Millisecond, "t2")
			env.SetTimer(time.Millisecond, "t0")
		}}
	})
	w.AddNode("b", func() Node { return &recorder{} })
	res := w.Run()
	require.Equal(t, StopQuiescent, res.Stop)
	require.Equal(t, []string{"start inc=0", "timer t0", "timer t1", "timer t2"}, observed(w, "a"))
	require.Equal(t, []string{"start inc=0", "got m1"}, observed(w, "b"))
	// m1 (queued second) is delivered after t1 and before t2 at 5ms.
	var order []string
	for _, o := range w.Observations() {
		if o.Time == 5*time.Millisecond {
			order = append(order, o.Data.String())
		}
	}
	require.Equal(t, []string{"timer t1", "got m1", "timer t2"}, order)
}

// chatty sends random-length bursts with jitter, loss and duplication, so
// every random stream matters to its trace.
func chattyWorld(t *testing.T, seed uint64) *World { return chattyWorldCfg(t, seed, false) }

func chattyWorldCfg(t *testing.T, seed uint64, noTrace bool) *World {
	w := newWorld(t, Config{Seed: seed, NoTrace: noTrace, Network: Link{Latency: time.Millisecond, Jitter: 3 * time.Millisecond, Loss: 0.1, Duplicate: 0.1}, MaxTime: time.Second})
	for i := 0; i < 4; i++ {
		w.AddNode(fmt.Sprintf("n%d", i), func() Node {
			return &recorder{
				onStart: func(env *Env) {
					for k := 0; k < 10; k++ {
						env.Send(NodeID((int(env.ID())+1)%4), note{"hello"})
					}
				},
				onMsg: func(env *Env, from NodeID, m Message) {
					if env.Now() < 500*time.Millisecond {
						for k := env.Rand().IntN(3); k > 0; k-- {
							env.Send(NodeID(env.Rand().IntN(4)), note{fmt.Sprintf("x%d", env.Rand().IntN(100))})
						}
					}
				},
			}
		})
	}
	return w
}

func TestSameSeedSameTraceHash(t *testing.T) {
	a, b, c := chattyWorld(t, 7), chattyWorld(t, 7), chattyWorld(t, 8)
	a.Run()
	b.Run()
	c.Run()
	require.Greater(t, a.Trace().Len(), 100)
	require.Equal(t, a.Trace().Lines(), b.Trace().Lines())
	require.Equal(t, a.Trace().Hash(), b.Trace().Hash())
	require.NotEqual(t, a.Trace().Hash(), c.Trace().Hash(), "a different seed should give a different run")
}

func TestStreamsArePerPurpose(t *testing.T) {
	a, b := NewStream(1, "workload"), NewStream(1, "workload")
	c, d := NewStream(1, "faults"), NewStream(2, "workload")
	x := a.Uint64()
	require.Equal(t, x, b.Uint64())
	require.NotEqual(t, x, c.Uint64())
	require.NotEqual(t, x, d.Uint64())
}

func TestCrashLosesVolatileStateAndTimersButNotTheStore(t *testing.T) {
	w := newWorld(t, Config{Network: Link{Latency: time.Millisecond}})
	w.AddNode("n", func() Node {
		return &recorder{onStart: func(env *Env) {
			n, _ := Load[int](env, "count")
			env.Put("count", n+1)
			env.Observe(note{fmt.Sprintf("count=%d", n+1)})
			env.SetTimer(10*time.Millisecond, fmt.Sprintf("inc%d", env.Incarnation()))
		}}
	})
	w.AddNode("peer", func() Node {
		return &recorder{onStart: func(env *Env) { env.SetTimer(5*time.Millisecond, "send") }}
	})
	id, _ := w.Lookup("n")
	w.Schedule(3*time.Millisecond, faultFunc{"crash n", func(w *World) { w.Crash(id) }})
	w.Schedule(4*time.Millisecond, faultFunc{"send to n", func(w *World) { w.send(w.procs[1], id, note{"lost"}) }})
	w.Schedule(20*time.Millisecond, faultFunc{"restart n", func(w *World) { w.Restart(id) }})
	w.Run()
	// The first incarnation's timer (due at 10ms) never fires; the message
	// sent while n was down is dropped; the count survives the crash.
	require.Equal(t, []string{"start inc=0", "count=1", "start inc=1", "count=2", "timer inc1"}, observed(w, "n"))
	require.Contains(t, strings.Join(w.Trace().Lines(), "\n"), "(receiver down) lost")
	require.True(t, w.Up(id))
}

type faultFunc struct {
	s string
	f func(*World)
}

func (f faultFunc) Apply(w *World) { f.f(w) }
func (f faultFunc) String() string { return f.s }

func TestCrashInsideHandlerStopsEveryLaterAction(t *testing.T) {
	w := newWorld(t, Config{Network: Link{Latency: time.Millisecond}})
	var other NodeID = 1
	w.AddNode("victim", firstStart(func(env *Env) {
		env.Observe(note{"before"}) // the hook below crashes us here
		env.Put("after", true)
		env.Send(other, note{"after"})
		env.SetTimer(time.Millisecond, "after")
		env.Observe(note{"after"})
	}))
	w.AddNode("other", func() Node { return &recorder{} })
	victim, _ := w.Lookup("victim")
	w.OnObserve(func(o Observation) {
		if o.Node == victim && o.Data.String() == "before" {
			w.Crash(victim)
		}
	})
	w.Run()
	require.Equal(t, []string{"start inc=0", "before"}, observed(w, "victim"))
	require.Equal(t, []string{"start inc=0"}, observed(w, "other"))
	_, wrote := LoadFrom[bool](w.Store(victim), "after")
	require.False(t, wrote)
}

func TestPartitionDropsAtSendAndInFlight(t *testing.T) {
	w := newWorld(t, Config{Network: Link{Latency: 10 * time.Millisecond}})
	var a, b NodeID = 0, 1
	w.AddNode("a", func() Node {
		return &recorder{onStart: func(env *Env) {
			env.Send(b, note{"in-flight"}) // due at 10ms; the link is cut at 5ms
			env.SetTimer(6*time.Millisecond, "send-while-cut")
			env.SetTimer(13*time.Millisecond, "send-after-heal")
		}}
	})
	w.AddNode("b", func() Node { return &recorder{} })
	w.Schedule(5*time.Millisecond, faultFunc{"cut a->b", func(w *World) { w.Cut(a, b) }})
	w.Schedule(12*time.Millisecond, faultFunc{"heal", func(w *World) { w.HealAll() }})
	w.OnObserve(func(o Observation) {
		if o.Node == a && strings.HasPrefix(o.Data.String(), "timer send") {
			w.send(w.procs[a], b, note{o.Data.String()})
		}
	})
	w.Run()
	require.Equal(t, []string{"start inc=0", "got timer send-after-heal"}, observed(w, "b"))
	text := strings.Join(w.Trace().Lines(), "\n")
	require.Contains(t, text, "(partitioned in flight) in-flight")
	require.Contains(t, text, "(partitioned) timer send-while-cut")
	require.False(t, w.IsCut(a, b))
}

func TestAsymmetricCutIsOneWay(t *testing.T) {
	w := newWorld(t, Config{Network: Link{Latency: time.Millisecond}})
	w.AddNode("a", func() Node { return &recorder{onStart: func(env *Env) { env.Send(1, note{"a->b"}) }} })
	w.AddNode("b", func() Node { return &recorder{onStart: func(env *Env) { env.Send(0, note{"b->a"}) }} })
	w.Cut(0, 1)
	w.Run()
	require.Equal(t, []string{"start inc=0", "got b->a"}, observed(w, "a"))
	require.Equal(t, []string{"start inc=0"}, observed(w, "b"))
}

func TestPauseDelaysEverythingInOrder(t *testing.T) {
	w := newWorld(t, Config{Network: Link{Latency: time.Millisecond}})
	w.AddNode("p", func() Node {
		return &recorder{onStart: func(env *Env) { env.SetTimer(2*time.Millisecond, "t") }}
	})
	w.AddNode("q", func() Node {
		return &recorder{onStart: func(env *Env) { env.SetTimer(2*time.Millisecond, "send") }}
	})
	p, _ := w.Lookup("p")
	w.OnObserve(func(o Observation) {
		if o.Data.String() == "timer send" {
			w.send(w.procs[1], p, note{"m"})
		}
	})
	w.Schedule(time.Millisecond, faultFunc{"pause p", func(w *World) { w.Pause(p, 50*time.Millisecond) }})
	w.Run()
	var times []time.Duration
	var what []string
	for _, o := range w.Observations() {
		if o.Node == p {
			times = append(times, o.Time)
			what = append(what, o.Data.String())
		}
	}
	require.Equal(t, []string{"start inc=0", "timer t", "got m"}, what)
	require.Equal(t, 51*time.Millisecond, times[1], "the timer due at 2ms waits for the pause to end")
	require.Equal(t, 51*time.Millisecond, times[2])
}

func TestClockSkewDriftAndJump(t *testing.T) {
	w := newWorld(t, Config{})
	w.AddNode("n", func() Node { return &recorder{onStart: func(env *Env) { env.SetTimer(100*time.Millisecond, "t") }} })
	w.SetDrift(0, 0.5)
	w.Schedule(10*time.Millisecond, faultFunc{"jump", func(w *World) { w.JumpClock(0, time.Second) }})
	var local []time.Duration
	w.OnObserve(func(o Observation) { local = append(local, w.LocalTime(0)) })
	w.Run()
	// Drift 0.5: a 100ms local timer fires after 66.67ms of true time; the
	// jump moved the local clock but not the timer.
	obs := w.Observations()
	require.Equal(t, "timer t", obs[1].Data.String())
	require.Equal(t, 66666666*time.Nanosecond, obs[1].Time)
	require.Equal(t, time.Duration(0), local[0])
	require.Equal(t, 15*time.Millisecond+time.Second+time.Duration(float64(obs[1].Time-10*time.Millisecond)*1.5), local[1])
}

func TestLimitsSayWhyTheRunStopped(t *testing.T) {
	w := chattyWorld(t, 1)
	w.cfg.MaxEvents = 50
	res := w.Run()
	require.Equal(t, StopEvents, res.Stop)
	require.Equal(t, 50, res.Events)

	w = newWorld(t, Config{MaxTime: 35 * time.Millisecond})
	w.AddNode("n", func() Node { return &ticker{} })
	res = w.Run()
	require.Equal(t, StopTimeLimit, res.Stop)
	require.Equal(t, 35*time.Millisecond, res.Time)
}

type ticker struct{}

func (ticker) Start(env *Env)                { env.SetTimer(10*time.Millisecond, "tick") }
func (ticker) Receive(*Env, NodeID, Message) {}
func (ticker) Timer(env *Env, _ any)         { env.SetTimer(10*time.Millisecond, "tick") }

func TestCancelledTimerNeverFires(t *testing.T) {
	w := newWorld(t, Config{})
	w.AddNode("n", func() Node {
		return &recorder{onStart: func(env *Env) {
			id := env.SetTimer(time.Millisecond, "cancelled")
			env.SetTimer(2*time.Millisecond, "kept")
			env.CancelTimer(id)
		}}
	})
	w.Run()
	require.Equal(t, []string{"start inc=0", "timer kept"}, observed(w, "n"))
}

func TestBadConfigIsRefused(t *testing.T) {
	_, err := New(Config{Network: Link{Loss: 2}})
	require.ErrorContains(t, err, "loss")
	_, err = New(Config{Network: Link{Latency: -1}})
	require.ErrorContains(t, err, "latency")
}

func TestMessagesHeldForAPausedNodeDieWithItsCrash(t *testing.T) {
	w := newWorld(t, Config{Network: Link{Latency: time.Millisecond}})
	w.AddNode("p", func() Node { return &recorder{} })
	w.AddNode("q", func() Node {
		return &recorder{onStart: func(env *Env) {
			if env.Incarnation() == 0 {
				env.SetTimer(2*time.Millisecond, "send")
			}
		}}
	})
	p, _ := w.Lookup("p")
	w.OnObserve(func(o Observation) {
		if o.Data.String() == "timer send" {
			w.send(w.procs[1], p, note{"held"}) // arrives at 3ms, during the pause
		}
	})
	w.Schedule(time.Millisecond, faultFunc{"pause p", func(w *World) { w.Pause(p, 10*time.Millisecond) }})
	w.Schedule(5*time.Millisecond, faultFunc{"crash p", func(w *World) { w.Crash(p) }})
	w.Schedule(6*time.Millisecond, faultFunc{"restart p", func(w *World) { w.Restart(p) }})
	w.Run()
	require.Equal(t, []string{"start inc=0", "start inc=1"}, observed(w, "p"))
	require.Contains(t, strings.Join(w.Trace().Lines(), "\n"), "(receiver down) held")
}
