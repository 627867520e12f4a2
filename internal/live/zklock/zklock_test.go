package zklock

import (
	"context"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/internal/live/proxy"
	"github.com/faultline-sim/faultline/internal/live/record"
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/realserver"
	"github.com/faultline-sim/faultline/realserver/realservertest"
	"github.com/stretchr/testify/require"
)

// The recipe hands the lock on in order, with growing czxid tokens; a
// holder cut off from the server loses it when its session expires, the
// waiter takes over, the monitor records the expiry, and the cut-off
// client learns it (StateExpired) only once it can reach the server.
func TestRecipeOrderExpiryAndMonitor(t *testing.T) {
	srv := realservertest.ZooKeeper(t, realserver.ZKOptions{TickTime: 100 * time.Millisecond})
	px, err := proxy.New(srv.Addr())
	require.NoError(t, err)
	t.Cleanup(func() { px.Close() })
	rec := record.New()
	mon, err := StartMonitor(srv.Addr(), rec, "zk", "/t/lock", "zk/lock", "lock")
	require.NoError(t, err)
	connect := func(name string) *Client {
		door, err := px.Door(name)
		require.NoError(t, err)
		c, err := Connect(name, door, time.Second, 10*time.Second, rec, "/t/lock", "zk/lock")
		require.NoError(t, err)
		t.Cleanup(c.Close)
		return c
	}
	a, b := connect("a"), connect("b")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	la, err := a.Acquire(ctx)
	require.NoError(t, err)
	got := make(chan Lease, 1)
	go func() {
		lb, err := b.Acquire(ctx)
		if err == nil {
			got <- lb
		}
		close(got)
	}()
	select {
	case <-got:
		t.Fatal("b got the lock a holds")
	case <-time.After(300 * time.Millisecond):
	}

	px.Partition("a")
	var lb Lease
	select {
	case lb = <-got:
	case <-ctx.Done():
		t.Fatal("b never took over from the cut-off a")
	}
	require.Greater(t, lb.Token, la.Token, "czxid tokens grow")
	select {
	case <-la.Lost:
		t.Fatal("a cannot know while cut off")
	default:
	}
	px.Heal()
	select {
	case <-la.Lost:
	case <-ctx.Done():
		t.Fatal("a never learned that its session expired")
	}
	require.False(t, a.Release(la), "a's node went with its session")
	require.True(t, b.Release(lb))
	time.Sleep(100 * time.Millisecond)
	require.NoError(t, mon.Stop())

	var expired []obs.LeaseExpired
	var holders []string
	for _, o := range rec.Observations() {
		switch f := o.Data.(type) {
		case obs.LeaseExpired:
			expired = append(expired, f)
		case obs.Holder:
			holders = append(holders, f.Client)
		}
	}
	require.Equal(t, []obs.LeaseExpired{{Lock: "zk/lock", Client: "a", Token: la.Token}}, expired)
	require.Equal(t, []string{"a", "b", ""}, holders, "a, then b (after a's expiry), then free (b released)")
}
