package zklock_test

import (
	"testing"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/explore"
	"github.com/faultline-sim/faultline/scenarios"
)

// Each ZooKeeper transaction is one atomic write with its record right
// after it: crashing the server at any effect boundary (and restarting it)
// leaves a history the linearizability checker accepts. Before, a crash
// between a create's sequence number and its node, or between an expiry
// and its record, broke it (10 of 404 points of zk-lock-fenced).
func TestServerSurvivesEveryCrashPoint(t *testing.T) {
	s, err := scenarios.Get("zk-lock-fenced")
	if err != nil {
		t.Fatal(err)
	}
	res, err := explore.CrashPoints(s, explore.Options{Seed: 1, RestartAfter: 30 * time.Millisecond, Nodes: []string{"zookeeper"}, PerKind: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if res.Points < 50 || res.Counts[checker.OK] != res.Points {
		t.Fatalf("%d crash points of the server: %v", res.Points, res.Counts)
	}
}
