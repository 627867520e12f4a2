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

// Roles are the nodes a lock protocol puts in a world beside the storage:
// how to make its i-th server (of Protocol.Servers) and the service its
// clients run, with Options. A node is made anew for every incarnation, so
// volatile state never survives a crash.
type Roles struct {
	Server  func(i int) sim.Node
	Options Options
	Service func() Service
}

// AddRoles is every lock protocol's AddNodes: it validates p, then adds
// its servers in the order p.Servers lists them, the storage (fenced if p
// is) and one client per name, running that client's jobs. Node ids follow
// the order of adding, and ids order events, so the order is part of every
// trace.
func AddRoles(w *sim.World, p Protocol, clients []string, jobs []workload.LockJob, r Roles) error {
	if err := p.Validate(); err != nil {
		return err
	}
	for i, name := range p.Servers() {
		w.AddNode(name, func() sim.Node { return r.Server(i) })
	}
	AddClients(w, p.Fenced(), clients, jobs, r.Options, r.Service)
	return nil
}

// AddClients adds the storage (fenced or not) and one client per name,
// running that client's jobs with opt against the service newService
// makes (a fresh one per start: its state is volatile).
func AddClients(w *sim.World, fenced bool, clients []string, jobs []workload.LockJob, opt Options, newService func() Service) {
	w.AddNode(NodeName, func() sim.Node { return &Storage{Fenced: fenced} })
	byClient, _ := workload.PerClient(jobs, func(j workload.LockJob) string { return j.Client })
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
