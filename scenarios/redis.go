package scenarios

import (
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/protocol/lockkit"
	"github.com/faultline-sim/faultline/protocol/redislock"
	"github.com/faultline-sim/faultline/protocol/redlock"
	"github.com/faultline-sim/faultline/workload"
)

// The Redis and Redlock scenarios: each failure the literature describes,
// scripted with triggers on the protocol's own facts so the fault lands at
// the same protocol step whatever the network's jitter, and the random
// family that must find such failures without a script.

// oneJobEach gives client-i one job on lock-1 starting at starts[i-1].
func oneJobEach(starts ...time.Duration) []workload.LockJob {
	var out []workload.LockJob
	for i, at := range starts {
		c := workload.ClientName(i + 1)
		out = append(out, workload.LockJob{ID: c + "-j1", Client: c, At: at, Locks: []string{"lock-1"}})
	}
	return out
}

// redisLocks is a Redis lock (one Redis or Redlock) as a lock system:
// progress is not judged, since a client may give up.
func redisLocks(p lockkit.Protocol, work workload.Locks, jobs []workload.LockJob, takeover time.Duration) Locks {
	return Locks{Lock: p, Judges: RedisJudges, Work: work, Jobs: jobs, TakeoverBound: takeover}
}

func redisSpec(name, desc string, expect checker.Verdict, sys Locks, plan faults.Schedule) Spec {
	return Spec{Name: name, Description: desc, Expect: expect, System: sys, Faults: plan, Network: defaultNetwork, MaxTime: 2 * time.Second}
}

func single(edit func(*redislock.Config)) redislock.Config {
	c := redislock.Default()
	if edit != nil {
		edit(&c)
	}
	return c
}

func redlockCfg(edit func(*redlock.Config)) redlock.Config {
	c := redlock.Default()
	if edit != nil {
		edit(&c)
	}
	return c
}

// pauseClientAtRead pauses client-1 the moment the storage handles its
// read: the client has checked its lock, entered the critical section and
// sent the read, and the reply waits for it — Kleppmann's stop-the-world
// pause between the check and the write.
func pauseClientAtRead(d time.Duration) faults.Trigger {
	return faults.Trigger{On: "storage-read", Node: redislock.StorageName, Where: map[string]string{"client": "client-1"},
		Do: []faults.Action{{Kind: faults.Pause, Node: "client-1", Duration: faults.Duration(d)}}}
}

// splitMajorities cuts client-1 off from redis-4 and redis-5 and client-2
// from redis-1 and redis-2: each can reach a majority only through
// redis-3, the instance both majorities share (Kleppmann's K1 setting).
func splitMajorities() []faults.Action {
	return []faults.Action{
		{Kind: faults.Partition, Groups: [][]string{{"client-1"}, {"redis-4", "redis-5"}}},
		{Kind: faults.Partition, Groups: [][]string{{"client-2"}, {"redis-1", "redis-2"}}},
	}
}

// onClient1Holder fires when redis-3 records client-1 as the holder.
func onClient1Holder(do ...faults.Action) faults.Trigger {
	return faults.Trigger{On: "holder", Node: "redis-3", Where: map[string]string{"client": "client-1"}, Do: do}
}

// redlockNemesis is the random-fault mix of redlock-faults: pauses of
// clients and instances about as long as the TTL, clock jumps of about the
// TTL, crashes with quick restarts (no persistence), every partition
// shape. Swarm mode lets each seed pick its own mix.
func redlockNemesis(clients []string) *faults.Nemesis {
	n := swarm(append(redlock.Default().Names(), clients...))
	n.Others = []string{redlock.StorageName}
	n.CrashRate, n.Downtime, n.PartitionRate, n.PartitionLength = 3, ms(5), 3, ms(60)
	n.PauseRate, n.PauseLength, n.ClockRate, n.ClockJump = 4, ms(100), 4, ms(100)
	return n
}

// oneLock is clients contending for lock-1, each running jobs jobs
// about interval apart.
func oneLock(clients, jobs int, interval time.Duration) workload.Locks {
	return workload.Locks{Clients: clients, Locks: 1, JobsPerClient: jobs, MaxLocksPerJob: 1, Interval: interval, Start: time.Millisecond}
}

// scripted is a Redis lock system whose clients have one job each on
// lock-1, starting at starts.
func scripted(p lockkit.Protocol, takeover time.Duration, starts ...time.Duration) Locks {
	return redisLocks(p, workload.Locks{}, oneJobEach(starts...), takeover)
}

// triggered is a fault plan of triggers only.
func triggered(ts ...faults.Trigger) faults.Schedule { return faults.Schedule{Triggers: ts} }

// splitAndOnHolder splits the majorities (splitMajorities) and does do as
// soon as redis-3 records client-1 as holder.
func splitAndOnHolder(do ...faults.Action) faults.Schedule {
	return faults.Schedule{Actions: splitMajorities(), Triggers: []faults.Trigger{onClient1Holder(do...)}}
}

// restartRedis3 crashes redis-3 and restarts it at once.
func restartRedis3() []faults.Action {
	return []faults.Action{{At: ms(1), Kind: faults.Crash, Node: "redis-3"}, {At: ms(1), Kind: faults.Restart, Node: "redis-3"}}
}

func redlockWork(d time.Duration) redlock.Config {
	return redlockCfg(func(c *redlock.Config) { c.Work = d })
}

func init() {
	const ms1, ms5 = time.Millisecond, 5 * time.Millisecond
	register(func() Spec {
		w := oneLock(4, 5, 30*time.Millisecond)
		return redisSpec("redis-lock", "single Redis lock (SET NX PX, check-and-extend, check-and-delete): 4 clients, 1 lock, no faults; one holder at a time, storage intact",
			checker.OK, redisLocks(single(nil), w, nil, 200*time.Millisecond), faults.Schedule{})
	})
	register(func() Spec {
		return redisSpec("redis-lock-pause", "the holder pauses 200ms (TTL 100ms) with its storage read in flight; its key expires, client-2 acquires and writes; client-1 resumes and writes over it: unfenced storage corrupted",
			checker.Violation, scripted(single(nil), 200*time.Millisecond, ms1, ms5), triggered(pauseClientAtRead(200*time.Millisecond)))
	})
	register(func() Spec {
		cfg := single(func(c *redislock.Config) {
			c.Replica, c.TTL, c.Work = true, 200*time.Millisecond, 80*time.Millisecond
		})
		return redisSpec("redis-failover", "the master acknowledges client-1's lock and crashes before streaming it; the replica is promoted without the key and grants it to client-2: two holders",
			checker.Violation, scripted(cfg, 400*time.Millisecond, ms1, ms5),
			triggered(faults.Trigger{On: "holder", Node: redislock.MasterName, Where: map[string]string{"client": "client-1"},
				Do: []faults.Action{{At: ms(1), Kind: faults.Crash, Node: redislock.MasterName}}}))
	})
	register(func() Spec {
		cfg := single(func(c *redislock.Config) {
			c.Work, c.Extend, c.RetryDelay = 80*time.Millisecond, false, 10*time.Millisecond
		})
		cfg.Bugs, _ = redislock.Bugs.Of(redislock.BugPlainDel)
		return redisSpec("redis-lock-plain-del", "release with a plain DEL: client-1 pauses 60ms before releasing, its key has expired and client-2 holds the lock; the DEL deletes client-2's key and client-3 acquires: two holders",
			checker.Violation, scripted(cfg, 200*time.Millisecond, ms1, 10*time.Millisecond, 130*time.Millisecond),
			triggered(faults.Trigger{On: "cs-leave", Node: "client-1", Do: []faults.Action{{Kind: faults.Pause, Node: "client-1", Duration: ms(60)}}}))
	})
	register(func() Spec {
		return redisSpec("redis-lock-crash", "the holder crashes inside its critical section; its key expires by TTL and client-2 acquires within TTL plus the retry bound",
			checker.OK, scripted(single(nil), 150*time.Millisecond, ms1, ms5),
			triggered(faults.Trigger{On: "cs-enter", Node: "client-1", Do: []faults.Action{{Kind: faults.Crash, Node: "client-1"}}}))
	})
	register(func() Spec {
		return redisSpec("redlock", "Redlock over 5 instances: 4 clients, 1 lock, no faults; one holder at a time, storage intact",
			checker.OK, redisLocks(redlockCfg(nil), oneLock(4, 5, 40*time.Millisecond), nil, 250*time.Millisecond), faults.Schedule{})
	})
	register(func() Spec {
		return redisSpec("redlock-clock-jump", "Kleppmann's K1: client-1 locks redis-1..3 (4, 5 unreachable); redis-3's clock jumps 150ms and the key expires; client-2 locks redis-3..5 (1, 2 unreachable): two holders, no token to stop client-1's write",
			checker.Violation, scripted(redlockWork(40*time.Millisecond), 250*time.Millisecond, ms1, 12*time.Millisecond),
			splitAndOnHolder(faults.Action{Kind: faults.ClockJump, Node: "redis-3", Duration: ms(150)}))
	})
	register(func() Spec {
		return redisSpec("redlock-pause", "Kleppmann's K2: client-1 holds a majority, passes the validity check, and pauses 200ms with its storage read in flight; the keys expire, client-2 acquires and writes; client-1 resumes and writes: two holders, storage corrupted",
			checker.Violation, scripted(redlockCfg(nil), 250*time.Millisecond, ms1, ms5), triggered(pauseClientAtRead(200*time.Millisecond)))
	})
	register(func() Spec {
		return redisSpec("redlock-pause-before-check", "as redlock-pause, but the 150ms pause comes while client-1 still acquires (SET to redis-5 in flight): the elapsed-time check finds no validity left and client-1 does not enter",
			checker.OK, scripted(redlockWork(60*time.Millisecond), 250*time.Millisecond, ms1, ms5),
			triggered(faults.Trigger{On: "redis-call", Node: "client-1", Where: map[string]string{"server": "redis-5", "op": "set-nx"},
				Do: []faults.Action{{Kind: faults.Pause, Node: "client-1", Duration: ms(150)}}}))
	})
	register(func() Spec {
		return redisSpec("redlock-restart", "client-1 locks redis-1..3 (4, 5 unreachable); redis-3 crashes without persistence and restarts at once, empty; client-2 locks redis-3..5: two holders",
			checker.Violation, scripted(redlockWork(40*time.Millisecond), 250*time.Millisecond, ms1, 12*time.Millisecond), splitAndOnHolder(restartRedis3()...))
	})
	register(func() Spec {
		cfg := redlockCfg(func(c *redlock.Config) { c.Work, c.Persistence = 40*time.Millisecond, redislock.PersistAOF })
		return redisSpec("redlock-restart-aof", "as redlock-restart with append-only persistence (fsync always): redis-3 reloads client-1's key, client-2 gets only 2 of 5, one holder",
			checker.OK, scripted(cfg, 250*time.Millisecond, ms1, 12*time.Millisecond), splitAndOnHolder(restartRedis3()...))
	})
	register(func() Spec {
		w := oneLock(3, 8, 50*time.Millisecond)
		s := redisSpec("redlock-faults", "Redlock, 3 clients, unfenced storage, under random pauses, clock jumps, crashes with quick restarts (no persistence) and partitions; then heal",
			checker.Violation, redisLocks(redlockCfg(nil), w, nil, 300*time.Millisecond), faults.Schedule{})
		s.Nemesis = redlockNemesis(w.ClientNames())
		s.Liveness = &Liveness{At: 1200 * time.Millisecond, Bound: time.Second}
		s.MaxTime = 3 * time.Second
		return s
	})
}
