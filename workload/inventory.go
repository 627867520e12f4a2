package workload

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Inventory configures the seed article's inventory workload: clients sell
// units of items from a shared stock; overselling must be prevented.
type Inventory struct {
	Items           int
	InitialStock    int64 // per item
	Clients         int
	OrdersPerClient int
	MaxUnits        int64         // an order asks for 1..MaxUnits units
	Interval        time.Duration // mean gap between one client's orders
	Start           time.Duration
}

// DefaultInventory is the workload of the optimistic-inventory scenarios:
// more demand than stock, so conflicts are common and stock runs out.
func DefaultInventory() Inventory {
	return Inventory{Items: 2, InitialStock: 60, Clients: 6, OrdersPerClient: 8, MaxUnits: 5, Interval: 25 * time.Millisecond, Start: time.Millisecond}
}

// Validate reports an impossible setting, naming the field.
func (v Inventory) Validate() error {
	switch {
	case v.Items < 1:
		return fmt.Errorf("inventory workload: items must be at least 1, got %d", v.Items)
	case v.InitialStock < 0:
		return fmt.Errorf("inventory workload: initial stock %d is negative", v.InitialStock)
	case v.Clients < 1:
		return fmt.Errorf("inventory workload: clients must be at least 1, got %d", v.Clients)
	case v.OrdersPerClient < 0:
		return fmt.Errorf("inventory workload: orders per client %d is negative", v.OrdersPerClient)
	case v.MaxUnits < 1:
		return fmt.Errorf("inventory workload: max units must be at least 1, got %d", v.MaxUnits)
	case v.Interval <= 0:
		return fmt.Errorf("inventory workload: interval must be positive, got %v", v.Interval)
	}
	return nil
}

// ItemName is the name (and store key) of item i (from 1).
func ItemName(i int) string { return fmt.Sprintf("item-%d", i) }

// ItemNames lists the items in order.
func (v Inventory) ItemNames() []string {
	out := make([]string, v.Items)
	for i := range out {
		out[i] = ItemName(i + 1)
	}
	return out
}

// ClientNames lists the clients in order.
func (v Inventory) ClientNames() []string {
	out := make([]string, v.Clients)
	for i := range out {
		out[i] = ClientName(i + 1)
	}
	return out
}

// OrderSpec is one order: Units of Item, placed by Client at At.
type OrderSpec struct {
	ID     string
	Client string
	At     time.Duration
	Item   string
	Units  int64
}

// Generate draws the orders from r, in time order per client.
func (v Inventory) Generate(r *rand.Rand) []OrderSpec {
	var out []OrderSpec
	for c := 0; c < v.Clients; c++ {
		at := v.Start
		for j := 0; j < v.OrdersPerClient; j++ {
			at += cappedGap(r, v.Interval)
			out = append(out, OrderSpec{ID: fmt.Sprintf("c%d-o%d", c+1, j+1), Client: ClientName(c + 1), At: at,
				Item: ItemName(1 + r.IntN(v.Items)), Units: 1 + r.Int64N(v.MaxUnits)})
		}
	}
	return out
}

// cappedGap draws an exponential gap with the given mean, capped at three
// times the mean, so that a client's work ends within a known horizon and
// a run's time limit never cuts a workload short.
func cappedGap(r *rand.Rand, mean time.Duration) time.Duration {
	return time.Duration(float64(mean) * min(r.ExpFloat64(), 3))
}
