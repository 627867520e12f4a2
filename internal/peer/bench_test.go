package peer

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/faultline-sim/faultline/internal/scenariotest"
	"github.com/faultline-sim/faultline/scenarios"
)

// BenchmarkPeerVsFaultline runs, per iteration and alternately in one
// process, the goroutine version of the 2PC bank workload in a synctest
// bubble, the 2pc-bank scenario without a stored trace, and the same with
// its trace, and reports each one's time per run and the ratios
// (peer/faultline: above 1, Faultline is faster).
//
// synctest.Test wants a *testing.T, which a benchmark does not have; the
// runs go through testing.RunTests to get one, and are timed from outside
// the bubbles, whose clock is fake.
func BenchmarkPeerVsFaultline(b *testing.B) {
	spec := scenariotest.Get(b, "2pc-bank")
	var peer, untraced, traced time.Duration
	var peerMsgs, flEvents int
	ran := false
	bench := func(t *testing.T) {
		if ran {
			return // RunTests repeats its tests for -count and -cpu
		}
		ran = true
		for i := 0; i < b.N; i++ {
			seed := uint64(i + 1)
			runPeer := func() {
				start := time.Now()
				synctest.Test(t, func(t *testing.T) {
					res, err := Run(Default(seed))
					if err != nil || res.Total != Default(seed).Bank.InitialTotal() {
						t.Fatalf("peer run: %v, money %d", err, res.Total)
					}
					peerMsgs += res.Messages
				})
				peer += time.Since(start)
			}
			runUntraced := func() {
				start := time.Now()
				out, err := scenarios.Run(spec, scenarios.Options{Seed: seed, NoTrace: true})
				untraced += time.Since(start)
				if err != nil {
					t.Fatal(err)
				}
				flEvents += out.Events
			}
			runTraced := func() {
				start := time.Now()
				if _, err := scenarios.Run(spec, scenarios.Options{Seed: seed}); err != nil {
					t.Fatal(err)
				}
				traced += time.Since(start)
			}
			// The order turns each iteration: the garbage one leaves is
			// collected during the next, so a fixed order would charge
			// the peer's to Faultline's untraced run every time.
			order := [3]func(){runPeer, runUntraced, runTraced}
			for j := range order {
				order[(i+j)%3]()
			}
		}
	}
	b.ResetTimer()
	matchAll := func(string, string) (bool, error) { return true, nil }
	if !testing.RunTests(matchAll, []testing.InternalTest{{Name: "PeerVsFaultline", F: bench}}) {
		b.Fatal("a run failed")
	}
	n := float64(b.N)
	b.ReportMetric(float64(peer.Microseconds())/n, "peer-µs/run")
	b.ReportMetric(float64(untraced.Microseconds())/n, "faultline-µs/run")
	b.ReportMetric(float64(traced.Microseconds())/n, "traced-µs/run")
	b.ReportMetric(peer.Seconds()/untraced.Seconds(), "x-faster-untraced")
	b.ReportMetric(peer.Seconds()/traced.Seconds(), "x-faster-traced")
	b.ReportMetric(float64(peerMsgs)/n, "peer-msgs/run")
	b.ReportMetric(float64(flEvents)/n, "faultline-events/run")
}
