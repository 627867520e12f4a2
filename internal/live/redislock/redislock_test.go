package redislock

import (
	"context"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/internal/live/record"
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/realserver"
	"github.com/faultline-sim/faultline/realserver/realservertest"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

func servers(t *testing.T, n int) ([]*realserver.Server, []Server) {
	var procs []*realserver.Server
	var out []Server
	for i := 0; i < n; i++ {
		s := realservertest.Redis(t, realserver.RedisOptions{})
		procs = append(procs, s)
		out = append(out, Server{Service: s.String(), Addr: s.Addr()})
	}
	return procs, out
}

func client(t *testing.T, name string, rec *record.Recorder, srv []Server, o Options) *Client {
	c := New(name, rec, srv, o)
	t.Cleanup(c.Close)
	return c
}

func TestLockExcludesExtendsReleasesAndFences(t *testing.T) {
	ctx := context.Background()
	_, srv := servers(t, 1)
	rec := record.New()
	o := Options{Key: "k", TTL: 200 * time.Millisecond, Timeout: time.Second, Fenced: true}
	a, b := client(t, "a", rec, srv, o), client(t, "b", rec, srv, o)

	la, ok, err := a.TryLock(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, int64(1), la.Token)
	_, ok, err = b.TryLock(ctx)
	require.NoError(t, err)
	require.False(t, ok, "held by a")

	require.True(t, a.Extend(ctx, la, 2*time.Second))
	time.Sleep(300 * time.Millisecond) // past the first TTL
	_, ok, _ = b.TryLock(ctx)
	require.False(t, ok, "the extend kept a's key")

	require.Equal(t, 0, b.Unlock(ctx, Lease{Value: "not-b's"}), "check-and-delete leaves another's key")
	require.Equal(t, 1, a.Unlock(ctx, la))
	lb, ok, err := b.TryLock(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, int64(2), lb.Token, "tokens grow")
	require.False(t, a.Extend(ctx, la, time.Second), "a's lease is gone")
}

// A command that times out has an unknown outcome: no reply is recorded,
// and the SET may well have taken effect (here: after the server resumes).
func TestTimeoutLeavesTheOutcomeUnknown(t *testing.T) {
	ctx := context.Background()
	procs, srv := servers(t, 1)
	rec := record.New()
	a := client(t, "a", rec, srv, Options{Key: "k", TTL: 5 * time.Second, Timeout: 100 * time.Millisecond})
	l0, ok, err := a.TryLock(ctx) // connect while the server runs
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, 1, a.Unlock(ctx, l0))

	require.NoError(t, procs[0].Pause())
	l, ok, err := a.TryLock(ctx)
	require.Error(t, err)
	require.False(t, ok)
	require.NoError(t, procs[0].Resume())

	calls, replies := 0, 0
	for _, o := range rec.Observations() {
		switch o.Data.(type) {
		case obs.RedisCall:
			calls++
		case obs.RedisReply:
			replies++
		}
	}
	require.Equal(t, calls-1, replies, "the timed-out SET has no reply")
	direct := redis.NewClient(&redis.Options{Addr: procs[0].Addr(), Protocol: 2, DisableIdentity: true})
	defer direct.Close()
	require.Eventually(t, func() bool { v, _ := direct.Get(ctx, "k").Result(); return v == l.Value }, 2*time.Second, 20*time.Millisecond,
		"the SET the client gave up on was applied after the server resumed")
}

func TestRedlockNeedsAMajority(t *testing.T) {
	ctx := context.Background()
	procs, srv := servers(t, 5)
	rec := record.New()
	o := Options{Key: "k", TTL: time.Second, Timeout: 100 * time.Millisecond}
	a, b := client(t, "a", rec, srv, o), client(t, "b", rec, srv, o)

	require.NoError(t, procs[4].Pause())
	la, ok := a.Redlock(ctx)
	require.True(t, ok, "four of five is a majority")
	require.Equal(t, []bool{true, true, true, true, false}, la.On)
	require.Greater(t, la.Validity, time.Duration(0))
	require.Less(t, la.Validity, o.TTL-Drift(o.TTL)+time.Millisecond)
	_, ok = b.Redlock(ctx)
	require.False(t, ok)
	require.NoError(t, procs[4].Resume())
	a.Unlock(ctx, la)

	for _, p := range procs[2:] {
		require.NoError(t, p.Pause())
	}
	lb, ok := b.Redlock(ctx)
	require.False(t, ok, "two of five is not")
	for _, p := range procs[2:] {
		require.NoError(t, p.Resume())
	}
	// What it took on the two it reached was released.
	direct := redis.NewClient(&redis.Options{Addr: procs[0].Addr(), Protocol: 2, DisableIdentity: true})
	defer direct.Close()
	n, err := direct.Exists(ctx, "k").Result()
	require.NoError(t, err)
	require.Zero(t, n, "a failed Redlock releases what it took (%v)", lb.On)
}
