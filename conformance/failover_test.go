package conformance

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/faultline-sim/faultline/internal/live/proxy"
	"github.com/faultline-sim/faultline/protocol/redislock"
	"github.com/faultline-sim/faultline/realserver"
	"github.com/faultline-sim/faultline/realserver/realservertest"
	"github.com/faultline-sim/faultline/sim"
)

// The simulated pair's replication timing. The real test leaves the model
// time to replicate before it cuts the link (syncSettle) and to promote
// the replica before it uses it (promoteSettle).
const (
	replInterval  = 10 * time.Millisecond
	failoverAfter = 30 * time.Millisecond
	syncSettle    = 3 * replInterval
	promoteSettle = failoverAfter + 3*replInterval
)

// failoverHarness is a master, a replica that replicates through a proxy
// (so the link can be cut with certainty, not by a race), and the
// simulated pair.
type failoverHarness struct {
	master, replica *realserver.Server
	link            *proxy.Proxy
	door            string
	m, r            *redis.Client
	y               *tally
	// linkIntact plants a bug: the model's replication link is never cut.
	linkIntact bool
}

func newRedisClient(addr string) *redis.Client {
	return redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, PoolSize: 1,
		DialTimeout: 2 * time.Second, ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second})
}

func newFailoverHarness(t *testing.T) *failoverHarness {
	h := &failoverHarness{y: newTally(t)}
	h.master = realservertest.Redis(t, realserver.RedisOptions{})
	var err error
	h.link, err = proxy.New(h.master.Addr())
	require.NoError(t, err)
	t.Cleanup(func() { h.link.Close() })
	h.door, err = h.link.Door("replication")
	require.NoError(t, err)
	h.replica = realservertest.Redis(t, realserver.RedisOptions{ReplicaOf: h.door})
	h.m, h.r = newRedisClient(h.master.Addr()), newRedisClient(h.replica.Addr())
	t.Cleanup(func() { h.m.Close(); h.r.Close() })
	return h
}

// reset makes a fresh master (restarted, empty) and a replica in sync
// with it, after a sequence promoted the replica and killed the master.
func (h *failoverHarness) reset(t rapid.TB) {
	ctx := context.Background()
	if h.master.Pid() == 0 {
		if err := h.master.Restart(ctx); err != nil {
			t.Fatal(err)
		}
		h.m.Close()
		h.m = newRedisClient(h.master.Addr())
	}
	h.link.Heal()
	host, port, _ := strings.Cut(h.door, ":")
	if err := h.r.ReplicaOf(ctx, host, port).Err(); err != nil {
		t.Fatalf("REPLICAOF: %v", err)
	}
	if err := h.m.FlushAll(ctx).Err(); err != nil {
		t.Fatalf("FLUSHALL: %v", err)
	}
	// In sync when the replica has acknowledged the FLUSHALL.
	if err := waitReplica(ctx, h.m, 10*time.Second); err != nil {
		t.Fatal(err)
	}
}

// waitReplica waits until the replica has acknowledged every write the
// master made on this connection, or the bound runs out.
func waitReplica(ctx context.Context, m *redis.Client, bound time.Duration) error {
	deadline := time.Now().Add(bound)
	for {
		n, err := m.Wait(ctx, 1, 10*time.Millisecond).Result()
		if err == nil && n == 1 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the replica did not acknowledge in %v (WAIT: %d, %v)", bound, n, err)
		}
	}
}

// fstep is a step of a failover sequence: a command for the master
// (before the promotion) or the promoted replica (after), or a sleep.
type fstep struct {
	rstep
	phase int // 0: replicated, 1: acknowledged but not replicated, 2: after promotion
}

// A promoted replica has every write it received and none that the old
// master acknowledged after the replication link was cut: a lock taken
// then is lost, in the model as on redis-server.
func TestRedisFailoverMatchesModel(t *testing.T) {
	fewerChecks(t, 10)
	h := newFailoverHarness(t)
	rapid.Check(t, func(t *rapid.T) {
		var steps []fstep
		for phase := range 3 {
			n := rapid.IntRange(1, 6).Draw(t, fmt.Sprint("phase", phase))
			if phase == 1 {
				// The lock taken while the link is cut: the key to lose.
				steps = append(steps, fstep{set("k3", "lost", 0, "lost-set"), 1})
			}
			if phase == 2 {
				for _, k := range []string{"k1", "k2", "k3"} {
					steps = append(steps, fstep{get(k, "after-"+k), 2})
				}
			}
			for range n {
				steps = append(steps, fstep{drawRedisStep(t, len(steps), false), phase})
			}
		}
		must(t, h.run(t, steps))
	})
}

func (h *failoverHarness) run(t rapid.TB, steps []fstep) error {
	if h.y.over() {
		return nil
	}
	h.reset(t)
	ctx := context.Background()
	// exp follows the server in use; replicated is the replica's view,
	// frozen when the link is cut.
	exp, replicated := expiries{}, expiries{}
	type fout struct {
		routcome
		phase int
	}
	var out []fout
	var cutAt, killAt, promoted time.Duration
	t0 := time.Now()
	since := func() time.Duration { return time.Since(t0) }
	phase := 0
	for _, s := range steps {
		if s.phase != phase {
			phase = s.phase
			switch phase {
			case 1:
				// Everything so far reached the replica; give the model's
				// replication ticks time to agree, then cut the link.
				// A loaded machine can hold the replica's acknowledgement
				// back well past a second: wait for it as reset does.
				if err := waitReplica(ctx, h.m, 10*time.Second); err != nil {
					t.Fatal(err)
				}
				time.Sleep(syncSettle)
				cutAt = since()
				h.link.Partition("replication")
				replicated = maps.Clone(exp)
			case 2:
				h.y.faults++
				killAt = since()
				if err := h.master.Kill(); err != nil {
					t.Fatal(err)
				}
				time.Sleep(promoteSettle)
				if err := h.r.Do(ctx, "replicaof", "no", "one").Err(); err != nil {
					t.Fatalf("REPLICAOF NO ONE: %v", err)
				}
				promoted = since()
				exp = replicated
			}
		}
		o := fout{phase: phase}
		if s.sleep > 0 {
			time.Sleep(s.sleep)
			out = append(out, o)
			continue
		}
		c := h.m
		if phase == 2 {
			c = h.r
		}
		o.w.from = since()
		r, err := redisDo(ctx, c, s.rstep)
		o.w.to = since()
		if err != nil {
			t.Fatal(err)
		}
		o.reply = r
		if exp.near(s.cmd.Key, o.w) {
			h.y.boundary++
			out = append(out, o)
			break
		}
		o.compared, o.expired = true, exp.passed(s.cmd.Key, o.w)
		exp.update(s.rstep, o.w, r)
		out = append(out, o)
	}
	if phase < 2 {
		return nil // cut at an expiry boundary before the failover
	}

	d := &driver{}
	end := since()
	for i, o := range out {
		s := steps[i]
		if s.sleep > 0 {
			continue
		}
		to := "redis-1"
		if o.phase == 2 {
			to = "redis-2"
		}
		d.plan = append(d.plan, planned{at: mid(o.w.from, o.w.to), to: to, msg: s.cmd})
	}
	w, err := sim.New(sim.Config{Seed: 1, MaxTime: end + time.Second, NoTrace: true})
	if err != nil {
		return err
	}
	for _, name := range []string{"redis-1", "redis-2"} {
		peer := map[string]string{"redis-1": "redis-2", "redis-2": "redis-1"}[name]
		cfg := redislock.ServerConfig{Service: "redis", Peer: peer, ReplicationInterval: replInterval, FailoverAfter: failoverAfter,
			StartAsReplica: name == "redis-2"}
		w.AddNode(name, func() sim.Node { return redislock.NewServer(cfg) })
	}
	w.AddNode("driver", func() sim.Node { return d })
	if !h.linkIntact {
		w.Schedule(cutAt, act{"cut replication", func(w *sim.World) { w.Cut(0, 1); w.Cut(1, 0) }})
	}
	w.Schedule(killAt, act{"kill master", func(w *sim.World) { w.Crash(0) }})
	w.Run()
	got := d.redisReplies()
	h.y.sequences++

	var lines []string
	bad := false
	names := []string{"replicated", "cut", "promoted"}
	for i, o := range out {
		s := steps[i]
		line := fmt.Sprintf("%7.2fms [%s] %s", float64(o.w.from)/1e6, names[o.phase], s)
		if s.sleep > 0 {
			lines = append(lines, line)
			continue
		}
		line, differ := h.y.judge(line, o.routcome, got, s.cmd.ID)
		bad = bad || differ
		lines = append(lines, line)
		// The point of the test: the lock acknowledged while the link was
		// cut is gone from the promoted replica.
		switch s.cmd.ID {
		case "lost-set":
			if !o.reply.OK {
				return fmt.Errorf("the master refused SET k3 NX:%s", transcript(lines))
			}
		case "after-k3":
			if o.reply.OK {
				return fmt.Errorf("the promoted replica has k3, which it never received:%s", transcript(lines))
			}
		}
	}
	lines = append(lines, fmt.Sprintf("cut at %v, master killed at %v, replica promoted at %v", cutAt, killAt, promoted))
	if bad {
		return fmt.Errorf("redis-server and the model disagree about a failover:%s", transcript(lines))
	}
	return nil
}

// The comparison is not blind: a model whose replica got the write the
// real one never received is caught.
func TestRedisFailoverCatchesAModelThatKeepsTheLock(t *testing.T) {
	h := newFailoverHarness(t)
	h.linkIntact = true
	err := h.run(t, []fstep{{get("k1", "c0"), 0}, {set("k3", "lost", 0, "lost-set"), 1},
		{rstep{sleep: 3 * replInterval}, 1}, {get("k3", "after-k3"), 2}})
	require.ErrorContains(t, err, "after-k3 ok=false, model reply id=after-k3 value=lost   <-- MISMATCH")
}
