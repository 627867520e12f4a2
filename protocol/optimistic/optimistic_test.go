package optimistic

import (
	"testing"
	"time"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/plant"
	"github.com/faultline-sim/faultline/sim"
	"github.com/faultline-sim/faultline/workload"
)

const ms = time.Millisecond

// sell runs clients that each order units of one item at the same moment.
func sell(t *testing.T, cfg Config, stock int64, units ...int64) (*sim.World, []sim.Observation) {
	t.Helper()
	w, err := sim.New(sim.Config{Seed: 1, Network: sim.Link{Latency: ms, Jitter: 2 * ms}, MaxTime: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var clients []string
	var orders []workload.OrderSpec
	for i, u := range units {
		c := workload.ClientName(i + 1)
		clients = append(clients, c)
		orders = append(orders, workload.OrderSpec{ID: c, Client: c, At: ms, Item: "item-1", Units: u})
	}
	if err := cfg.AddNodes(w, map[string]int64{"item-1": stock}, clients, orders); err != nil {
		t.Fatal(err)
	}
	w.Run()
	return w, w.Observations()
}

func count(os []sim.Observation, pred func(obs.Fact) bool) int {
	n := 0
	for _, o := range os {
		if pred(o.Data.(obs.Fact)) {
			n++
		}
	}
	return n
}

func finalStock(os []sim.Observation, initial int64) int64 {
	for _, o := range os {
		if a, ok := o.Data.(obs.KVApplied); ok {
			initial = a.Value
		}
	}
	return initial
}

func TestConflictingUpdateRereadsAndRetries(t *testing.T) {
	_, os := sell(t, Default(), 10, 3, 3, 3)
	conflicts := count(os, func(f obs.Fact) bool { r, ok := f.(obs.KVReturn); return ok && r.Op == "cas" && !r.OK })
	if conflicts == 0 {
		t.Fatal("three simultaneous orders on one item met no version conflict")
	}
	if sold := count(os, func(f obs.Fact) bool { _, ok := f.(obs.Sold); return ok }); sold != 3 {
		t.Fatalf("%d of 3 orders sold after retrying", sold)
	}
	if got := finalStock(os, 10); got != 1 {
		t.Fatalf("stock %d after selling 9 of 10, want 1", got)
	}
}

func TestOverSellingIsPrevented(t *testing.T) {
	_, os := sell(t, Default(), 5, 3, 3, 3)
	sold := count(os, func(f obs.Fact) bool { _, ok := f.(obs.Sold); return ok })
	out := count(os, func(f obs.Fact) bool { _, ok := f.(obs.OutOfStock); return ok })
	if sold != 1 || out != 2 || finalStock(os, 5) != 2 {
		t.Fatalf("5 in stock, three orders of 3: %d sold, %d out of stock, %d left; want 1, 2, 2", sold, out, finalStock(os, 5))
	}
}

func TestUpdateIgnoringTheVersionLosesUpdates(t *testing.T) {
	cfg, err := plant.With(Default(), BugIgnoreVersion)
	if err != nil {
		t.Fatal(err)
	}
	_, os := sell(t, cfg, 10, 3, 3, 3)
	sold := 3 * int64(count(os, func(f obs.Fact) bool { _, ok := f.(obs.Sold); return ok }))
	if left := finalStock(os, 10); 10-left == sold {
		t.Fatalf("with the planted bug, %d units sold and stock fell by as much: the bug lost nothing", sold)
	}
}
