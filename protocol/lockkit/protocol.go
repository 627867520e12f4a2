package lockkit

import (
	"github.com/faultline-sim/faultline/protocol/plant"
	"github.com/faultline-sim/faultline/sim"
	"github.com/faultline-sim/faultline/workload"
)

// Protocol is a lock service as the lock family's system builder
// (scenarios.Locks) sees it: its configuration, planted bugs, what its
// storage and holder records promise the checkers, and how it adds its
// nodes. A new lock service is a package with one of these.
type Protocol interface {
	Name() string
	// Validate reports an impossible setting, naming the field.
	Validate() error
	Planted() plant.Catalog // the bugs it offers
	Enabled() plant.Set     // the bugs switched on
	WithBugs(plant.Set) Protocol
	// Fenced: the storage refuses tokens lower than the highest it has
	// accepted for a cell.
	Fenced() bool
	// Quorum is how many of its servers must record a client as holder
	// (obs.Holder) for the client to hold the lock.
	Quorum() int
	// Servers are the names of its server nodes.
	Servers() []string
	// AddNodes adds the servers, the storage and one client per name,
	// each running its jobs in order.
	AddNodes(w *sim.World, clients []string, jobs []workload.LockJob) error
}

// AddClients adds the storage (fenced or not) and one client per name,
// running that client's jobs with opt against the service newService
// makes (a fresh one per start: its state is volatile).
func AddClients(w *sim.World, fenced bool, clients []string, jobs []workload.LockJob, opt Options, newService func() Service) {
	w.AddNode(NodeName, func() sim.Node { return &Storage{Fenced: fenced} })
	byClient := map[string][]workload.LockJob{}
	for _, j := range jobs {
		byClient[j.Client] = append(byClient[j.Client], j)
	}
	for _, name := range clients {
		o := opt
		o.Jobs = byClient[name]
		w.AddNode(name, func() sim.Node { return NewClient(newService(), o) })
	}
}

// Common is what every lock protocol's configuration embeds: the planted
// bugs switched on.
type Common struct {
	Bugs plant.Set
}

// Enabled is the planted bugs switched on.
func (c Common) Enabled() plant.Set { return c.Bugs }

// Quorum is 1: one server's record of the holder is authoritative.
func (c Common) Quorum() int { return 1 }

// Fencing is embedded by the configuration of a service that issues
// fencing tokens.
type Fencing struct {
	// FencedStorage makes the storage refuse tokens lower than the highest
	// it has seen for a cell (Kleppmann's fencing).
	FencedStorage bool
}

// Fenced reports whether the storage is fenced.
func (f Fencing) Fenced() bool { return f.FencedStorage }
