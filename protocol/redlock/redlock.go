package redlock

import (
	"fmt"
	"time"

	"github.com/faultline-sim/faultline/fields"
	"github.com/faultline-sim/faultline/protocol/lockkit"
	"github.com/faultline-sim/faultline/protocol/plant"
	"github.com/faultline-sim/faultline/protocol/redislock"
	"github.com/faultline-sim/faultline/sim"
	"github.com/faultline-sim/faultline/workload"
)

// StorageName is the protected storage node.
const StorageName = lockkit.NodeName

// InstanceName is the name of instance i (from 1): "redis-1".
func InstanceName(i int) string { return fmt.Sprintf("redis-%d", i) }

// Config sets the instances and the clients' timing.
type Config struct {
	Instances       int           // independent Redis masters; the docs use 5
	TTL             time.Duration // PX of the lock key on every instance
	InstanceTimeout time.Duration // how long the client waits for one instance before moving on
	RetryDelay      time.Duration // after a failed attempt, wait a random time in [0, RetryDelay]
	MaxRetries      int           // attempts per acquisition before giving up (0: no limit)
	Work            time.Duration // time in the critical section before the read-modify-write
	Persistence     redislock.Persistence
	lockkit.Common
}

// BugNoElapsedCheck shows why Redlock takes the time spent acquiring off
// the validity: a pause during acquisition would otherwise go unnoticed.
const BugNoElapsedCheck = "no-elapsed-check"

// More planted bugs: a quorum miscounted by the client, and instances
// that fsync their append-only file once a second (Redis's appendfsync
// everysec, its default) instead of before each reply.
const (
	BugMinorityQuorum = "minority-quorum"
	BugAOFEverySec    = "aof-everysec"
)

// Bugs holds Redlock's planted bugs.
var Bugs = plant.Catalog{
	{Name: BugNoElapsedCheck, Description: "the client does not take the time spent acquiring (a pause among others) off the lock's validity"},
	{Name: BugMinorityQuorum, Description: "the client counts N/2 locked instances as a majority (an off-by-one: 2 of 5), so two clients can hold the lock at once without any fault"},
	{Name: BugAOFEverySec, Description: "the instances answer a SET before the append-only file is synced and sync it once a second (appendfsync everysec): a crash losing unsynced writes forgets a granted key"},
}

// Default is the configuration of the scenarios: 5 instances without
// persistence, a 100ms lock, 10ms per instance.
func Default() Config {
	return Config{Instances: 5, TTL: 100 * time.Millisecond, InstanceTimeout: 10 * time.Millisecond,
		RetryDelay: 20 * time.Millisecond, Work: 20 * time.Millisecond}
}

// Quorum is the majority of instances a client must lock: N/2+1.
func (c Config) Quorum() int { return c.Instances/2 + 1 }

// Drift is the reference client's allowance for clock drift: 1% of the
// TTL plus 2ms.
func (c Config) Drift() time.Duration { return redislock.DriftFor(c.TTL) }

// Names lists the instances.
func (c Config) Names() []string { return workload.Names(c.Instances, InstanceName) }

// Validate reports an impossible setting, naming the field.
func (c Config) Validate() error {
	f := &fields.Check{Of: "redlock"}
	f.That(c.Instances >= 1, "instances must be at least 1, got %d", c.Instances)
	f.That(c.TTL > c.Drift(), "TTL %v must exceed the drift allowance %v", c.TTL, c.Drift())
	f.Positive("instance timeout", c.InstanceTimeout).Positive("retry delay", c.RetryDelay)
	f.Count("max retries", c.MaxRetries).NotNegative("work", c.Work)
	f.That(c.Persistence <= redislock.PersistAOF, "unknown persistence %d", c.Persistence)
	return f.Err()
}

// Name is "redlock", or "redlock-aof" with append-only persistence.
func (c Config) Name() string {
	if c.Persistence == redislock.PersistAOF {
		return "redlock-aof"
	}
	return "redlock"
}

// Planted is the catalog of planted bugs.
func (c Config) Planted() plant.Catalog { return Bugs }

// WithBugs is the configuration with exactly the bugs s on.
func (c Config) WithBugs(s plant.Set) lockkit.Protocol { c.Bugs = s; return c }

// Fenced is false: Redlock issues no fencing token.
func (c Config) Fenced() bool { return false }

// Servers are the instances.
func (c Config) Servers() []string { return c.Names() }

// AddNodes adds the instances, the storage and one client per name, each
// running its jobs (the first lock of each job) in order.
func (c Config) AddNodes(w *sim.World, clients []string, jobs []workload.LockJob) error {
	return lockkit.AddRoles(w, c, clients, jobs, lockkit.Roles{
		Server: func(i int) sim.Node {
			return redislock.NewServer(redislock.ServerConfig{Service: InstanceName(i + 1), Persistence: c.Persistence, FsyncEverySec: c.Bugs.On(BugAOFEverySec)})
		},
		Options: lockkit.Options{Backoff: lockkit.Uniform(c.RetryDelay), RetryDelay: lockkit.Uniform(c.RetryDelay), MaxTries: c.MaxRetries,
			WorkBefore: c.Work, FirstLockOnly: true, ReleaseLater: true},
		Service: func() lockkit.Service { return &Client{cfg: c} },
	})
}
