package live

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/realserver"
	"github.com/faultline-sim/faultline/realserver/realservertest"
	"github.com/stretchr/testify/require"
)

// runLive runs a plan, skipping outside CI when a server binary is
// missing (realserver.Require), and fails on any other error.
func runLive(t *testing.T, sc *Scenario, p Plan) *Outcome {
	t.Helper()
	out, err := Run(context.Background(), sc, p, Options{})
	if err != nil && errors.Is(err, realserver.ErrMissing) {
		realservertest.Require(t, err)
	}
	require.NoError(t, err)
	return out
}

func verdicts(o *Outcome) string {
	var b strings.Builder
	for _, r := range o.Results {
		fmt.Fprintf(&b, "\n  %s %s: %s", r.Checker, r.Verdict, r.Message)
	}
	return b.String()
}

func facts(o *Outcome) string {
	var b strings.Builder
	for _, ob := range o.History.Observations {
		fmt.Fprintf(&b, "  %v %s %s\n", ob.Time, o.History.Names[ob.Node], ob.Data)
	}
	return b.String()
}

func result(t *testing.T, o *Outcome, name string) checker.Result {
	t.Helper()
	for _, r := range o.Results {
		if r.Checker == name {
			return r
		}
	}
	t.Fatalf("no %s result in%s", name, verdicts(o))
	return checker.Result{}
}

// Every live scenario gives its expected verdict, for the reason it is
// about: the unfenced ones because the storage accepted a write from a
// client the lock servers no longer counted as holder, the fenced ones
// because that write was refused.
//
// FAULTLINE_LIVE_SEEDS=N runs seeds 1..N of each (the 5-of-5 measurement);
// by default seed 1 only.
func TestLiveScenariosGiveTheirExpectedVerdicts(t *testing.T) {
	seeds := 1
	if v := os.Getenv("FAULTLINE_LIVE_SEEDS"); v != "" {
		n, err := strconv.Atoi(v)
		require.NoError(t, err, "FAULTLINE_LIVE_SEEDS")
		seeds = n
	}
	for _, sc := range All() {
		for seed := 1; seed <= seeds; seed++ {
			t.Run(fmt.Sprintf("%s/seed-%d", sc.Name, seed), func(t *testing.T) {
				out := runLive(t, sc, sc.Plan(uint64(seed)))
				t.Logf("%s seed %d: %s in %.2fs (clients %.2fs)", sc.Name, seed, out.Verdict, out.Total.Seconds(), out.Wall.Seconds())
				require.Equal(t, sc.Expect, out.Verdict, "verdicts:%s\nfaults: %v", verdicts(out), out.Log)
				storage := result(t, out, "storage")
				if sc.Fenced {
					require.Equal(t, checker.OK, storage.Verdict)
					require.Contains(t, storage.Message, "fenced off")
					require.NotContains(t, storage.Message, " 0 operations fenced off", "the stale write must have been refused")
					require.Contains(t, result(t, out, "mutex").Message, "harmless with fenced storage",
						"the fault must have made two clients believe they held the lock")
				} else {
					require.Equal(t, checker.Violation, storage.Verdict, "verdicts:%s", verdicts(out))
					require.Equal(t, checker.Violation, result(t, out, "mutex").Verdict)
				}
				if sc.Failover {
					// The promoted replica granted a lock the dead master held:
					// the lock history itself is broken, as in the simulator.
					require.Equal(t, checker.Violation, result(t, out, "lock-linear").Verdict)
				} else {
					require.Equal(t, checker.OK, result(t, out, "lock-linear").Verdict, "a correct server's history stays linearizable, expiry included")
				}
				require.Less(t, out.Total, MaxRunTime)
			})
		}
	}
}

// Without the fault, the same recipe and workload is judged ok: the
// violations above come from the faults, not from how the live history is
// recorded or derived.
func TestWithoutTheFaultTheRunIsClean(t *testing.T) {
	for _, c := range []struct{ name, drop string }{
		{"live-redis-pause", "pause"},
		{"live-redlock-pause", "pause"},
		// The replica now gets c1's key before the master dies, so the
		// promoted replica refuses c2 until c1 releases.
		{"live-redis-failover", "partition"},
		{"live-zk-session-expiry", "partition"},
	} {
		t.Run(c.name, func(t *testing.T) {
			sc, err := Get(c.name)
			require.NoError(t, err)
			p := sc.Plan(2)
			var kept []Step
			for _, s := range p.Steps {
				if s.Do != c.drop {
					kept = append(kept, s)
				}
			}
			require.Less(t, len(kept), len(p.Steps))
			p.Steps = kept
			out := runLive(t, sc, p)
			require.Equal(t, checker.OK, out.Verdict, "verdicts:%s\nfaults: %v\nfacts:\n%s", verdicts(out), out.Log, facts(out))
		})
	}
}

// noChildren requires that no child process of the test binary is still
// running: the servers a run started and failed to stop.
func noChildren(t *testing.T, msgAndArgs ...any) {
	t.Helper()
	kids, err := realserver.Children()
	require.NoError(t, err)
	require.Empty(t, kids, msgAndArgs...)
}

// cancelOnceRunning cancels a live run two seconds after its first server
// process appears, giving up after 30 s; it returns early, with no error,
// when ctx ends first (the run stopped by itself).
func cancelOnceRunning(ctx context.Context, cancel context.CancelFunc) error {
	defer cancel()
	deadline := time.Now().Add(30 * time.Second)
	for {
		kids, err := realserver.Children()
		if err != nil {
			return err
		}
		if len(kids) > 0 {
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no server process within 30s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case <-time.After(2 * time.Second):
	case <-ctx.Done():
	}
	return nil
}

// A live run that fails half-way — a fault step that cannot be done, or
// the run cancelled — returns an error and leaves no server running.
func TestFailingRunLeavesNoServer(t *testing.T) {
	noChildren(t, "servers left over from an earlier test")
	t.Run("failing step", func(t *testing.T) {
		sc, err := Get("live-redlock-pause")
		require.NoError(t, err)
		p := sc.Plan(1)
		// SIGSTOP of a server that was just killed fails: the run must
		// stop there and clean up.
		p.Steps = append(p.Steps, Step{AtMs: 100, Do: "kill", Target: "redis-2"}, Step{AtMs: 150, Do: "stop", Target: "redis-2"})
		p.Clients[0].WorkMs = 2000 // still running when the steps come
		_, err = Run(context.Background(), sc, p, Options{})
		if errors.Is(err, realserver.ErrMissing) {
			realservertest.Require(t, err)
		}
		require.ErrorContains(t, err, "stop redis-2")
		noChildren(t)
	})
	t.Run("cancelled", func(t *testing.T) {
		sc, err := Get("live-zk-session-expiry")
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		// Cancel once the clients run (the JVM takes a while to start); the
		// watcher reports on a channel, off the test goroutine.
		watcher := make(chan error, 1)
		go func() { watcher <- cancelOnceRunning(ctx, cancel) }()
		_, err = Run(ctx, sc, sc.Plan(1), Options{})
		cancel()
		require.NoError(t, <-watcher)
		if errors.Is(err, realserver.ErrMissing) {
			realservertest.Require(t, err)
		}
		require.Error(t, err)
		noChildren(t)
	})
}

func TestBadInput(t *testing.T) {
	sc, err := Get("live-redis-pause")
	require.NoError(t, err)
	p := sc.Plan(1)

	_, err = Run(context.Background(), sc, p, Options{Use: map[string]string{"redis": "127.0.0.1:1"}})
	require.ErrorIs(t, err, ErrSetup)
	require.ErrorContains(t, err, "server redis: unreachable at 127.0.0.1:1")

	_, err = Run(context.Background(), sc, p, Options{Use: map[string]string{"redis": "10.1.2.3:6379"}})
	require.ErrorContains(t, err, "want a 127.0.0.1 host:port")

	killing := p
	killing.Steps = append([]Step{{AtMs: 10, Do: "kill", Target: "redis"}}, p.Steps...)
	_, err = Run(context.Background(), sc, killing, Options{Use: map[string]string{"redis": "127.0.0.1:6379"}})
	require.ErrorContains(t, err, "cannot kill server redis: it was not started by this run")

	t.Setenv("PATH", t.TempDir())
	_, err = Run(context.Background(), sc, p, Options{})
	require.ErrorIs(t, err, realserver.ErrMissing)
	require.ErrorContains(t, err, "redis-server")
}

func TestPlanRoundTripsAndIsChecked(t *testing.T) {
	for _, sc := range All() {
		p := sc.Plan(7)
		require.Equal(t, p, sc.Plan(7), "a seed draws one plan")
		back, err := ParsePlan(p.Marshal())
		require.NoError(t, err)
		require.Equal(t, p, back)
	}
	sc, _ := Get("live-redis-failover")
	good := string(sc.Plan(1).Marshal())
	for _, c := range []struct{ edit, want string }{
		{strings.Replace(good, `"do": "kill"`, `"do": "explode"`, 1), `steps[1].do "explode": unknown`},
		{strings.Replace(good, `"target": "redis-m"`, `"target": "redis-9"`, 1), `steps[1].target "redis-9": not a server`},
		{strings.Replace(good, `"jobs": 1`, `"jobs": 0`, 1), "clients[0].jobs 0"},
		{strings.Replace(good, `"scenario": "live-redis-failover"`, `"scenario": "live-nope"`, 1), `unknown live scenario "live-nope"`},
		{strings.Replace(good, `"seed"`, `"sed"`, 1), `unknown field "sed"`},
	} {
		_, err := ParsePlan([]byte(c.edit))
		require.ErrorContains(t, err, c.want)
	}
}

// The timed faults are done for real: a delay, a short SIGSTOP and SIGCONT
// of the server (shorter than the clients' command timeout, so no outcome
// is unknown) leave a fenced run ok; a kill -9 and a restart leave a
// server that grants locks again.
func TestTimedFaultsAreDone(t *testing.T) {
	sc, err := Get("live-redis-fenced")
	require.NoError(t, err)
	p := sc.Plan(5)
	p.Steps = append(p.Steps,
		Step{AtMs: 50, Do: "delay", Target: "redis", ForMs: 10},
		Step{AtMs: 150, Do: "heal", Target: "redis"},
		Step{AtMs: 200, Do: "stop", Target: "redis"},
		Step{AtMs: 230, Do: "cont", Target: "redis"},
	)
	out := runLive(t, sc, p)
	require.Equal(t, checker.OK, out.Verdict, "verdicts:%s\nfaults: %v", verdicts(out), out.Log)
	log := strings.Join(out.Log, "\n")
	for _, want := range []string{"delay redis by 10ms", "heal redis", "stop redis", "cont redis"} {
		require.Contains(t, log, want)
	}

	sc, err = Get("live-redis-pause")
	require.NoError(t, err)
	p = sc.Plan(5)
	p.Steps = []Step{{AtMs: 100, Do: "kill", Target: "redis"}, {AtMs: 200, Do: "restart", Target: "redis"}}
	for i := range p.Clients {
		p.Clients[i].Jobs = 12 // still at work after the restart
	}
	out = runLive(t, sc, p)
	require.Len(t, out.History.Crashes, 1)
	crash := out.History.Crashes[0].Time
	granted := 0
	for _, o := range out.History.Observations {
		if _, ok := o.Data.(obs.LockGranted); ok && o.Time > crash {
			granted++
		}
	}
	require.Positive(t, granted, "locks granted by the restarted server; log: %v", out.Log)
}
