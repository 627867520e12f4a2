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
	w.AddNode("logger", func() Node {
		return &recorder{onStart: func(env *Env) {
			if env.Incarnation() > 0 {
				return
			}
			env.Put("log", "prepared")
			env.Send(peer, note{"vote"})
			id := env.SetTimer(time.Millisecond, "t")
			env.CancelTimer(id)
			env.Delete("log")
		}}
	})
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
