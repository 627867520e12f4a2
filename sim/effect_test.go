package sim

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// logger is a node whose Start writes its log and then tells its peer,
// with no observation between the two — the shape of a 2PC vote.
func loggerWorld(t *testing.T, hook func(w *World, e Effect)) *World {
	w := newWorld(t, Config{Network: Link{Latency: time.Millisecond}})
	var peer NodeID = 1
	w.AddNode("logger", firstStart(func(env *Env) {
		env.Put("log", "prepared")
		env.Send(peer, note{"vote"})
		id := env.SetTimer(time.Millisecond, "t")
		env.CancelTimer(id)
		env.Delete("log")
	}))
	w.AddNode("peer", func() Node { return &recorder{} })
	w.OnEffect(func(e Effect) { hook(w, e) })
	w.Run()
	return w
}

func TestKernelReportsEveryEffectOfAHandler(t *testing.T) {
	var got []string
	loggerWorld(t, func(w *World, e Effect) { got = append(got, e.String()) })
	require.Equal(t, []string{
		"node 0 run 1 effect 1: observe start inc=0",
		"node 0 run 1 effect 2: put log",
		"node 0 run 1 effect 3: send vote to 1",
		"node 0 run 1 effect 4: timer-set",
		"node 0 run 1 effect 5: timer-cancel",
		"node 0 run 1 effect 6: delete log",
		"node 0 run 1 effect 6: return",
		"node 1 run 1 effect 1: observe start inc=0",
		"node 1 run 1 effect 1: return",
		"node 1 run 2 effect 1: observe got vote",
		"node 1 run 2 effect 1: return",
	}, got)
}

// A crash between the durable put and the send, where no observation sits:
// the write survives, the vote never leaves, nothing after it happens.
func TestCrashBetweenAPutAndASend(t *testing.T) {
	w := loggerWorld(t, func(w *World, e Effect) {
		if e.Node == 0 && e.Kind == EffPut {
			w.Crash(0)
		}
	})
	v, ok := LoadFrom[string](w.Store(0), "log")
	require.True(t, ok, "the delete after the crash must not happen")
	require.Equal(t, "prepared", v)
	require.Equal(t, 0, w.Sent(0))
	require.Equal(t, []string{"start inc=0"}, observed(w, "peer"))
}

// Effect hooks cost nothing when none is registered: the kernel only
// counts, so a handler's effects do not allocate.
func TestEffectsDoNotAllocateWithoutHooks(t *testing.T) {
	w := newWorld(t, Config{})
	w.AddNode("n", func() Node { return &recorder{} })
	w.Run()
	env := w.procs[0].env
	allocs := testing.AllocsPerRun(100, func() {
		env.Put("k", 1)
		env.Delete("k")
		env.CancelTimer(env.SetTimer(time.Second, nil))
	})
	require.Zero(t, allocs)
}

// A batch is one effect: a crash comes before all of its writes or after
// all of them, never between.
func TestBatchIsOneEffect(t *testing.T) {
	for _, crashAfter := range []int{1, 2} {
		w := newWorld(t, Config{})
		w.AddNode("n", func() Node {
			return &recorder{onStart: func(env *Env) {
				var b Batch
				parts := []string{"a"}
				b.Put("balance/a", int64(5))
				b.Put("parts", parts)
				b.Delete("prepared/t1")
				parts[0] = "changed after the batch Put"
				env.Put("prepared/t1", true)
				env.Write(&b) // effect 3 (1 is the recorder's observation)
			}}
		})
		var kinds []string
		w.OnEffect(func(e Effect) {
			kinds = append(kinds, e.Kind.String())
			if e.Index == crashAfter+1 {
				w.Crash(0)
			}
		})
		w.Run()
		s := w.Store(0)
		_, prepared := LoadFrom[bool](s, "prepared/t1")
		parts, wrote := LoadFrom[[]string](s, "parts")
		if crashAfter == 1 {
			require.Equal(t, []string{"observe", "put"}, kinds)
			require.True(t, prepared)
			require.False(t, wrote)
		} else {
			require.Equal(t, []string{"observe", "put", "write"}, kinds)
			require.False(t, prepared, "the batch's delete is made with its puts")
			require.Equal(t, []string{"a"}, parts)
		}
	}
}

// Atomic is one step: the writes inside are one effect that reads inside
// already see; the records inside follow it, then the sends.
func TestAtomicWritesThenSendsAndRecords(t *testing.T) {
	for _, crashAfter := range []int{0, 2, 3} {
		w := newWorld(t, Config{Network: Link{Latency: time.Millisecond}})
		var seen []string
		w.AddNode("n", firstStart(func(env *Env) {
			env.Atomic(func() {
				env.Put("node/1", "x")
				env.Send(1, note{"created"})
				n, _ := Load[string](env, "node/1") // reads see the write at once
				env.Put("zxid", 7)
				env.Observe(note{"created " + n})
				env.SetTimer(time.Millisecond, "t")
			})
		}))
		w.AddNode("peer", func() Node { return &recorder{} })
		w.OnEffect(func(e Effect) {
			if e.Node != 0 || e.Kind == EffReturn {
				return
			}
			seen = append(seen, e.String())
			if e.Index == crashAfter {
				w.Crash(0)
			}
		})
		w.Run()
		_, wrote := LoadFrom[int](w.Store(0), "zxid")
		switch crashAfter {
		case 0:
			require.Equal(t, []string{
				"node 0 run 1 effect 1: observe start inc=0",
				"node 0 run 1 effect 2: write node/1",
				"node 0 run 1 effect 3: observe created x",
				"node 0 run 1 effect 4: send created to 1",
				"node 0 run 2 effect 1: observe timer t",
			}, seen)
		case 2: // after the write, before anything went out
			require.True(t, wrote)
			require.Zero(t, w.Sent(0))
			require.Equal(t, []string{"start inc=0"}, observed(w, "n"))
		case 3: // after the write and its record, before the send
			require.True(t, wrote)
			require.Zero(t, w.Sent(0))
			require.Equal(t, []string{"start inc=0", "created x"}, observed(w, "n"))
		}
	}
}

// Atomic reuses its buffer: a step of writes and sends costs no more
// allocations than the same effects one by one.
func TestAtomicDoesNotAllocate(t *testing.T) {
	w := newWorld(t, Config{NoTrace: true})
	w.AddNode("n", func() Node { return &recorder{} })
	w.Run()
	env := w.procs[0].env
	msg := Message(note{"m"})
	allocs := testing.AllocsPerRun(100, func() {
		env.Atomic(func() {
			env.Put("k", 1)
			env.Send(0, msg)
			env.Delete("k")
		})
	})
	require.Zero(t, allocs)
}
