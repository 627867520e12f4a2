package redislock

import (
	"time"

	"github.com/faultline-sim/faultline/fields"
	"github.com/faultline-sim/faultline/protocol/lockkit"
	"github.com/faultline-sim/faultline/protocol/plant"
	"github.com/faultline-sim/faultline/sim"
	"github.com/faultline-sim/faultline/workload"
)

// Role names.
const (
	Service     = "redis"         // the logical Redis of the single-instance lock
	MasterName  = "redis"         // the master at the start
	ReplicaName = "redis-replica" // its replica, when there is one
	StorageName = lockkit.NodeName
)

// Config sets the single-instance lock: the server's persistence and
// replication, and the clients' timing.
type Config struct {
	TTL time.Duration // PX of the lock key
	// Drift is what the client takes off the TTL for clock drift between
	// it and the server; 0 means Redlock's rule, 1% of TTL + 2ms.
	Drift          time.Duration
	CommandTimeout time.Duration // a client stops waiting for a reply (and tries the other server)
	RetryDelay     time.Duration // mean wait between SET attempts; each wait is drawn from [d/2, 3d/2]
	MaxRetries     int           // SET attempts per acquisition before giving up (0: no limit)
	Work           time.Duration // time in the critical section before the read-modify-write
	Extend         bool          // after the work, extend the lock with the check-and-extend script

	Persistence         Persistence
	Replica             bool
	ReplicationInterval time.Duration
	FailoverAfter       time.Duration

	lockkit.Common
}

// BugPlainDel shows why the seed releases with a script: a plain DEL
// deletes the key whoever holds it by then.
const BugPlainDel = "plain-del"

// Bugs are the client's planted bugs, for `simrun --bug`.
var Bugs = plant.Catalog{
	{Name: BugPlainDel, Description: "release with a plain DEL instead of the check-and-delete script, deleting the key whoever holds it now"},
}

// Default is the configuration of the scenarios: a 100ms lock, one
// server without persistence or replica.
func Default() Config {
	return Config{TTL: 100 * time.Millisecond, CommandTimeout: 10 * time.Millisecond, RetryDelay: 10 * time.Millisecond,
		Work: 20 * time.Millisecond, Extend: true,
		ReplicationInterval: 10 * time.Millisecond, FailoverAfter: 40 * time.Millisecond}
}

// DriftFor is Redlock's allowance for clock drift: 1% of the TTL plus 2ms.
func DriftFor(ttl time.Duration) time.Duration { return ttl/100 + 2*time.Millisecond }

func (c Config) drift() time.Duration {
	if c.Drift > 0 {
		return c.Drift
	}
	return DriftFor(c.TTL)
}

// Validate reports an impossible setting, naming the field.
func (c Config) Validate() error {
	f := &fields.Check{Of: "redislock"}
	f.Positive("TTL", c.TTL).That(c.Drift >= 0 && c.drift() < c.TTL, "drift must be in [0, TTL %v), got %v", c.TTL, c.drift())
	f.Positive("command timeout", c.CommandTimeout).Positive("retry delay", c.RetryDelay)
	f.Count("max retries", c.MaxRetries).NotNegative("work", c.Work)
	f.That(c.Persistence <= PersistAOF, "unknown persistence %d", c.Persistence)
	f.That(!c.Replica || (c.ReplicationInterval > 0 && c.FailoverAfter >= c.ReplicationInterval),
		"with a replica, replication interval must be positive and failover-after at least one interval, got %v and %v", c.ReplicationInterval, c.FailoverAfter)
	return f.Err()
}

// Name is "redis-lock", with the persistence and replica if any.
func (c Config) Name() string {
	n := "redis-lock"
	if c.Persistence == PersistAOF {
		n += "-aof"
	}
	if c.Replica {
		n += "-replicated"
	}
	return n
}

// Planted is the catalog of planted bugs.
func (c Config) Planted() plant.Catalog { return Bugs }

// WithBugs is the configuration with exactly the bugs s on.
func (c Config) WithBugs(s plant.Set) lockkit.Protocol { c.Bugs = s; return c }

// Fenced is false: Redis issues no fencing token.
func (c Config) Fenced() bool { return false }

// Servers are the server nodes, master first.
func (c Config) Servers() []string {
	if c.Replica {
		return []string{MasterName, ReplicaName}
	}
	return []string{MasterName}
}

// ServerConfigs are the configurations of the master and, if any, the
// replica.
func (c Config) ServerConfigs() []ServerConfig {
	m := ServerConfig{Service: Service, Persistence: c.Persistence, ReplicationInterval: c.ReplicationInterval, FailoverAfter: c.FailoverAfter}
	if !c.Replica {
		return []ServerConfig{m}
	}
	r := m
	m.Peer, r.Peer, r.StartAsReplica = ReplicaName, MasterName, true
	return []ServerConfig{m, r}
}

// AddNodes adds the server(s), the storage and one client per name, each
// running its jobs (the first lock of each job) in order.
func (c Config) AddNodes(w *sim.World, clients []string, jobs []workload.LockJob) error {
	servers := c.ServerConfigs()
	return lockkit.AddRoles(w, c, clients, jobs, lockkit.Roles{
		Server: func(i int) sim.Node { return NewServer(servers[i]) },
		Options: lockkit.Options{Backoff: lockkit.Jittered(4 * c.RetryDelay), RetryDelay: lockkit.Jittered(c.RetryDelay), MaxTries: c.MaxRetries,
			WorkBefore: c.Work, FirstLockOnly: true, ReleaseLater: true},
		Service: func() lockkit.Service { return &Client{cfg: c} },
	})
}
