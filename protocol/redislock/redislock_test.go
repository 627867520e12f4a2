package redislock

import (
	"testing"
	"time"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
)

const ms = time.Millisecond

// step is one command a scripted client sends at a true time (the
// client's clock is never touched in these tests).
type step struct {
	at  time.Duration
	to  string
	cmd Command
}

// scripted sends its steps and keeps every reply by command id.
type scripted struct {
	steps []step
	got   map[string]Reply
}

func (s *scripted) Start(env *sim.Env) {
	for i, st := range s.steps {
		env.SetTimer(st.at, i)
	}
}
func (s *scripted) Receive(_ *sim.Env, _ sim.NodeID, m sim.Message) { r := m.(Reply); s.got[r.ID] = r }
func (s *scripted) Timer(env *sim.Env, tag any) {
	st := s.steps[tag.(int)]
	to, _ := env.Lookup(st.to)
	env.Send(to, st.cmd)
}

// world runs servers and a scripted client named "c" (a second one, "d",
// gets the steps addressed from d) with a fixed 1ms network, applying the
// faults at their times.
func world(t *testing.T, servers []ServerConfig, names []string, steps map[string][]step, fs ...faults.Action) (*sim.World, map[string]*scripted) {
	t.Helper()
	w, err := sim.New(sim.Config{Seed: 1, Network: sim.Link{Latency: ms}, MaxTime: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for i, sc := range servers {
		w.AddNode(names[i], func() sim.Node { return NewServer(sc) })
	}
	clients := map[string]*scripted{}
	for _, c := range []string{"c", "d"} {
		s := &scripted{steps: steps[c], got: map[string]Reply{}}
		clients[c] = s
		w.AddNode(c, func() sim.Node { return s })
	}
	for _, f := range fs {
		w.Schedule(time.Duration(f.At), f)
	}
	w.Run()
	return w, clients
}

func standalone(p Persistence) []ServerConfig {
	return []ServerConfig{{Service: "redis", Persistence: p}}
}

func reply(t *testing.T, c *scripted, id string) Reply {
	t.Helper()
	r, ok := c.got[id]
	if !ok {
		t.Fatalf("no reply to %s", id)
	}
	return r
}

func holders(w *sim.World, server string) []obs.Holder {
	id, _ := w.Lookup(server)
	var out []obs.Holder
	for _, o := range w.Observations() {
		if f, ok := o.Data.(obs.Holder); ok && o.Node == id {
			out = append(out, f)
		}
	}
	return out
}

func TestSetNXRefusesAHeldKeyAndGetReadsTheHolder(t *testing.T) {
	_, cs := world(t, standalone(PersistNone), []string{"redis"}, map[string][]step{
		"c": {{0, "redis", Command{Op: OpSetNX, Key: "k", Value: "c:1", TTL: 100 * ms, ID: "1"}},
			{20 * ms, "redis", Command{Op: OpGet, Key: "k", ID: "3"}}},
		"d": {{10 * ms, "redis", Command{Op: OpSetNX, Key: "k", Value: "d:1", TTL: 100 * ms, ID: "2"}}},
	})
	if !reply(t, cs["c"], "1").OK || reply(t, cs["d"], "2").OK {
		t.Fatalf("first SET NX must win, second must fail: %v %v", cs["c"].got, cs["d"].got)
	}
	if r := reply(t, cs["c"], "3"); r.Value != "c:1" {
		t.Fatalf("GET after the refused SET NX = %q, want c:1", r.Value)
	}
}

// The key's PX runs on the server's clock: a forward jump of that clock
// (and a fast-running one) ends the lock early in true time.
func TestPXExpiresByTheServersOwnClock(t *testing.T) {
	steps := map[string][]step{"c": {
		{0, "redis", Command{Op: OpSetNX, Key: "k", Value: "c:1", TTL: 100 * ms, ID: "1"}},
		{40 * ms, "redis", Command{Op: OpGet, Key: "k", ID: "2"}},
		{80 * ms, "redis", Command{Op: OpSetNX, Key: "k", Value: "c:2", TTL: 100 * ms, ID: "3"}},
	}}
	_, cs := world(t, standalone(PersistNone), []string{"redis"}, steps)
	if reply(t, cs["c"], "2").Value != "c:1" || reply(t, cs["c"], "3").OK {
		t.Fatalf("with a true clock the key lives 100ms: %v", cs["c"].got)
	}
	w, cs := world(t, standalone(PersistNone), []string{"redis"}, steps,
		faults.Action{At: faults.Duration(20 * ms), Kind: faults.ClockJump, Node: "redis", Duration: faults.Duration(150 * ms)})
	if reply(t, cs["c"], "2").Value != "" || !reply(t, cs["c"], "3").OK {
		t.Fatalf("after a 150ms jump of the server's clock the key must be gone: %v", cs["c"].got)
	}
	expired := false
	for _, o := range w.Observations() {
		if f, ok := o.Data.(obs.RedisExpired); ok && f.Value == "c:1" && o.Time == 41*ms {
			expired = true // lazily, on the GET that found it dead
		}
	}
	if !expired {
		t.Fatal("the expiry was not recorded as a server operation at the GET")
	}
	_, cs = world(t, standalone(PersistNone), []string{"redis"}, steps,
		faults.Action{Kind: faults.ClockDrift, Node: "redis", Drift: 1.5})
	if reply(t, cs["c"], "2").Value != "" {
		t.Fatalf("a server clock running 2.5x fast must expire a 100ms key within 41ms: %v", cs["c"].got)
	}
}

func TestCheckAndDeleteAndExtendActOnlyForTheOwner(t *testing.T) {
	w, cs := world(t, standalone(PersistNone), []string{"redis"}, map[string][]step{
		"c": {{0, "redis", Command{Op: OpSetNX, Key: "k", Value: "c:1", TTL: 100 * ms, ID: "1"}},
			{10 * ms, "redis", Command{Op: OpCheckDel, Key: "k", Value: "other", ID: "2"}},
			{20 * ms, "redis", Command{Op: OpCheckExtend, Key: "k", Value: "other", TTL: 500 * ms, ID: "3"}},
			{30 * ms, "redis", Command{Op: OpCheckExtend, Key: "k", Value: "c:1", TTL: 200 * ms, ID: "4"}},
			{150 * ms, "redis", Command{Op: OpGet, Key: "k", ID: "5"}},
			{160 * ms, "redis", Command{Op: OpCheckDel, Key: "k", Value: "c:1", ID: "6"}},
			{170 * ms, "redis", Command{Op: OpGet, Key: "k", ID: "7"}}},
	})
	c := cs["c"]
	if reply(t, c, "2").OK || reply(t, c, "3").OK {
		t.Fatalf("a script with another value must not touch the key: %v", c.got)
	}
	if !reply(t, c, "4").OK || reply(t, c, "5").Value != "c:1" {
		t.Fatalf("the owner's extend must keep the key past its first 100ms: %v", c.got)
	}
	if !reply(t, c, "6").OK || reply(t, c, "7").Value != "" {
		t.Fatalf("the owner's check-and-delete must delete: %v", c.got)
	}
	hs := holders(w, "redis")
	if len(hs) != 2 || hs[0].Client != "c" || hs[1].Client != "" || hs[0].Durable {
		t.Fatalf("holder facts %v, want c (not durable) then free", hs)
	}
}

// What survives a crash: with no persistence, nothing; with the
// append-only file, every key — except one whose time ran out meanwhile.
func TestRestartKeepsKeysOnlyWithAOF(t *testing.T) {
	steps := map[string][]step{"c": {
		{0, "redis", Command{Op: OpSetNX, Key: "k", Value: "c:1", TTL: 100 * ms, ID: "1"}},
		{0, "redis", Command{Op: OpSetNX, Key: "short", Value: "c:2", TTL: 20 * ms, ID: "2"}},
		{40 * ms, "redis", Command{Op: OpGet, Key: "k", ID: "3"}},
		{40 * ms, "redis", Command{Op: OpGet, Key: "short", ID: "4"}},
	}}
	crash := []faults.Action{{At: faults.Duration(10 * ms), Kind: faults.Crash, Node: "redis"},
		{At: faults.Duration(30 * ms), Kind: faults.Restart, Node: "redis"}}
	_, cs := world(t, standalone(PersistNone), []string{"redis"}, steps, crash...)
	if reply(t, cs["c"], "3").Value != "" {
		t.Fatalf("without persistence a restart must forget the lock: %v", cs["c"].got)
	}
	w, cs := world(t, standalone(PersistAOF), []string{"redis"}, steps, crash...)
	if reply(t, cs["c"], "3").Value != "c:1" || reply(t, cs["c"], "4").Value != "" {
		t.Fatalf("with AOF the live key must be reloaded and the expired one dropped: %v", cs["c"].got)
	}
	var recovered, expired bool
	for _, o := range w.Observations() {
		switch f := o.Data.(type) {
		case obs.Holder:
			recovered = recovered || (o.Time == 30*ms && f.Lock == "k" && f.Client == "c" && f.Durable)
		case obs.RedisExpired:
			expired = expired || (o.Time == 30*ms && f.Key == "short")
		}
	}
	if !recovered || !expired {
		t.Fatalf("restart with AOF must record the recovered holder (%t) and the expiry found on load (%t)", recovered, expired)
	}
}

// A crash inside the expiry handler, before its delete reaches the
// append-only file, must leave no recorded expiry: the restarted server
// reloads the key and expires it then, and the key expired once. The
// server used to record the expiry before deleting, so the history had it
// expire twice and redis-linear failed on redis-lock-crashes-aof (seed 103)
// and redlock-crashes-aof (seed 27).
func TestCrashInsideAnExpiryRecordsItOnce(t *testing.T) {
	steps := map[string][]step{"c": {
		{0, "redis", Command{Op: OpSetNX, Key: "k", Value: "c:1", TTL: 20 * ms, ID: "1"}},
		{50 * ms, "redis", Command{Op: OpGet, Key: "k", ID: "2"}},
	}}
	restart := faults.Duration(19 * ms)
	// Armed after the set-nx (synced at 1ms), the crash lands before the
	// expiry's delete at 21ms, its first durable write from then on.
	w, cs := world(t, standalone(PersistAOF), []string{"redis"}, steps,
		faults.Action{At: faults.Duration(10 * ms), Kind: faults.MidCrash, Node: "redis", Effect: 1, RestartAfter: &restart})
	if r := reply(t, cs["c"], "2"); r.OK {
		t.Fatalf("the key must be gone after its TTL, crash or not: %v", cs["c"].got)
	}
	var at []time.Duration
	for _, o := range w.Observations() {
		if f, ok := o.Data.(obs.RedisExpired); ok && f.Key == "k" {
			at = append(at, o.Time)
		}
	}
	if len(at) != 1 || at[0] != 40*ms {
		t.Fatalf("expiries of k recorded at %v, want one, at the restart (40ms)", at)
	}
}

// Asynchronous replication: the master acknowledges at once and streams
// every 10ms. A crash before the stream carries the key loses it in the
// failover; a crash after does not.
func TestFailoverLosesAnUnreplicatedKey(t *testing.T) {
	cfg := Default()
	cfg.Replica = true
	steps := map[string][]step{"c": {
		{0, MasterName, Command{Op: OpSetNX, Key: "k", Value: "c:1", TTL: 500 * ms, ID: "1"}},
		{200 * ms, ReplicaName, Command{Op: OpGet, Key: "k", ID: "2"}},
		{5 * ms, ReplicaName, Command{Op: OpGet, Key: "k", ID: "0"}},
	}}
	for _, c := range []struct {
		crashAt time.Duration
		want    string
	}{{3 * ms, ""}, {25 * ms, "c:1"}} {
		w, cs := world(t, cfg.ServerConfigs(), cfg.Servers(), steps,
			faults.Action{At: faults.Duration(c.crashAt), Kind: faults.Crash, Node: MasterName})
		if !reply(t, cs["c"], "0").NotMaster {
			t.Fatal("a replica must refuse commands before it is promoted")
		}
		if got := reply(t, cs["c"], "2").Value; got != c.want {
			t.Fatalf("master crashed at %v: promoted replica reads %q, want %q", c.crashAt, got, c.want)
		}
		promoted := false
		for _, o := range w.Observations() {
			if f, ok := o.Data.(obs.RedisRole); ok && f.Role == "master" && f.Epoch == 1 {
				promoted = true
			}
		}
		if !promoted {
			t.Fatal("no promotion recorded")
		}
		// (the key later expires by the replica's clock: free)
		if hs := holders(w, ReplicaName); c.want != "" && (len(hs) != 2 || hs[0].Client != "c" || hs[1].Client != "") {
			t.Fatalf("the promoted replica must record the holder it took over, got %v", hs)
		}
	}
}

// A promoted replica whose old master comes back: the old master returns
// as a replica and gives up the keys it held, so two masters never keep
// serving side by side.
func TestRestartedMasterComesBackAsReplica(t *testing.T) {
	cfg := Default()
	cfg.Replica, cfg.Persistence = true, PersistAOF
	w, cs := world(t, cfg.ServerConfigs(), cfg.Servers(), map[string][]step{"c": {
		{0, MasterName, Command{Op: OpSetNX, Key: "k", Value: "c:1", TTL: 500 * ms, ID: "1"}},
		{300 * ms, MasterName, Command{Op: OpGet, Key: "k", ID: "2"}},
	}}, faults.Action{At: faults.Duration(3 * ms), Kind: faults.Crash, Node: MasterName},
		faults.Action{At: faults.Duration(100 * ms), Kind: faults.Restart, Node: MasterName})
	if !reply(t, cs["c"], "2").NotMaster {
		t.Fatalf("the restarted master must be a replica now: %v", cs["c"].got)
	}
	hs := holders(w, MasterName)
	if last := hs[len(hs)-1]; last.Client != "" || !last.Durable {
		t.Fatalf("the demoted master must record that it no longer holds k: %v", hs)
	}
}
