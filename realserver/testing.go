package realserver

import (
	"context"
	"errors"
	"os"
	"testing"
)

// InCI reports whether the environment variable CI says this is a CI run
// (set and not "false" or "0"); there a missing server is a failure.
func InCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "false" && v != "0"
}

// Require stops a test that could not start a server: it skips when a
// binary is missing outside CI, and fails otherwise.
func Require(t testing.TB, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if errors.Is(err, ErrMissing) && !InCI() {
		t.Skipf("skipped: %v (CI=true makes this a failure)", err)
	}
	t.Fatal(err)
}

// RedisForTest starts a redis-server that t.Cleanup closes.
func RedisForTest(t testing.TB, o RedisOptions) *Server {
	t.Helper()
	s, err := StartRedis(context.Background(), o)
	Require(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// ZooKeeperForTest starts a standalone ZooKeeper that t.Cleanup closes.
func ZooKeeperForTest(t testing.TB, o ZKOptions) *Server {
	t.Helper()
	s, err := StartZooKeeper(context.Background(), o)
	Require(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}
