package workload

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/faultline-sim/faultline/fields"
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
	f := &fields.Check{Of: "inventory workload"}
	f.AtLeast("items", v.Items, 1)
	f.That(v.InitialStock >= 0, "initial stock %d is negative", v.InitialStock)
	f.AtLeast("clients", v.Clients, 1).Count("orders per client", v.OrdersPerClient)
	f.That(v.MaxUnits >= 1, "max units must be at least 1, got %d", v.MaxUnits)
	f.Positive("interval", v.Interval)
	return f.Err()
}

// ItemName is the name (and store key) of item i (from 1).
func ItemName(i int) string { return fmt.Sprintf("item-%d", i) }

// ItemNames lists the items in order.
func (v Inventory) ItemNames() []string { return Names(v.Items, ItemName) }

// ClientNames lists the clients in order.
func (v Inventory) ClientNames() []string { return Names(v.Clients, ClientName) }

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
	arrivals(r, v.Clients, v.OrdersPerClient, v.Start, v.Interval, func(c, j int, at time.Duration) {
		out = append(out, OrderSpec{ID: fmt.Sprintf("c%d-o%d", c, j), Client: ClientName(c), At: at,
			Item: ItemName(1 + r.IntN(v.Items)), Units: 1 + r.Int64N(v.MaxUnits)})
	})
	return out
}
