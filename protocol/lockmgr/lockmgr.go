package lockmgr

import (
	"time"

	"github.com/faultline-sim/faultline/fields"
	"github.com/faultline-sim/faultline/protocol/lockkit"
	"github.com/faultline-sim/faultline/protocol/plant"
	"github.com/faultline-sim/faultline/sim"
	"github.com/faultline-sim/faultline/workload"
)

// Config sets the manager's and the clients' timing and policy.
type Config struct {
	TTL time.Duration // lease length, on the manager's clock
	// Margin is how much earlier than its lease's end a client stops
	// trusting it: room for clock drift and for a write still on its way
	// to the storage when the client leaves the critical section.
	Margin         time.Duration
	ResendInterval time.Duration // a client resends an unanswered request
	QueueLimit     int           // waiting requests per lock; more are refused (0: never queue)
	// DetectDeadlocks makes the manager look for a wait-for cycle whenever
	// it queues a request, and refuse that request if it closes one.
	DetectDeadlocks bool
	// WaitTimeout, if positive, refuses a request that has waited this
	// long in a queue: the timeout-only way out of a deadlock.
	WaitTimeout time.Duration
	BackoffBase time.Duration // first retry delay after a refusal; doubles per failed try
	BackoffMax  time.Duration
	Think       time.Duration // a client's pause between getting one lock and asking for the next
	lockkit.Fencing
	lockkit.Common
}

// Planted bugs, each off unless a test or `simrun --bug` turns it on.
const (
	BugGrantHeld        = "grant-held"
	BugReleaseNonHolder = "release-non-holder"
	BugGrantBeforeSync  = "grant-before-sync"
)

// Bugs is the catalog of planted bugs.
var Bugs = plant.Catalog{
	{Name: BugGrantHeld, Description: "the manager grants a request for a lock someone else holds, instead of queueing or refusing it"},
	{Name: BugReleaseNonHolder, Description: "the manager frees a held lock on any release, without checking who sends it or which grant it names"},
	{Name: BugGrantBeforeSync, Description: "the manager answers a grant before its lease record is synced (it reaches the disk with the manager's next sync): a crash losing unsynced writes frees a granted lock"},
}

// Role names.
const (
	ManagerName = "lock-manager"
	StorageName = lockkit.NodeName
)

// Default is the configuration of the scenarios: leases of 150ms, deadlock
// detection on, up to 4 waiters per lock.
func Default() Config {
	return Config{TTL: 150 * time.Millisecond, Margin: 10 * time.Millisecond, ResendInterval: 20 * time.Millisecond,
		QueueLimit: 4, DetectDeadlocks: true, BackoffBase: 5 * time.Millisecond, BackoffMax: 80 * time.Millisecond}
}

// TimeoutOnly is Default with deadlock detection replaced by a wait timeout.
func TimeoutOnly(wait time.Duration) Config {
	c := Default()
	c.DetectDeadlocks = false
	c.WaitTimeout = wait
	return c
}

// Validate reports an impossible setting, naming the field.
func (c Config) Validate() error {
	f := &fields.Check{Of: "lockmgr"}
	f.Positive("TTL", c.TTL).That(c.Margin >= 0 && c.Margin < c.TTL, "margin must be in [0, TTL %v), got %v", c.TTL, c.Margin)
	f.Positive("resend interval", c.ResendInterval).Count("queue limit", c.QueueLimit)
	f.NotNegative("wait timeout", c.WaitTimeout).Positive("backoff base", c.BackoffBase)
	f.NotBelow("backoff max", c.BackoffMax, "backoff base", c.BackoffBase).NotNegative("think time", c.Think)
	return f.Err()
}

// Name is "lockmgr", or "lockmgr-timeout" in timeout-only mode.
func (c Config) Name() string {
	if !c.DetectDeadlocks {
		return "lockmgr-timeout"
	}
	return "lockmgr"
}

// Planted is the catalog of planted bugs.
func (c Config) Planted() plant.Catalog { return Bugs }

// WithBugs is the configuration with exactly the bugs s on.
func (c Config) WithBugs(s plant.Set) lockkit.Protocol { c.Bugs = s; return c }

// Servers is the manager.
func (c Config) Servers() []string { return []string{ManagerName} }

// AddNodes adds the manager, the storage and one client per name, each
// running its jobs in order.
func (c Config) AddNodes(w *sim.World, clients []string, jobs []workload.LockJob) error {
	return lockkit.AddRoles(w, c, clients, jobs, lockkit.Roles{
		Server:  func(int) sim.Node { return &Manager{cfg: c} },
		Options: lockkit.Options{Backoff: lockkit.Doubling(c.BackoffBase, c.BackoffMax), ResendInterval: c.ResendInterval, Think: c.Think, KeepHeld: true},
		Service: func() lockkit.Service { return &Client{cfg: c} },
	})
}
