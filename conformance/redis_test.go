package conformance

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/faultline-sim/faultline/protocol/redislock"
	"github.com/faultline-sim/faultline/realserver"
	"github.com/faultline-sim/faultline/realserver/realservertest"
	"github.com/faultline-sim/faultline/sim"
)

// tolerance: a reply about a key is compared only if it was certainly
// served more than this before or after the key's expiry, measured from
// the real request's send and answer times. Redis keeps expiry times in
// whole milliseconds and expires a key when now > deadline, the model when
// now >= deadline: 3ms covers both, the rest of the uncertainty is the
// request's own round trip, which the window already holds.
const tolerance = 3 * time.Millisecond

type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}

func init() { redis.SetLogger(quietRedis{}) }

// rstep is one step of a Redis sequence.
type rstep struct {
	restart bool          // kill -9, then start again on the same directory
	sleep   time.Duration // let real time pass
	cmd     redislock.Command
	// seedExtend sends OpCheckExtend as the seed's script, TTL in seconds;
	// otherwise as its PEXPIRE twin.
	seedExtend bool
}

func (s rstep) String() string {
	switch {
	case s.restart:
		return "kill -9 + restart"
	case s.sleep > 0:
		return fmt.Sprintf("sleep %v", s.sleep)
	case s.seedExtend:
		return s.cmd.String() + " (seed script, EXPIRE)"
	}
	return s.cmd.String()
}

func drawRedisStep(t *rapid.T, i int, withRestart bool) rstep {
	label := fmt.Sprint("step", i)
	kind := rapid.IntRange(0, 99).Draw(t, label)
	// rapid draws small numbers more often than large ones: commands get
	// the small ones, sleeps and restarts the rarer large ones.
	switch {
	case kind >= 70:
		return rstep{sleep: rapid.SampledFrom([]time.Duration{25, 55, 10}).Draw(t, label+"-sleep") * time.Millisecond}
	case kind >= 66 && withRestart:
		return rstep{restart: true}
	}
	ops := []redislock.Op{redislock.OpSetNX, redislock.OpSetNX, redislock.OpSet, redislock.OpGet, redislock.OpGet,
		redislock.OpDel, redislock.OpPExpire, redislock.OpCheckDel, redislock.OpCheckExtend}
	c := redislock.Command{
		Op:    rapid.SampledFrom(ops).Draw(t, label+"-op"),
		Key:   rapid.SampledFrom([]string{"k1", "k2"}).Draw(t, label+"-key"),
		Value: rapid.SampledFrom([]string{"a", "b"}).Draw(t, label+"-value"),
		ID:    fmt.Sprint("c", i),
	}
	s := rstep{cmd: c}
	switch c.Op {
	case redislock.OpGet, redislock.OpDel:
		s.cmd.Value = ""
	case redislock.OpSetNX, redislock.OpSet:
		s.cmd.TTL = rapid.SampledFrom([]time.Duration{20, 50, 0}).Draw(t, label+"-ttl") * time.Millisecond
	case redislock.OpPExpire:
		s.cmd.Value = ""
		s.cmd.TTL = rapid.SampledFrom([]time.Duration{20, 50}).Draw(t, label+"-ttl") * time.Millisecond
	case redislock.OpCheckExtend:
		if s.seedExtend = rapid.IntRange(0, 3).Draw(t, label+"-seed") == 0; s.seedExtend {
			s.cmd.TTL = time.Second
		} else {
			s.cmd.TTL = rapid.SampledFrom([]time.Duration{20, 50}).Draw(t, label+"-ttl") * time.Millisecond
		}
	}
	return s
}

// redisDo runs one command on the real server and says what the model's
// Reply would say: OK when a SET took effect or DEL, PEXPIRE or a script
// touched the key; Value what GET read.
func redisDo(ctx context.Context, c *redis.Client, s rstep) (redislock.Reply, error) {
	cmd := s.cmd
	ms := cmd.TTL.Milliseconds()
	var args []any
	switch cmd.Op {
	case redislock.OpSetNX, redislock.OpSet:
		args = []any{"set", cmd.Key, cmd.Value}
		if cmd.Op == redislock.OpSetNX {
			args = append(args, "nx")
		}
		if cmd.TTL > 0 {
			args = append(args, "px", ms)
		}
	case redislock.OpGet:
		args = []any{"get", cmd.Key}
	case redislock.OpDel:
		args = []any{"del", cmd.Key}
	case redislock.OpPExpire:
		args = []any{"pexpire", cmd.Key, ms}
	case redislock.OpCheckDel:
		args = []any{"eval", redislock.CheckDelScript, 1, cmd.Key, cmd.Value}
	case redislock.OpCheckExtend:
		if s.seedExtend {
			args = []any{"eval", redislock.CheckExtendScript, 1, cmd.Key, cmd.Value, int64(cmd.TTL / time.Second)}
		} else {
			args = []any{"eval", redislock.CheckExtendMsScript, 1, cmd.Key, cmd.Value, ms}
		}
	}
	r := redislock.Reply{ID: cmd.ID}
	res, err := c.Do(ctx, args...).Result()
	if errors.Is(err, redis.Nil) {
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("real %s: %w", cmd, err)
	}
	switch v := res.(type) {
	case string:
		if cmd.Op == redislock.OpGet {
			r.OK, r.Value = true, v
		} else {
			r.OK = v == "OK"
		}
	case int64:
		r.OK = v == 1
	default:
		return r, fmt.Errorf("real %s: unexpected reply %T %v", cmd, res, res)
	}
	return r, nil
}

// window is a real interval in a sequence's time (since its start).
type window struct{ from, to time.Duration }

// expiries tracks, per key, when its TTL runs out: the real window of the
// command that set it, plus the TTL. It follows the real replies, which
// must equal the model's to get this far.
type expiries map[string]window

// near reports whether a request in w might have been served within
// tolerance of key's expiry; its answer then depends on which side it fell.
func (e expiries) near(key string, w window) bool {
	x, ok := e[key]
	return ok && w.from-tolerance <= x.to && w.to+tolerance >= x.from
}

// passed reports whether key's expiry was certainly past when w began.
func (e expiries) passed(key string, w window) bool {
	x, ok := e[key]
	return ok && x.to+tolerance < w.from
}

func (e expiries) update(s rstep, w window, r redislock.Reply) {
	if !r.OK {
		return
	}
	k := s.cmd.Key
	switch s.cmd.Op {
	case redislock.OpSet, redislock.OpSetNX, redislock.OpPExpire, redislock.OpCheckExtend:
		if s.cmd.TTL > 0 {
			e[k] = window{w.from + s.cmd.TTL, w.to + s.cmd.TTL}
		} else {
			delete(e, k)
		}
	case redislock.OpDel, redislock.OpCheckDel:
		delete(e, k)
	}
}

// redisHarness runs sequences against one real server, reused across
// sequences (FLUSHALL between them), and the simulated one.
type redisHarness struct {
	srv         *realserver.Server
	client      *redis.Client
	persistence redislock.Persistence
	y           *tally
	// mutate plants a bug: it changes each command the model gets, to
	// prove the comparison catches a model that is wrong.
	mutate func(*redislock.Command)
}

func newRedisHarness(t *testing.T, aof bool) *redisHarness {
	h := &redisHarness{y: newTally(t)}
	h.srv = realservertest.Redis(t, realserver.RedisOptions{AppendOnly: aof})
	if aof {
		h.persistence = redislock.PersistAOF
	}
	h.connect()
	t.Cleanup(func() { h.client.Close() })
	return h
}

func (h *redisHarness) connect() {
	if h.client != nil {
		h.client.Close()
	}
	// MaxRetries -1: a retried command could run twice (REFERENCE-2 §3).
	h.client = redis.NewClient(&redis.Options{Addr: h.srv.Addr(), MaxRetries: -1, PoolSize: 1,
		DialTimeout: 2 * time.Second, ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second})
}

// outcome of one step on the real server.
type routcome struct {
	w        window
	reply    redislock.Reply
	compared bool // not near an expiry boundary
	expired  bool // about a key whose TTL had certainly run out
	kill     window
}

// run runs steps on the real server, then the same at the same times on
// the simulated one, and compares every reply not near an expiry. A
// failure of the real server is fatal; a disagreement is the error.
func (h *redisHarness) run(t rapid.TB, steps []rstep) error {
	if h.y.over() {
		return nil
	}
	ctx := context.Background()
	if err := h.client.FlushAll(ctx).Err(); err != nil {
		t.Fatalf("FLUSHALL: %v", err)
	}
	exp := expiries{}
	out := make([]routcome, 0, len(steps))
	t0 := time.Now()
	since := func() time.Duration { return time.Since(t0) }
	cut := false
	for _, s := range steps {
		var o routcome
		switch {
		case s.sleep > 0:
			time.Sleep(s.sleep)
		case s.restart:
			h.y.faults++
			o.kill.from = since()
			if err := h.srv.Kill(); err != nil {
				t.Fatal(err)
			}
			o.kill.to = since()
			o.w.from = since()
			if err := h.srv.Restart(ctx); err != nil {
				t.Fatal(err)
			}
			o.w.to = since()
			h.connect()
			if h.persistence == redislock.PersistNone {
				clear(exp)
			}
		default:
			o.w.from = since()
			r, err := redisDo(ctx, h.client, s)
			o.w.to = since()
			if err != nil {
				t.Fatal(err)
			}
			o.reply = r
			if exp.near(s.cmd.Key, o.w) {
				cut = true
				h.y.boundary++
				break
			}
			o.compared, o.expired = true, exp.passed(s.cmd.Key, o.w)
			exp.update(s, o.w, r)
		}
		out = append(out, o)
		if cut {
			break
		}
	}
	got := h.simulate(steps[:len(out)], out)
	h.y.sequences++
	var lines []string
	bad := false
	for i, o := range out {
		s := steps[i]
		line := fmt.Sprintf("%7.2fms %s", float64(o.w.from)/1e6, s)
		if s.sleep > 0 || s.restart {
			lines = append(lines, line)
			continue
		}
		line, differ := h.y.judge(line, o, got, s.cmd.ID)
		bad = bad || differ
		lines = append(lines, line)
	}
	if bad {
		return fmt.Errorf("redis-server and the model disagree (persistence %s):%s", h.persistence, transcript(lines))
	}
	if verbose {
		t.Logf("persistence %s:%s", h.persistence, transcript(lines))
	}
	return nil
}

// simulate replays the real run on the simulated server: each command at
// the middle of its real window, a kill -9 as a crash, a restart when the
// real one answered.
func (h *redisHarness) simulate(steps []rstep, out []routcome) map[string]redislock.Reply {
	var end time.Duration
	d := &driver{}
	var acts []timed
	for i, o := range out {
		s := steps[i]
		switch {
		case s.restart:
			acts = append(acts, timed{mid(o.kill.from, o.kill.to), act{"crash", func(w *sim.World) { w.Crash(0) }}},
				timed{o.w.to, act{"restart", func(w *sim.World) { w.Restart(0) }}})
		case s.sleep == 0:
			cmd := s.cmd
			if h.mutate != nil {
				h.mutate(&cmd)
			}
			d.plan = append(d.plan, planned{at: mid(o.w.from, o.w.to), to: "redis", msg: cmd})
		}
		end = max(end, o.w.to)
	}
	w, err := sim.New(sim.Config{Seed: 1, MaxTime: end + time.Second, NoTrace: true})
	if err != nil {
		panic(err)
	}
	cfg := redislock.ServerConfig{Service: "redis", Persistence: h.persistence}
	w.AddNode("redis", func() sim.Node { return redislock.NewServer(cfg) })
	w.AddNode("driver", func() sim.Node { return d })
	for _, a := range acts {
		w.Schedule(a.at, a.act)
	}
	w.Run()
	return d.redisReplies()
}

// redisReplies are the simulated server's answers by command ID.
func (d *driver) redisReplies() map[string]redislock.Reply {
	got := map[string]redislock.Reply{}
	for _, a := range d.got {
		r := a.msg.(redislock.Reply)
		got[r.ID] = r
	}
	return got
}

// judge completes a transcript line with both answers to command id and
// reports whether they differ; answers near an expiry are not compared.
func (y *tally) judge(line string, o routcome, model map[string]redislock.Reply, id string) (string, bool) {
	m, ok := model[id]
	line += fmt.Sprintf(" -> real %s, model %s", o.reply, m)
	if !o.compared {
		return line + " (not compared: within tolerance of an expiry)", false
	}
	y.steps++
	if o.expired {
		y.expired++
		line += " (expired)"
	}
	if !ok || m.NotMaster || m.OK != o.reply.OK || m.Value != o.reply.Value {
		return line + "   <-- MISMATCH", true
	}
	return line, false
}

func drawRedisSteps(t *rapid.T, withRestart bool) []rstep {
	n := rapid.IntRange(4, 16).Draw(t, "steps")
	steps := make([]rstep, n)
	for i := range steps {
		steps[i] = drawRedisStep(t, i, withRestart)
	}
	return steps
}

// The model's SET NX PX, GET, DEL, PEXPIRE and the seed's scripts answer
// as redis-server does, before and after TTLs run out, and across kill -9
// and restart: without persistence everything is forgotten.
func TestRedisWithoutAOFMatchesModel(t *testing.T) {
	h := newRedisHarness(t, false)
	rapid.Check(t, func(t *rapid.T) { must(t, h.run(t, drawRedisSteps(t, true))) })
}

// With appendfsync always every acknowledged write survives kill -9, and a
// key whose TTL ran out while the server was down is gone after the load.
func TestRedisWithAOFMatchesModel(t *testing.T) {
	h := newRedisHarness(t, true)
	rapid.Check(t, func(t *rapid.T) { must(t, h.run(t, drawRedisSteps(t, true))) })
}

func set(key, value string, ttl time.Duration, id string) rstep {
	return rstep{cmd: redislock.Command{Op: redislock.OpSetNX, Key: key, Value: value, TTL: ttl, ID: id}}
}

func get(key, id string) rstep {
	return rstep{cmd: redislock.Command{Op: redislock.OpGet, Key: key, ID: id}}
}

// The comparison is not blind: a model that loses its append-only file,
// or keeps keys twice as long as asked, is caught.
func TestRedisComparisonCatchesPlantedModelBugs(t *testing.T) {
	t.Run("aof-lost", func(t *testing.T) {
		h := newRedisHarness(t, true)
		h.persistence = redislock.PersistNone
		err := h.run(t, []rstep{set("k1", "a", 0, "c0"), {restart: true}, get("k1", "c2")})
		require.ErrorContains(t, err, "c2 value=a, model reply id=c2 ok=false   <-- MISMATCH")
	})
	t.Run("ttl-doubled", func(t *testing.T) {
		h := newRedisHarness(t, false)
		h.mutate = func(c *redislock.Command) { c.TTL *= 2 }
		// Wide margins (expired 100ms before the GET, 100ms before the
		// doubled expiry) so a loaded machine's delays do not put the GET
		// within tolerance of either expiry, where it is not compared.
		err := h.run(t, []rstep{set("k1", "a", 200*time.Millisecond, "c0"), {sleep: 300 * time.Millisecond}, get("k1", "c2")})
		require.ErrorContains(t, err, "c2 ok=false, model reply id=c2 value=a (expired)   <-- MISMATCH")
		require.Equal(t, 1, h.y.expired, "the key had expired for redis-server")
	})
}
