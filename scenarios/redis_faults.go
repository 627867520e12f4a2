package scenarios

import (
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/protocol/redislock"
)

// The single-Redis random family: one Redis server and its clients under
// random pauses (of the server and of clients about as long as the TTL),
// clock jumps (the server's included, which expire keys early), crashes
// with restarts — without persistence in redis-lock-faults, with
// append-only persistence in redis-lock-faults-aof — and partitions; then
// heal. A client paused past its TTL, a jump of the server's clock or an
// empty restarted server makes the check-and-extend find the key gone: the
// failed extend (cs-leave why=lost) that no scripted scenario reaches.
// Unfenced storage and a lease lock make both violations by sweep (two
// holders after a pause or a jump, as in redis-lock-pause).

func redisFaultsNemesis(cfg redislock.Config, clients []string) *faults.Nemesis {
	n := swarm(append(cfg.Servers(), clients...))
	n.Others = []string{redislock.StorageName}
	n.CrashRate, n.Downtime, n.PartitionRate, n.PartitionLength = 3, ms(20), 3, ms(60)
	n.PauseRate, n.PauseLength, n.ClockRate, n.ClockJump = 4, ms(100), 4, ms(100)
	return n
}

func redisFaults(name, desc string, persistence redislock.Persistence) Spec {
	cfg := single(func(c *redislock.Config) {
		c.Persistence, c.Work = persistence, 40*time.Millisecond
	})
	w := oneLock(3, 8, 50*time.Millisecond)
	s := redisSpec(name, desc, checker.Violation, redisLocks(cfg, w, nil, 300*time.Millisecond), faults.Schedule{})
	s.Nemesis = redisFaultsNemesis(cfg, w.ClientNames())
	s.Liveness = &Liveness{At: 1200 * time.Millisecond, Bound: time.Second}
	s.MaxTime = 3 * time.Second
	return s
}

func init() {
	register(func() Spec {
		return redisFaults("redis-lock-faults", "single Redis lock, 3 clients, unfenced storage, under random pauses (server and clients), clock jumps (the server's too), crashes with restarts without persistence, and partitions; then heal: extends fail, keys vanish", redislock.PersistNone)
	})
	register(func() Spec {
		return redisFaults("redis-lock-faults-aof", "as redis-lock-faults with append-only persistence (fsync always): a restarted server reloads its keys; pauses and clock jumps still break the lease", redislock.PersistAOF)
	})
}
