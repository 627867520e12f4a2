package lockmgr

import (
	"strings"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/lockkit"
	"github.com/faultline-sim/faultline/protocol/plant"
	"github.com/faultline-sim/faultline/sim"
	"github.com/faultline-sim/faultline/workload"
)

const ms = time.Millisecond

type run struct {
	w   *sim.World
	obs []sim.Observation
}

func (r run) facts(kind string) []sim.Observation {
	var out []sim.Observation
	for _, o := range r.obs {
		if o.Data.(obs.Fact).Kind() == kind {
			out = append(out, o)
		}
	}
	return out
}

func (r run) doneBy(client string) int {
	n := 0
	for _, o := range r.facts("job-done") {
		if r.w.NameOf(o.Node) == client {
			n++
		}
	}
	return n
}

// simulate runs the manager, the storage and the jobs' clients on a LAN;
// setup may install hooks or schedule faults before the run.
func simulate(t *testing.T, cfg Config, jobs []workload.LockJob, setup func(w *sim.World)) run {
	t.Helper()
	w, err := sim.New(sim.Config{Seed: 1, Network: sim.Link{Latency: ms, Jitter: 2 * ms}, MaxTime: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, clients := workload.PerClient(jobs, func(j workload.LockJob) string { return j.Client })
	if err := cfg.AddNodes(w, clients, jobs); err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		setup(w)
	}
	if res := w.Run(); res.Stop != sim.StopQuiescent {
		t.Fatalf("run did not settle: %s at %v", res.Stop, res.Time)
	}
	return run{w: w, obs: w.Observations()}
}

func oppositeOrder() []workload.LockJob {
	return []workload.LockJob{
		{ID: "j1", Client: "client-1", At: ms, Locks: []string{"lock-1", "lock-2"}},
		{ID: "j2", Client: "client-2", At: ms, Locks: []string{"lock-2", "lock-1"}},
	}
}

func TestOppositeOrderDeadlockIsBrokenByRefusingTheVictim(t *testing.T) {
	cfg := Default()
	cfg.Think = 10 * ms
	r := simulate(t, cfg, oppositeOrder(), nil)
	dl := r.facts("deadlock")
	if len(dl) != 1 {
		t.Fatalf("%d deadlocks found, want 1", len(dl))
	}
	d := dl[0].Data.(obs.Deadlock)
	if len(d.Cycle) != 3 || d.Cycle[0] != d.Victim || d.Cycle[2] != d.Victim || d.Cycle[1] == d.Victim {
		t.Fatalf("cycle %v with victim %s, want victim -> other -> victim", d.Cycle, d.Victim)
	}
	denied := r.facts("lock-denied")
	if len(denied) != 1 || r.w.NameOf(denied[0].Node) != d.Victim || denied[0].Data.(obs.LockDenied).Reason != ReasonDeadlock {
		t.Fatalf("refusals %v, want one deadlock refusal to %s", denied, d.Victim)
	}
	if r.doneBy("client-1") != 1 || r.doneBy("client-2") != 1 {
		t.Fatal("a client did not finish after the deadlock was broken")
	}
}

func TestTimeoutOnlyModeEndsDeadlockLater(t *testing.T) {
	cfg := TimeoutOnly(60 * ms)
	cfg.Think = 10 * ms
	r := simulate(t, cfg, oppositeOrder(), nil)
	if len(r.facts("deadlock")) != 0 {
		t.Fatal("timeout-only mode reported a cycle")
	}
	timeouts := r.facts("wait-timeout")
	if len(timeouts) == 0 {
		t.Fatal("no request refused by the wait timeout")
	}
	for _, o := range timeouts {
		if w := o.Data.(obs.WaitTimeout).Waited; w < 60*ms {
			t.Fatalf("refused after %v, before the 60ms timeout", w)
		}
	}
	if r.doneBy("client-1") != 1 || r.doneBy("client-2") != 1 {
		t.Fatal("a client did not finish")
	}
}

func TestWaitersAreGrantedInRequestOrder(t *testing.T) {
	var jobs []workload.LockJob
	for i, c := range []string{"client-1", "client-2", "client-3", "client-4"} {
		jobs = append(jobs, workload.LockJob{ID: c, Client: c, At: time.Duration(1+5*i) * ms, Locks: []string{"lock-1"}})
	}
	r := simulate(t, Default(), jobs, nil)
	var order []string
	for _, o := range r.facts("grant") {
		order = append(order, o.Data.(obs.LockGrant).Client)
	}
	want := []string{"client-1", "client-2", "client-3", "client-4"}
	if len(order) != len(want) {
		t.Fatalf("grants %v, want %v", order, want)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("grants %v, want FIFO %v", order, want)
		}
	}
}

func TestRefusedClientBacksOffAndRetries(t *testing.T) {
	cfg := Default()
	cfg.QueueLimit = 0 // the seed's flow: a request for a held lock is denied
	var jobs []workload.LockJob
	for _, c := range []string{"client-1", "client-2", "client-3"} {
		jobs = append(jobs, workload.LockJob{ID: c, Client: c, At: ms, Locks: []string{"lock-1"}})
	}
	r := simulate(t, cfg, jobs, nil)
	if n := len(r.facts("lock-denied")); n == 0 {
		t.Fatal("no request was denied")
	}
	for _, c := range []string{"client-1", "client-2", "client-3"} {
		if r.doneBy(c) != 1 {
			t.Fatalf("%s did not finish after retrying", c)
		}
	}
}

func TestLeaseFreesACrashedHoldersLock(t *testing.T) {
	cfg := Default()
	jobs := []workload.LockJob{
		{ID: "j1", Client: "client-1", At: ms, Locks: []string{"lock-1"}},
		{ID: "j2", Client: "client-2", At: 2 * ms, Locks: []string{"lock-1"}},
	}
	var crashedAt time.Duration
	r := simulate(t, cfg, jobs, func(w *sim.World) {
		c1, _ := w.Lookup("client-1")
		w.OnObserve(func(o sim.Observation) {
			if _, ok := o.Data.(obs.EnterCS); ok && o.Node == c1 {
				crashedAt = o.Time
				w.Crash(c1)
			}
		})
	})
	exp := r.facts("lease-expired")
	if len(exp) != 1 || exp[0].Data.(obs.LeaseExpired).Client != "client-1" {
		t.Fatalf("lease expiries %v, want client-1's", exp)
	}
	var next time.Duration
	for _, o := range r.facts("lock-granted") {
		if r.w.NameOf(o.Node) == "client-2" {
			next = o.Time
		}
	}
	if next == 0 || next-crashedAt > cfg.TTL+5*ms {
		t.Fatalf("client-2 got the lock %v after the crash, want within the %v lease (+ delivery)", next-crashedAt, cfg.TTL)
	}
	if r.doneBy("client-2") != 1 {
		t.Fatal("client-2 did not finish")
	}
}

func TestTokensGrowAcrossManagerRestarts(t *testing.T) {
	var jobs []workload.LockJob
	for i, c := range []string{"client-1", "client-2", "client-3"} {
		for j := 0; j < 4; j++ {
			jobs = append(jobs, workload.LockJob{ID: c + string(rune('a'+j)), Client: c, At: time.Duration(1+i+40*j) * ms, Locks: []string{"lock-1"}})
		}
	}
	r := simulate(t, Default(), jobs, func(w *sim.World) {
		m, _ := w.Lookup(ManagerName)
		w.Schedule(50*ms, crashFault{m})
		w.Schedule(70*ms, restartFault{m})
	})
	var last int64
	grants := r.facts("grant")
	if len(grants) < 12 {
		t.Fatalf("%d grants, want at least 12", len(grants))
	}
	for _, o := range grants {
		tok := o.Data.(obs.LockGrant).Token
		if tok <= last {
			t.Fatalf("token %d after %d: tokens must grow, across restarts too", tok, last)
		}
		last = tok
	}
	for _, c := range []string{"client-1", "client-2", "client-3"} {
		if r.doneBy(c) != 4 {
			t.Fatalf("%s finished %d of 4 jobs", c, r.doneBy(c))
		}
	}
}

type crashFault struct{ id sim.NodeID }
type restartFault struct{ id sim.NodeID }

func (f crashFault) Apply(w *sim.World)   { w.Crash(f.id) }
func (f crashFault) String() string       { return "crash" }
func (f restartFault) Apply(w *sim.World) { w.Restart(f.id) }
func (f restartFault) String() string     { return "restart" }

func TestConfigValidationNamesTheField(t *testing.T) {
	c := Default()
	c.Margin = c.TTL
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "margin") {
		t.Fatalf("margin = TTL: %v", err)
	}
	if _, err := plant.With[lockkit.Protocol](Default(), "no-such-bug"); err == nil {
		t.Fatal("unknown bug accepted")
	}
}
