package txn_test

import (
	"testing"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/internal/explore"
	"github.com/faultline-sim/faultline/scenarios"
)

// A participant crashed after any durable write or send of its handlers
// and restarted recovers to an atomic, conserving history, in every
// protocol built on the kit. Finishing a transaction in several writes
// failed here: a crash after the new balances and before the outcome had
// the restarted participant apply the transfer again.
func TestParticipantsSurviveCrashesAtEffectBoundaries(t *testing.T) {
	for _, name := range []string{"2pc-bank", "3pc-bank", "paxoscommit-bank"} {
		spec, err := scenarios.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		res, err := explore.CrashPoints(spec, explore.Options{Seed: 1, RestartAfter: 30 * time.Millisecond, PerKind: 6,
			Nodes: []string{"participant-1", "participant-2"}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Points < 12 || res.Counts[checker.OK] != res.Points {
			t.Errorf("%s: %d crash points, verdicts %v", name, res.Points, res.Counts)
			for _, r := range res.Runs {
				if r.Verdict != checker.OK {
					t.Logf("%s at %+v: %v", name, r.Point, r.Failures)
					break
				}
			}
		}
	}
}
