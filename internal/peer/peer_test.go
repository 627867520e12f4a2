package peer

import (
	"testing"
	"testing/synctest"
	"time"
)

// The yardstick must do the work it stands for: every transfer decided,
// money conserved, both outcomes present, ten messages a transaction.
func TestPeerConservesMoney(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := Default(1)
		res, err := Run(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Committed + res.Aborted; got != cfg.Bank.Transfers {
			t.Fatalf("%d transfers decided, want %d", got, cfg.Bank.Transfers)
		}
		if res.Total != cfg.Bank.InitialTotal() {
			t.Fatalf("money at the end %d, want %d", res.Total, cfg.Bank.InitialTotal())
		}
		if res.Committed == 0 || res.Aborted == 0 {
			t.Fatalf("%d committed, %d aborted: the workload should see both", res.Committed, res.Aborted)
		}
		if res.Messages != 10*cfg.Bank.Transfers {
			t.Fatalf("%d messages, want 10 per transfer", res.Messages)
		}
		if res.Elapsed < 100*time.Millisecond || res.Elapsed > 10*time.Second {
			t.Fatalf("the workload took %v of bubble time", res.Elapsed)
		}
	})
}
