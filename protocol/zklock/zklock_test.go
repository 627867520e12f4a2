package zklock

import (
	"testing"
	"time"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/lockkit"
	"github.com/faultline-sim/faultline/protocol/plant"
	"github.com/faultline-sim/faultline/sim"
	"github.com/faultline-sim/faultline/workload"
	"github.com/stretchr/testify/require"
)

const ms = time.Millisecond

type run struct {
	w *sim.World
}

func (r run) facts(client, kind string) []sim.Observation {
	var out []sim.Observation
	for _, o := range r.w.Observations() {
		if o.Data.(obs.Fact).Kind() == kind && (client == "" || r.w.NameOf(o.Node) == client) {
			out = append(out, o)
		}
	}
	return out
}

func simulate(t *testing.T, cfg Config, jobs []workload.LockJob, plan faults.Schedule, until time.Duration) run {
	t.Helper()
	w, err := sim.New(sim.Config{Seed: 1, Network: sim.Link{Latency: ms, Jitter: 2 * ms}, MaxTime: until})
	require.NoError(t, err)
	_, names := workload.PerClient(jobs, func(j workload.LockJob) string { return j.Client })
	require.NoError(t, cfg.AddNodes(w, names, jobs))
	require.NoError(t, plan.Install(w))
	w.Run()
	return run{w}
}

// loseFirstCreateReply cuts the server's link to client-1 as it creates
// client-1's node, so the reply is lost; the link comes back 10ms later,
// long before the client would count itself disconnected.
func loseFirstCreateReply() faults.Schedule {
	return faults.Schedule{Triggers: []faults.Trigger{{On: "zk-created", Node: ServerName, Where: map[string]string{"client": "client-1"},
		Do: []faults.Action{{Kind: faults.Cut, From: []string{ServerName}, To: []string{"client-1"}}, {At: faults.Duration(10 * ms), Kind: faults.Heal}}}}}
}

func oneJob() []workload.LockJob {
	return []workload.LockJob{{ID: "j1", Client: "client-1", At: 5 * ms, Locks: []string{"lock-1"}}}
}

// Z2: the create's reply is lost; the client finds its node by GUID and
// takes the lock with it, instead of creating a second node and waiting
// behind its own orphan.
func TestLostCreateReplyTheGUIDFindsTheNode(t *testing.T) {
	r := simulate(t, Default(), oneJob(), loseFirstCreateReply(), time.Second)
	created := r.facts("", "zk-created")
	require.Len(t, created, 1, "one node for one acquisition")
	node := created[0].Data.(obs.ZKCreated)

	// The create never returned: the client looked for its node instead.
	var createCalls, returns int
	for _, o := range r.facts("client-1", "zk-call") {
		if o.Data.(obs.ZKCall).Op == "create" {
			createCalls++
		}
	}
	for _, o := range r.facts("client-1", "zk-return") {
		if o.Data.(obs.ZKReturn).Op == "create" {
			returns++
		}
	}
	require.Equal(t, 1, createCalls)
	require.Equal(t, 0, returns, "the create's reply was lost")

	granted := r.facts("client-1", "lock-granted")
	require.Len(t, granted, 1)
	require.Equal(t, node.Czxid, granted[0].Data.(obs.LockGranted).Token, "the token is the found node's czxid")
	require.Len(t, r.facts("client-1", "job-done"), 1)
	for _, o := range r.facts("client-1", "zk-call") {
		c := o.Data.(obs.ZKCall)
		require.False(t, c.Op == "exists" && c.Node == node.Node, "the client waited on its own node")
	}
}

// Without the GUID check the client creates a second node and waits for
// its own orphan, which lives as long as its session: for ever.
func TestLostCreateReplyWithoutGUIDWaitsOnItself(t *testing.T) {
	p, err := plant.With[lockkit.Protocol](Default(), BugNoGUID)
	require.NoError(t, err)
	r := simulate(t, p.(Config), oneJob(), loseFirstCreateReply(), time.Second)
	created := r.facts("", "zk-created")
	require.Len(t, created, 2)
	orphan := created[0].Data.(obs.ZKCreated).Node
	var watchedOwn bool
	for _, o := range r.facts("client-1", "zk-call") {
		c := o.Data.(obs.ZKCall)
		watchedOwn = watchedOwn || (c.Op == "exists" && c.Node == orphan && c.Watch)
	}
	require.True(t, watchedOwn, "it watches its own orphan")
	require.Empty(t, r.facts("client-1", "lock-granted"))
	require.Empty(t, r.facts("client-1", "job-done"))
}

// The server times sessions on its monotonic clock: a clock jump of a
// second does not expire a session that keeps sending heartbeats.
func TestServerClockJumpExpiresNobody(t *testing.T) {
	plan := faults.Schedule{Actions: []faults.Action{{At: faults.Duration(50 * ms), Kind: faults.ClockJump, Node: ServerName, Duration: faults.Duration(time.Second)}}}
	r := simulate(t, Default(), oneJob(), plan, 500*ms)
	require.Empty(t, r.facts("", "zk-session-expired"))
	require.Len(t, r.facts("client-1", "job-done"), 1)
}

// A holder that is cut off loses its session after the timeout: the
// server deletes its node, the waiter's watch fires, and the waiter holds
// the lock with a larger czxid; the cut-off client learns of the expiry
// only once it can reach the server again.
func TestSessionExpiryHandsTheLockToTheWatcher(t *testing.T) {
	cfg := Default()
	cfg.Work = 300 * ms
	jobs := []workload.LockJob{
		{ID: "j1", Client: "client-1", At: 1 * ms, Locks: []string{"lock-1"}},
		{ID: "j2", Client: "client-2", At: 5 * ms, Locks: []string{"lock-1"}},
	}
	plan := faults.Schedule{Triggers: []faults.Trigger{{On: "cs-enter", Node: "client-1", Do: []faults.Action{
		{Kind: faults.Partition, Groups: [][]string{{"client-1"}, {ServerName}}}, {At: faults.Duration(400 * ms), Kind: faults.Heal}}}}}
	r := simulate(t, cfg, jobs, plan, 2*time.Second)
	exp := r.facts("", "zk-session-expired")
	require.Len(t, exp, 1)
	require.Equal(t, "client-1", exp[0].Data.(obs.ZKSessionExpired).Client)
	g1 := r.facts("client-1", "lock-granted")[0]
	g2 := r.facts("client-2", "lock-granted")[0]
	require.Greater(t, g2.Data.(obs.LockGranted).Token, g1.Data.(obs.LockGranted).Token)
	require.Greater(t, g2.Time, exp[0].Time, "client-2 holds only after the expiry")

	var states []string
	var lostAt time.Duration
	for _, o := range r.facts("client-1", "zk-conn") {
		states = append(states, string(o.Data.(obs.ZKConn).State))
		if o.Data.(obs.ZKConn).State == "lost" {
			lostAt = o.Time
		}
	}
	require.Equal(t, []string{"connected", "suspended", "lost", "connected"}, states)
	require.Greater(t, lostAt, exp[0].Time+200*ms, "it learns only after the partition heals")
}
