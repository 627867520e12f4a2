package live

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/checker"
)

// Recipes.
const (
	RecipeRedis   = "redis-lock"
	RecipeRedlock = "redlock"
	RecipeZK      = "zookeeper-lock"
)

// Scenario is one live experiment: a recipe against real servers, a
// workload and a fault plan drawn from a seed, and the verdict it is
// expected to give.
type Scenario struct {
	Name    string
	Summary string
	Recipe  string
	Expect  checker.Verdict
	// Fenced: the storage refuses stale tokens.
	Fenced bool
	// Failover: a master and a replica, the replica promoted by the plan.
	Failover bool
	// TTL of the Redis lock; SessionTimeout of the ZooKeeper sessions.
	TTL            time.Duration
	SessionTimeout time.Duration
	// StandsIn says what this run puts in place of a fault it cannot do
	// for real (a clock jump); printed with the report.
	StandsIn string
	draw     func(r *rand.Rand) ([]ClientPlan, []Step)
}

// servers are the real server processes of the scenario, by name.
func (s *Scenario) servers() []string {
	switch {
	case s.Recipe == RecipeRedlock:
		return []string{"redis-1", "redis-2", "redis-3", "redis-4", "redis-5"}
	case s.Recipe == RecipeZK:
		return []string{"zk"}
	case s.Failover:
		return []string{"redis-m", "redis-r"}
	}
	return []string{"redis"}
}

// proxies are the fault proxies, by name: one in front of each server the
// clients use, named after that server; with failover the clients use only
// the master, behind "redis", and "repl" is the replica's link to it.
func (s *Scenario) proxies() []string {
	if s.Failover && s.Recipe == RecipeRedis {
		return []string{"redis", "repl"}
	}
	return s.servers()
}

// extraDoors are proxy doors that are not clients: the replica's door to
// its master.
func (s *Scenario) extraDoors() []string {
	if s.Failover {
		return []string{"replica"}
	}
	return nil
}

// Quorum is how many servers must record a client as holder for it to
// hold the lock: a majority for Redlock, else one.
func (s *Scenario) Quorum() int {
	if s.Recipe == RecipeRedlock {
		return len(s.servers())/2 + 1
	}
	return 1
}

// Plan draws the scenario's plan from seed.
func (s *Scenario) Plan(seed uint64) Plan {
	r := rand.New(rand.NewPCG(seed, 0x11fe))
	clients, steps := s.draw(r)
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].AtMs < steps[j].AtMs })
	return Plan{Scenario: s.Name, Seed: seed, Clients: clients, Steps: steps}
}

// pauseDraw: two clients; the first is paused inside its first critical
// section for well past the TTL, while the second waits for the lock. The
// second starts 100ms or more after the first, so that even on a busy
// machine the first holds the lock by then (a client that ran first would
// turn the scenario into one with no contention).
func pauseDraw(ttl time.Duration, why string) func(r *rand.Rand) ([]ClientPlan, []Step) {
	return func(r *rand.Rand) ([]ClientPlan, []Step) {
		t := ttl.Milliseconds()
		clients := []ClientPlan{
			{Name: "c1", StartMs: 0, Jobs: 2, WorkMs: 10 + r.Int64N(20)},
			{Name: "c2", StartMs: 100 + r.Int64N(50), Jobs: 2, WorkMs: 10 + r.Int64N(20)},
		}
		steps := []Step{{Do: "pause", Target: "c1", Job: 1, ForMs: 2*t + r.Int64N(t), Why: why}}
		return clients, steps
	}
}

func failoverDraw(r *rand.Rand) ([]ClientPlan, []Step) {
	kill := 250 + r.Int64N(100)
	clients := []ClientPlan{
		{Name: "c1", StartMs: 0, Jobs: 1, WorkMs: 800 + r.Int64N(200)},
		{Name: "c2", StartMs: 100 + r.Int64N(50), Jobs: 2, WorkMs: 10 + r.Int64N(20)},
	}
	steps := []Step{
		{AtMs: 0, Do: "partition", Target: "repl", Client: "replica", Why: "the replica stops receiving the master's writes"},
		{AtMs: kill, Do: "kill", Target: "redis-m", Why: "the master dies holding c1's key"},
		{AtMs: kill + 30 + r.Int64N(40), Do: "promote", Target: "redis-r", Via: "redis", Why: "failover to a replica that never got the key"},
	}
	return clients, steps
}

func sessionExpiryDraw(r *rand.Rand) ([]ClientPlan, []Step) {
	cut := 300 + r.Int64N(100)
	work := 2800 + r.Int64N(300)
	clients := []ClientPlan{
		{Name: "c1", StartMs: 0, Jobs: 1, WorkMs: work},
		{Name: "c2", StartMs: 150 + r.Int64N(50), Jobs: 2, WorkMs: 10 + r.Int64N(20)},
	}
	steps := []Step{
		{AtMs: cut, Do: "partition", Target: "zk", Client: "c1", Why: "c1 is cut off while it holds the lock; its session expires"},
		{AtMs: work + 500, Do: "heal", Target: "zk", Why: "c1 reconnects and learns its session expired"},
	}
	return clients, steps
}

const pauseWhy = "a process pause past the TTL; it also stands in for a clock jump, which libfaketime cannot give Debian's redis-server"

const pauseStandsIn = "no clock jump: a pause of the holder past the TTL stands in for one (libfaketime breaks Debian's redis-server)"

var registry = []*Scenario{
	{Name: "live-redis-pause", Recipe: RecipeRedis, Expect: checker.Violation, TTL: 300 * time.Millisecond,
		Summary:  "Redis lock on one redis-server: the holder is paused past its TTL, the next client takes the lock, the paused one writes over it",
		StandsIn: pauseStandsIn,
		draw:     pauseDraw(300*time.Millisecond, pauseWhy)},
	{Name: "live-redis-fenced", Recipe: RecipeRedis, Expect: checker.OK, Fenced: true, TTL: 300 * time.Millisecond,
		Summary:  "the same pause against fenced storage, with a token INCRed on the lock server at each acquire: the stale write is refused",
		StandsIn: pauseStandsIn,
		draw:     pauseDraw(300*time.Millisecond, pauseWhy)},
	{Name: "live-redlock-pause", Recipe: RecipeRedlock, Expect: checker.Violation, TTL: 400 * time.Millisecond,
		Summary:  "Redlock on five redis-servers: the client is paused after its validity check (Kleppmann's pause), the lock expires on all five, another client takes it",
		StandsIn: "no clock jump: a pause past the TTL stands in for one (libfaketime breaks Debian's redis-server)",
		draw:     pauseDraw(400*time.Millisecond, "Kleppmann's pause, after the validity check; "+pauseWhy)},
	{Name: "live-redis-failover", Recipe: RecipeRedis, Expect: checker.Violation, Failover: true, TTL: 2 * time.Second,
		Summary: "Redis master and replica: the master dies holding a key the replica never received, the replica is promoted and grants the lock again",
		draw:    failoverDraw},
	{Name: "live-zk-session-expiry", Recipe: RecipeZK, Expect: checker.Violation, SessionTimeout: time.Second,
		Summary: "ZooKeeper recipe: the holder is cut off (proxy partition) until its session expires, the next waiter takes the lock, the cut-off holder writes",
		draw:    sessionExpiryDraw},
	{Name: "live-zk-fenced", Recipe: RecipeZK, Expect: checker.OK, Fenced: true, SessionTimeout: time.Second,
		Summary: "the same cut-off holder against storage fenced by czxid: its stale write is refused",
		draw:    sessionExpiryDraw},
}

// All lists the live scenarios.
func All() []*Scenario { return registry }

// Get finds a live scenario by name.
func Get(name string) (*Scenario, error) {
	for _, s := range registry {
		if s.Name == name {
			return s, nil
		}
	}
	names := make([]string, len(registry))
	for i, s := range registry {
		names[i] = s.Name
	}
	return nil, fmt.Errorf("unknown live scenario %q (want one of %s; see simrun live list)", name, strings.Join(names, ", "))
}
