package optimistic

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/faultline-sim/faultline/protocol/lockkit"
	"github.com/faultline-sim/faultline/protocol/plant"
	"github.com/faultline-sim/faultline/sim"
	"github.com/faultline-sim/faultline/workload"
)

// Config sets the protocol's options.
type Config struct {
	ResendInterval time.Duration // a client resends an unanswered request
	Bugs           plant.Set
}

// BugIgnoreVersion is the planted bug's name (`simrun --bug`).
const BugIgnoreVersion = "ignore-version"

// Bugs is the catalog of planted bugs.
var Bugs = plant.Catalog{
	{Name: BugIgnoreVersion, Description: "the store applies a compare-and-set even when the version it names is not the current one"},
}

// StoreName is the store's role name.
const StoreName = "store"

// Default is the configuration of the scenarios.
func Default() Config { return Config{ResendInterval: 20 * time.Millisecond} }

// Validate reports an impossible setting.
func (c Config) Validate() error {
	if c.ResendInterval <= 0 {
		return fmt.Errorf("optimistic: resend interval must be positive, got %v", c.ResendInterval)
	}
	return nil
}

// Name is the protocol's short name.
func (c Config) Name() string { return "optimistic" }

// Planted is the catalog of planted bugs, Enabled those switched on.
func (c Config) Planted() plant.Catalog { return Bugs }
func (c Config) Enabled() plant.Set     { return c.Bugs }

// WithBugs is the configuration with exactly the bugs s on.
func (c Config) WithBugs(s plant.Set) Config { c.Bugs = s; return c }

// AddNodes adds the store, holding initial (key -> value, at version 0),
// and one client per name running its orders.
func (c Config) AddNodes(w *sim.World, initial map[string]int64, clients []string, orders []workload.OrderSpec) error {
	if err := c.Validate(); err != nil {
		return err
	}
	var cells []cell
	for _, k := range slices.Sorted(maps.Keys(initial)) {
		cells = append(cells, cell{key: k, value: initial[k]})
	}
	w.AddNode(StoreName, func() sim.Node { return &Store{cfg: c, initial: cells} })
	byClient, _ := workload.PerClient(orders, func(o workload.OrderSpec) string { return o.Client })
	for _, name := range clients {
		os := byClient[name]
		w.AddNode(name, func() sim.Node { return &Client{cfg: c, orders: os} })
	}
	return nil
}

type cell struct {
	key   string
	value int64
}

// Read asks for a key's value and version.
type Read struct {
	Key string
	Req lockkit.Req
}

// ReadReply answers a Read.
type ReadReply struct {
	Key     string
	Req     lockkit.Req
	Value   int64
	Version int64
}

// CAS sets Key to Value if its version is still Expect.
type CAS struct {
	Key    string
	Req    lockkit.Req
	Expect int64
	Value  int64
}

// CASReply answers a CAS: OK with the version it created, or a conflict
// with the value and version the store holds.
type CASReply struct {
	Key     string
	Req     lockkit.Req
	OK      bool
	Value   int64
	Version int64
}

func (m Read) String() string { return fmt.Sprintf("read %s req=%s", m.Key, m.Req) }
func (m ReadReply) String() string {
	return fmt.Sprintf("read-reply %s req=%s value=%d version=%d", m.Key, m.Req, m.Value, m.Version)
}
func (m CAS) String() string {
	return fmt.Sprintf("cas %s req=%s expect-version=%d value=%d", m.Key, m.Req, m.Expect, m.Value)
}
func (m CASReply) String() string {
	if m.OK {
		return fmt.Sprintf("cas-reply %s req=%s ok version=%d", m.Key, m.Req, m.Version)
	}
	return fmt.Sprintf("cas-reply %s req=%s conflict value=%d version=%d", m.Key, m.Req, m.Value, m.Version)
}
