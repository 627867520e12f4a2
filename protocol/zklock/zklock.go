package zklock

import (
	"fmt"
	"time"

	"github.com/faultline-sim/faultline/fields"
	"github.com/faultline-sim/faultline/protocol/lockkit"
	"github.com/faultline-sim/faultline/protocol/plant"
	"github.com/faultline-sim/faultline/sim"
	"github.com/faultline-sim/faultline/workload"
)

// Role names.
const (
	ServerName  = "zookeeper"
	StorageName = lockkit.NodeName
)

// Config sets the server's and the clients' timing and policy.
type Config struct {
	SessionTimeout time.Duration // the server expires a session silent this long
	Heartbeat      time.Duration // a client pings this often (ZooKeeper: a third of the timeout)
	// SuspendAfter: a client that has had no answer this long is
	// disconnected (ZooKeeper: two thirds of the timeout).
	SuspendAfter   time.Duration
	RequestTimeout time.Duration // a request unanswered this long, while connected, is retried
	ResendInterval time.Duration // a storage request unanswered this long is resent
	Work           time.Duration // the critical section's work between read and write
	// LeaveOnSuspend is Curator's advice: leave the critical section as
	// soon as the connection is suspended, and give the lock up.
	LeaveOnSuspend bool
	lockkit.Fencing
	BackoffBase time.Duration // first retry delay after losing a session or being fenced
	BackoffMax  time.Duration
	lockkit.Common
}

// BugNoGUID shows why the recipe names each node with a GUID (Z2).
const BugNoGUID = "no-guid"

// Bugs lists what `simrun --bug` can switch on in the recipe's client.
var Bugs = plant.Catalog{
	{Name: BugNoGUID, Description: "after a create whose answer was lost, the client creates again instead of looking for its node by GUID, and waits for its own orphan node to go — which it never does while its session lives"},
}

// Default is the configuration of the scenarios: a 150ms session timeout
// (ZooKeeper's ratios for heartbeat and disconnect), 10ms of work.
func Default() Config {
	return Config{SessionTimeout: 150 * time.Millisecond, Heartbeat: 50 * time.Millisecond, SuspendAfter: 100 * time.Millisecond,
		RequestTimeout: 40 * time.Millisecond, ResendInterval: 20 * time.Millisecond, Work: 10 * time.Millisecond,
		BackoffBase: 5 * time.Millisecond, BackoffMax: 80 * time.Millisecond}
}

// Validate reports an impossible setting, naming the field.
func (c Config) Validate() error {
	f := &fields.Check{Of: "zklock"}
	f.Positive("session timeout", c.SessionTimeout)
	f.That(c.Heartbeat > 0 && c.Heartbeat < c.SessionTimeout, "heartbeat must be in (0, session timeout %v), got %v", c.SessionTimeout, c.Heartbeat)
	f.That(c.SuspendAfter > c.Heartbeat, "suspend-after %v must exceed the heartbeat %v", c.SuspendAfter, c.Heartbeat)
	f.Positive("request timeout", c.RequestTimeout).Positive("resend interval", c.ResendInterval)
	f.NotNegative("work", c.Work).Positive("backoff base", c.BackoffBase)
	f.NotBelow("backoff max", c.BackoffMax, "backoff base", c.BackoffBase)
	return f.Err()
}

// Name is "zklock", with "-fenced" against fenced storage.
func (c Config) Name() string {
	if c.FencedStorage {
		return "zklock-fenced"
	}
	return "zklock"
}

// Planted is the catalog of planted bugs.
func (c Config) Planted() plant.Catalog { return Bugs }

// WithBugs is the configuration with exactly the bugs s on.
func (c Config) WithBugs(s plant.Set) lockkit.Protocol { c.Bugs = s; return c }

// Servers is the ZooKeeper server.
func (c Config) Servers() []string { return []string{ServerName} }

// AddNodes adds the server, the storage and one client per name, each
// running its jobs (one lock each) in order.
func (c Config) AddNodes(w *sim.World, clients []string, jobs []workload.LockJob) error {
	for _, j := range jobs {
		if len(j.Locks) != 1 {
			return fmt.Errorf("zklock: job %s needs %d locks; the recipe client takes one lock per job", j.ID, len(j.Locks))
		}
	}
	return lockkit.AddRoles(w, c, clients, jobs, lockkit.Roles{
		Server:  func(int) sim.Node { return &Server{cfg: c} },
		Options: lockkit.Options{Backoff: lockkit.Doubling(c.BackoffBase, c.BackoffMax), ResendInterval: c.ResendInterval, WorkBetween: c.Work},
		Service: func() lockkit.Service { return &Client{cfg: c} },
	})
}
