package scenarios

import (
	"fmt"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/paxoscommit"
	"github.com/faultline-sim/faultline/protocol/threepc"
	"github.com/faultline-sim/faultline/protocol/twopc"
	"github.com/faultline-sim/faultline/protocol/txn"
	"github.com/faultline-sim/faultline/sim"
)

// spreadClient submits count transactions, each touching every
// participant, far enough apart that none overlaps another.
type spreadClient struct {
	parts []string
	count int
	next  int
}

func (c *spreadClient) Start(env *sim.Env) { env.SetTimer(time.Millisecond, nil) }
func (c *spreadClient) Receive(env *sim.Env, _ sim.NodeID, m sim.Message) {
	if r, ok := m.(txn.Result); ok {
		env.Observe(obs.Outcome{Txn: r.Txn, Commit: r.Commit})
	}
}
func (c *spreadClient) Timer(env *sim.Env, _ any) {
	c.next++
	id := fmt.Sprintf("t%d", c.next)
	var ops []txn.Op
	for i, p := range c.parts {
		ops = append(ops, txn.Op{Participant: p, Account: fmt.Sprintf("a%d", i+1), Delta: 1})
	}
	env.Observe(obs.Submit{Txn: id})
	coord, _ := env.Lookup("coordinator")
	env.Send(coord, txn.Submit{Txn: id, Ops: ops})
	if c.next < c.count {
		env.SetTimer(time.Second, nil)
	}
}

// measureFaultFree runs count committed transactions over n participants
// on a fault-free network and returns the messages sent per transaction.
func measureFaultFree(t *testing.T, p txn.Protocol, n, count int) float64 {
	t.Helper()
	w, err := sim.New(sim.Config{Seed: 7, Network: sim.Link{Latency: time.Millisecond, Jitter: 2 * time.Millisecond}, MaxTime: time.Duration(count+2) * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	topo := txn.Topology{Coordinator: "coordinator", Accounts: map[string][]string{}, Initial: 100}
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("participant-%d", i)
		topo.Participants = append(topo.Participants, name)
		topo.Accounts[name] = []string{fmt.Sprintf("a%d", i)}
	}
	if err := p.AddNodes(w, topo); err != nil {
		t.Fatal(err)
	}
	w.AddNode("client-1", func() sim.Node { return &spreadClient{parts: topo.Participants, count: count} })
	w.Run()
	h := checker.FromWorld(w)
	var msgs int
	for i := range w.Names() {
		msgs += w.Sent(sim.NodeID(i))
	}
	m := checker.MeasureCommit(h, msgs, 0)
	if m.Committed != count {
		t.Fatalf("%s N=%d: %d of %d transactions committed fault-free", p.Name(), n, m.Committed, count)
	}
	return float64(msgs) / float64(count)
}

// The fault-free message counts documented in each protocol's package doc.
func TestFaultFreeMessagesMatchFormulas(t *testing.T) {
	coop := twopc.Default()
	coop.Cooperative = true
	cases := []struct {
		p       txn.Protocol
		formula string
		count   func(n int) int
	}{
		{twopc.Default(), "4N+2", func(n int) int { return 4*n + 2 }},
		{coop, "4N+2", func(n int) int { return 4*n + 2 }},
		{threepc.Default(), "6N+2", func(n int) int { return 6*n + 2 }},
	}
	for _, f := range []int{0, 1, 2} {
		pc := paxoscommit.Default()
		pc.F = f
		cases = append(cases, struct {
			p       txn.Protocol
			formula string
			count   func(n int) int
		}{pc, fmt.Sprintf("4N(F+1)+2 with F=%d", f), func(n int) int { return 4*n*(f+1) + 2 }})
	}
	for _, c := range cases {
		for n := 1; n <= 4; n++ {
			got := measureFaultFree(t, c.p, n, 5)
			if got != float64(c.count(n)) {
				t.Errorf("%s with N=%d: measured %.2f messages per transaction, formula %s gives %d", c.p.Name(), n, got, c.formula, c.count(n))
			}
		}
	}
}
