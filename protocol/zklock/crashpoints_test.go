package zklock_test

import (
	"testing"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/explore"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/stretchr/testify/require"
)

// Each ZooKeeper transaction is one atomic write with its record right
// after it: crashing the server at any effect boundary (and restarting it)
// leaves a history the linearizability checker accepts. Before, a crash
// between a create's sequence number and its node, or between an expiry
// and its record, broke it (10 of 404 points of zk-lock-fenced).
func TestServerSurvivesEveryCrashPoint(t *testing.T) {
	s, err := scenarios.Get("zk-lock-fenced")
	require.NoError(t, err)
	res, err := explore.CrashPoints(s, explore.Options{Seed: 1, RestartAfter: 30 * time.Millisecond, Nodes: []string{"zookeeper"}, PerKind: 1000})
	require.NoError(t, err)
	require.Greater(t, res.Points, 50)
	require.Equal(t, res.Points, res.Counts[checker.OK], "%v", res.Counts)
}
