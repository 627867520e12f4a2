package explore

import (
	"fmt"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/sim"
	"github.com/stretchr/testify/require"
)

// A write-ahead log server in miniature: it logs each append durably and
// then acknowledges it, with no observation anywhere on the server — the
// order a crash point at an observation could never test. The planted bug
// acknowledges first.

type appendReq struct{ N int }
type appendAck struct{ N int }
type acked struct{ N int }

func (m appendReq) String() string { return fmt.Sprintf("append %d", m.N) }
func (m appendAck) String() string { return fmt.Sprintf("ack %d", m.N) }
func (f acked) String() string     { return fmt.Sprintf("acked %d", f.N) }

type logServer struct{ ackFirst bool }

func (s *logServer) Start(env *sim.Env)        {}
func (s *logServer) Timer(env *sim.Env, _ any) {}
func (s *logServer) Receive(env *sim.Env, from sim.NodeID, m sim.Message) {
	req := m.(appendReq)
	key := fmt.Sprintf("entry/%03d", req.N)
	if s.ackFirst {
		env.Send(from, appendAck(req))
		env.Put(key, req.N)
		return
	}
	env.Put(key, req.N) // forced to the log before the ack promises it
	env.Send(from, appendAck(req))
}

// logClient appends 1..n, one every millisecond, and records each ack.
type logClient struct{ n, next int }

func (c *logClient) Start(env *sim.Env) {
	if env.Incarnation() == 0 {
		env.SetTimer(time.Millisecond, nil)
	}
}
func (c *logClient) Timer(env *sim.Env, _ any) {
	c.next++
	env.Send(0, appendReq{c.next})
	if c.next < c.n {
		env.SetTimer(time.Millisecond, nil)
	}
}
func (c *logClient) Receive(env *sim.Env, _ sim.NodeID, m sim.Message) {
	env.Observe(acked(m.(appendAck)))
}

type logSystem struct{ ackFirst bool }

func (s logSystem) Protocol() string      { return "toy-log" }
func (s logSystem) PlantedBugs() []string { return []string{"ack-before-log"} }
func (s logSystem) Validate() error       { return nil }
func (s logSystem) WithBug(name string) (scenarios.System, error) {
	if name != "ack-before-log" {
		return nil, fmt.Errorf("no planted bug %q", name)
	}
	return logSystem{ackFirst: true}, nil
}
func (s logSystem) Build(w *sim.World, _ uint64) error {
	w.AddNode("log", func() sim.Node { return &logServer{ackFirst: s.ackFirst} })
	w.AddNode("client", func() sim.Node { return &logClient{n: 5} })
	return nil
}
func (s logSystem) Checkers(*scenarios.Spec) []checker.Checker {
	return []checker.Checker{ackedIsDurable{}}
}

// ackedIsDurable: every acknowledged append is in the server's final log.
type ackedIsDurable struct{}

func (ackedIsDurable) Name() string         { return "acked-durable" }
func (ackedIsDurable) Class() checker.Class { return checker.ClassSafety }
func (ackedIsDurable) Needs() []string      { return nil }
func (ackedIsDurable) Check(h *checker.History) checker.Result {
	n := 0
	for _, o := range h.Observations {
		if a, ok := o.Data.(acked); ok {
			n++
			if _, logged := sim.LoadFrom[int](h.Stores[0], fmt.Sprintf("entry/%03d", a.N)); !logged {
				return checker.Result{Verdict: checker.Violation, Message: fmt.Sprintf("append %d was acknowledged but is not in the log", a.N)}
			}
		}
	}
	return checker.Result{Verdict: checker.OK, Message: fmt.Sprintf("%d acknowledged appends, all logged", n)}
}

var toyLog = scenarios.Spec{Name: "toy-log", Expect: checker.OK, System: logSystem{}, MaxTime: time.Second}

func TestAPutThenASendWithoutObservationHasACrashPointBetween(t *testing.T) {
	res := crashPoints(t, toyLog, Options{Seed: 1, RestartAfter: 5 * time.Millisecond, Nodes: []string{"log"}})
	// Each of the 5 appends is one server run: put (effect 1), send (2).
	require.Equal(t, 10, res.Boundaries)
	require.Equal(t, 10, res.Distinct)
	require.Equal(t, 10, res.Points)
	between := 0
	for _, r := range res.Runs {
		if r.Point.Kind == "put entry/" {
			require.Equal(t, 1, r.Point.Effect, "the crash comes right after the put, before the send")
			between++
		}
	}
	require.Equal(t, 5, between)
	require.Equal(t, res.Points, res.Counts[checker.OK], "%v", res.Counts)
}

func TestCrashPointsCatchAnAckBeforeTheLogWrite(t *testing.T) {
	res := crashPoints(t, toyLog, Options{Seed: 1, Bug: "ack-before-log", Nodes: []string{"log"}})
	var caught []string
	for _, r := range res.Runs {
		if r.Verdict == checker.Violation {
			caught = append(caught, r.Point.Kind)
			require.Equal(t, "acked-durable", r.Failures[0].Checker)
		}
	}
	// Only a crash between the ack and the write loses an acknowledged
	// append: all five such points, and nothing else.
	require.Equal(t, []string{"send appendAck", "send appendAck", "send appendAck", "send appendAck", "send appendAck"}, caught)
}
