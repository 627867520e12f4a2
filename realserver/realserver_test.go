package realserver_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/faultline-sim/faultline/realserver"
	"github.com/faultline-sim/faultline/realserver/realservertest"
)

// go-redis logs dial failures to stderr, which a test of a killed server
// provokes on purpose.
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

func init() { redis.SetLogger(quiet{}) }

func redisClient(t *testing.T, s *realserver.Server) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: s.Addr(), MaxRetries: -1, DialTimeout: time.Second,
		ReadTimeout: 300 * time.Millisecond, WriteTimeout: 300 * time.Millisecond})
	t.Cleanup(func() { c.Close() })
	return c
}

// running says whether pid is a live process (a zombie does not count).
func running(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	f := strings.Fields(string(b))
	return len(f) > 2 && f[2] != "Z"
}

// groupGone waits up to 5s for every process of group pgid to be gone;
// the parent-death signal is delivered asynchronously.
func groupGone(t *testing.T, pgid int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		out, _ := exec.Command("pgrep", "-g", strconv.Itoa(pgid)).Output()
		var alive []string
		for _, p := range strings.Fields(string(out)) {
			if n, _ := strconv.Atoi(p); running(n) {
				alive = append(alive, p)
			}
		}
		if len(alive) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("process group %d still has %v running", pgid, alive)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestRedisKillRestartKeepsAOF(t *testing.T) {
	s := realservertest.Redis(t, realserver.RedisOptions{AppendOnly: true})
	c := redisClient(t, s)
	ctx := context.Background()
	require.NoError(t, c.Set(ctx, "k", "v", 0).Err())
	pid := s.Pid()
	require.NoError(t, s.Kill())
	require.Zero(t, s.Pid())
	groupGone(t, pid)
	require.Error(t, c.Ping(ctx).Err(), "a killed server answers nothing")
	require.NoError(t, s.Restart(ctx))
	require.NotEqual(t, pid, s.Pid())
	v, err := c.Get(ctx, "k").Result()
	require.NoError(t, err)
	require.Equal(t, "v", v, "appendfsync always keeps an acknowledged write across kill -9")
}

func TestRedisRestartWithoutAOFForgets(t *testing.T) {
	s := realservertest.Redis(t, realserver.RedisOptions{})
	c := redisClient(t, s)
	ctx := context.Background()
	require.NoError(t, c.Set(ctx, "k", "v", 0).Err())
	require.NoError(t, s.Restart(ctx)) // kills first
	require.ErrorIs(t, c.Get(ctx, "k").Err(), redis.Nil)
}

func TestRedisPauseResume(t *testing.T) {
	s := realservertest.Redis(t, realserver.RedisOptions{})
	c := redisClient(t, s)
	ctx := context.Background()
	require.NoError(t, s.Pause())
	err := c.Ping(ctx).Err()
	var ne interface{ Timeout() bool }
	require.True(t, errors.As(err, &ne) && ne.Timeout(), "a stopped server accepts but does not answer: %v", err)
	require.NoError(t, s.Resume())
	require.NoError(t, c.Ping(ctx).Err())
}

func TestRedisReplica(t *testing.T) {
	m := realservertest.Redis(t, realserver.RedisOptions{})
	r := realservertest.Redis(t, realserver.RedisOptions{ReplicaOf: m.Addr()})
	ctx := context.Background()
	require.NoError(t, redisClient(t, m).Set(ctx, "k", "v", 0).Err())
	rc := redisClient(t, r)
	require.Eventually(t, func() bool { return rc.Get(ctx, "k").Val() == "v" }, 10*time.Second, 20*time.Millisecond)
}

func TestCloseIsIdempotentAndLeavesNothing(t *testing.T) {
	s, err := realserver.StartRedis(context.Background(), realserver.RedisOptions{})
	realservertest.Require(t, err)
	pid, dir := s.Pid(), s.Dir()
	kids, err := realserver.Children()
	require.NoError(t, err)
	require.Contains(t, kids, pid)
	require.NoError(t, s.Close())
	require.NoError(t, s.Close())
	groupGone(t, pid)
	_, err = os.Stat(dir)
	require.True(t, os.IsNotExist(err), "Close removes the data directory")
	require.Error(t, s.Restart(context.Background()), "a closed server does not come back")
	kids, err = realserver.Children()
	require.NoError(t, err)
	require.NotContains(t, kids, pid)
}

func TestPortInUse(t *testing.T) {
	s := realservertest.Redis(t, realserver.RedisOptions{})
	_, err := realserver.StartRedis(context.Background(), realserver.RedisOptions{Port: s.Port()})
	require.ErrorIs(t, err, realserver.ErrPortInUse)
	require.Contains(t, err.Error(), s.Addr())
	_, err = realserver.StartZooKeeper(context.Background(), realserver.ZKOptions{Port: s.Port()})
	if !errors.Is(err, realserver.ErrMissing) {
		require.ErrorIs(t, err, realserver.ErrPortInUse)
	}
}

func TestMissingBinary(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := realserver.StartRedis(context.Background(), realserver.RedisOptions{})
	require.ErrorIs(t, err, realserver.ErrMissing)
	require.Equal(t, "redis-server not installed (apt-get install redis-server)", err.Error())
	_, err = realserver.StartZooKeeper(context.Background(), realserver.ZKOptions{})
	require.ErrorIs(t, err, realserver.ErrMissing)
	require.Contains(t, err.Error(), "java")
}

func TestZooKeeperStartKillRestart(t *testing.T) {
	s := realservertest.ZooKeeper(t, realserver.ZKOptions{})
	pid := s.Pid()
	require.NoError(t, s.Pause())
	require.Error(t, realserver.ZKServing(context.Background(), s.Addr()), "a stopped ZooKeeper does not answer")
	require.NoError(t, s.Resume())
	require.NoError(t, s.Restart(context.Background()))
	groupGone(t, pid)
	require.NoError(t, realserver.ZKServing(context.Background(), s.Addr()))
}

// childEnv makes the test binary, run again, act as a child that starts a
// server and then fails in the way the variable names.
const childEnv = "FAULTLINE_REALSERVER_CHILD"

// TestChild is the child's body; it does nothing in a normal run.
func TestChild(t *testing.T) {
	how := os.Getenv(childEnv)
	if how == "" {
		t.Skip("only run as a child of TestNoServerOutlivesAFailingTest")
	}
	var s *realserver.Server
	if how == "zookeeper-hang" {
		s = realservertest.ZooKeeper(t, realserver.ZKOptions{})
	} else {
		s = realservertest.Redis(t, realserver.RedisOptions{})
	}
	fmt.Printf("pid %d\n", s.Pid())
	os.Stdout.Sync()
	switch how {
	case "fail":
		t.Fatal("failing on purpose")
	case "panic":
		panic("panicking on purpose")
	case "hang", "zookeeper-hang":
		time.Sleep(time.Minute) // the parent kills us with SIGKILL: no cleanup runs
	}
}

// A server must not outlive its test: not when the test fails or panics
// (t.Cleanup runs), and not when the test binary is killed outright, as
// by go test's timeout (the parent-death signal).
func TestNoServerOutlivesAFailingTest(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		realservertest.Require(t, fmt.Errorf("redis-server %w", realserver.ErrMissing))
	}
	for _, how := range []string{"fail", "panic", "hang", "zookeeper-hang"} {
		t.Run(how, func(t *testing.T) {
			if _, err := exec.LookPath("java"); how == "zookeeper-hang" && err != nil {
				realservertest.Require(t, fmt.Errorf("java %w", realserver.ErrMissing))
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestChild$", "-test.v")
			cmd.Env = append(os.Environ(), childEnv+"="+how)
			out, err := cmd.StdoutPipe()
			require.NoError(t, err)
			require.NoError(t, cmd.Start())
			sc := bufio.NewScanner(out)
			pid := 0
			for pid == 0 && sc.Scan() {
				fmt.Sscanf(sc.Text(), "pid %d", &pid)
			}
			require.NotZero(t, pid, "the child reported no server")
			if strings.HasSuffix(how, "hang") {
				require.True(t, running(pid))
				require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
			}
			for sc.Scan() {
			}
			err = cmd.Wait()
			require.Error(t, err, "the child fails")
			groupGone(t, pid)
		})
	}
}
