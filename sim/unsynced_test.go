package sim

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// syncNode writes on its timers: "a" synced at its first start, then at
// 1ms "b" and a batch {"c","d"} left unsynced, then crashes at 2ms and is
// restarted at 3ms; what it finds is observed.
func syncWorld(t *testing.T, cfg Config, mode Unsynced) (*World, *map[string]bool) {
	w := newWorld(t, cfg)
	found := map[string]bool{}
	var id NodeID
	id = w.AddNode("n", func() Node {
		return &recorder{onStart: func(env *Env) {
			if env.Incarnation() > 0 {
				for _, k := range []string{"a", "b", "c", "d"} {
					_, found[k] = Load[int](env, k)
				}
				return
			}
			env.Put("a", 1)
			env.Sync()
			env.SetTimer(time.Millisecond, "write")
		}, onMsg: nil}
	})
	w.AddNode("driver", func() Node { return &recorder{} })
	w.SetUnsynced(mode)
	w.Schedule(time.Millisecond, faultFunc{"write", func(w *World) {
		p := w.procs[id]
		p.env.Put("b", 2) // outside a handler run: like a write an earlier run left unsynced
		var b Batch
		b.Put("c", 3)
		b.Put("d", 4)
		p.env.Write(&b)
	}})
	w.Schedule(2*time.Millisecond, faultFunc{"crash", func(w *World) { w.Crash(id) }})
	w.Schedule(3*time.Millisecond, faultFunc{"restart", func(w *World) { w.Restart(id) }})
	w.Run()
	return w, &found
}

func TestUnsyncedWritesSurviveByDefaultAndAreLostWhenTheWorldLosesThem(t *testing.T) {
	_, keep := syncWorld(t, Config{}, KeepUnsynced)
	require.Equal(t, map[string]bool{"a": true, "b": true, "c": true, "d": true}, *keep)
	_, lose := syncWorld(t, Config{}, LoseUnsynced)
	require.Equal(t, map[string]bool{"a": true, "b": false, "c": false, "d": false}, *lose, "only the synced write survives")
}

func TestTornCrashKeepsASeededSubsetNeverHalfABatch(t *testing.T) {
	seen := map[string]int{}
	for seed := uint64(1); seed <= 40; seed++ {
		_, got := syncWorld(t, Config{Seed: seed}, TearUnsynced)
		f := *got
		require.True(t, f["a"], "seed %d: a synced write is never lost", seed)
		require.Equal(t, f["c"], f["d"], "seed %d: a batch survives whole or not at all", seed)
		seen[fmt.Sprintf("b=%v c=%v", f["b"], f["c"])]++
		_, again := syncWorld(t, Config{Seed: seed}, TearUnsynced)
		require.Equal(t, f, *again, "seed %d: the same seed tears the same way", seed)
	}
	require.Len(t, seen, 4, "over 40 seeds every combination of the two groups occurs: %v", seen)
}

func TestTornCrashInsideAHandlerLosesThatHandlersWrites(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		w := newWorld(t, Config{Seed: seed})
		w.SetUnsynced(TearUnsynced)
		var kept bool
		w.AddNode("n", func() Node {
			return &recorder{onStart: func(env *Env) {
				if env.Incarnation() > 0 {
					_, kept = Load[int](env, "x")
					return
				}
				env.Put("x", 1)
				env.w.Crash(env.ID()) // before the sync that would follow
			}}
		})
		w.Schedule(time.Millisecond, faultFunc{"restart", func(w *World) { w.Restart(0) }})
		w.Run()
		require.False(t, kept, "seed %d", seed)
	}
}

func TestSyncIsAnEffectOnlyWhenAWriteWaits(t *testing.T) {
	for _, mode := range []Unsynced{KeepUnsynced, LoseUnsynced} {
		w := newWorld(t, Config{})
		w.SetUnsynced(mode)
		var kinds []string
		w.OnEffect(func(e Effect) { kinds = append(kinds, e.Kind.String()) })
		w.AddNode("n", func() Node {
			return &recorder{onStart: func(env *Env) {
				env.Sync() // nothing written yet
				env.Put("x", 1)
				env.Sync()
				env.Sync() // nothing left
			}}
		})
		w.Run()
		want := []string{"observe", "put", "return"}
		if mode == LoseUnsynced {
			want = []string{"observe", "put", "sync", "return"}
		}
		require.Equal(t, want, kinds, "mode %v", mode)
	}
}

func TestCrashBeforeFallsBetweenTwoEffectsOfOneHandler(t *testing.T) {
	for k := 1; k <= 4; k++ {
		w := newWorld(t, Config{Network: Link{Latency: time.Millisecond}})
		w.SetUnsynced(LoseUnsynced)
		victim := w.AddNode("victim", func() Node {
			return &recorder{onMsg: func(env *Env, from NodeID, m Message) {
				env.Put("log", 1)              // 1
				env.Sync()                     // 2
				env.Send(from, note{"first"})  // 3
				env.Send(from, note{"second"}) // 4
				env.Observe(note{"done"})
			}}
		})
		w.AddNode("other", func() Node {
			return &recorder{onStart: func(env *Env) { env.Send(victim, note{"go"}) }}
		})
		fired := false
		crash := faultFunc{"mid", func(w *World) { fired = true; w.Crash(victim) }}
		w.Schedule(0, faultFunc{"arm", func(w *World) { w.CrashBefore(victim, k, crash) }}) // once it is up
		w.Run()
		require.True(t, fired, "k=%d", k)
		_, logged := LoadFrom[int](w.Store(victim), "log")
		got := observed(w, "other")
		require.Equal(t, k > 2, logged, "k=%d: the write survives only once synced", k)
		require.Equal(t, k >= 4, slices.Contains(got, "got first"), "k=%d: %v", k, got)
		require.NotContains(t, got, "got second", "k=%d", k)
		require.NotContains(t, observed(w, "victim"), "done", "k=%d: nothing after the crash", k)
	}
}

func TestKernelBugsBreakTheirPromise(t *testing.T) {
	_, err := New(Config{Bugs: []string{"kernel/nope"}})
	require.ErrorContains(t, err, `no kernel bug "kernel/nope"`)

	_, kept := syncWorld(t, Config{Bugs: []string{BugKeepUnsynced}}, LoseUnsynced)
	require.True(t, (*kept)["b"], "keep-unsynced: the lost write is back")

	_, amnesia := syncWorld(t, Config{Bugs: []string{BugRestartAmnesia}}, KeepUnsynced)
	require.False(t, (*amnesia)["a"], "restart-amnesia: even the synced write is gone")

	w := newWorld(t, Config{Bugs: []string{BugCutIgnored, BugJumpIgnored}})
	w.AddNode("a", func() Node { return &recorder{} })
	w.AddNode("b", func() Node { return &recorder{} })
	w.Cut(0, 1)
	require.False(t, w.IsCut(0, 1), "cut-ignored")
	w.JumpClock(0, time.Second)
	require.Equal(t, time.Duration(0), w.LocalTime(0), "clock-jump-ignored")
}
