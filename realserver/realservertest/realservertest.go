package realservertest

import (
	"context"
	"errors"
	"testing"

	"github.com/faultline-sim/faultline/internal/ci"
	"github.com/faultline-sim/faultline/realserver"
)

// Require stops a test that could not start a server: it skips when a
// binary is missing outside CI, and fails otherwise.
func Require(t testing.TB, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if errors.Is(err, realserver.ErrMissing) && !ci.On() {
		t.Skipf("skipped: %v (CI=true makes this a failure)", err)
	}
	t.Fatal(err)
}

// Redis starts a redis-server that t.Cleanup closes.
func Redis(t testing.TB, o realserver.RedisOptions) *realserver.Server {
	t.Helper()
	s, err := realserver.StartRedis(context.Background(), o)
	return started(t, s, err)
}

// ZooKeeper starts a standalone ZooKeeper that t.Cleanup closes.
func ZooKeeper(t testing.TB, o realserver.ZKOptions) *realserver.Server {
	t.Helper()
	s, err := realserver.StartZooKeeper(context.Background(), o)
	return started(t, s, err)
}

// started hands a test the server a Start call made, closed by t.Cleanup,
// or stops the test as Require does.
func started(t testing.TB, s *realserver.Server, err error) *realserver.Server {
	t.Helper()
	Require(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}
