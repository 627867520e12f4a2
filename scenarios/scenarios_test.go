package scenarios

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
	"github.com/stretchr/testify/require"
)

// Every named scenario produces the verdict it promises in simrun list.
func TestEveryScenarioMeetsItsExpectation(t *testing.T) {
	var table strings.Builder
	fmt.Fprintf(&table, "%-34s %-10s %s\n", "scenario", "expect", "seeds 1-3")
	for _, s := range All() {
		require.NotEmpty(t, s.Description, s.Name)
		var got []string
		if s.ExpectsBySweep() {
			found := uint64(0)
			for seed := uint64(1); seed <= 300 && found == 0; seed++ {
				out, err := Run(s, Options{Seed: seed, NoTrace: true})
				require.NoError(t, err, s.Name)
				if out.Verdict == checker.Violation {
					found = seed
				}
			}
			if found == 0 {
				t.Errorf("%s: random search found no violation in seeds 1-300", s.Name)
			}
			fmt.Fprintf(&table, "%-34s %-10s first violation at seed %d\n", s.Name, s.Expect, found)
			continue
		}
		for seed := uint64(1); seed <= 3; seed++ {
			out, err := Run(s, Options{Seed: seed, NoTrace: true})
			require.NoError(t, err, s.Name)
			got = append(got, string(out.Verdict))
			if out.Verdict != s.Expect {
				t.Errorf("%s seed %d: got %s, expected %s: %v", s.Name, seed, out.Verdict, s.Expect, out.Results)
			}
		}
		fmt.Fprintf(&table, "%-34s %-10s %s\n", s.Name, s.Expect, strings.Join(got, " "))
	}
	t.Logf("\n%s", table.String())
}

func TestUnknownScenarioIsAnError(t *testing.T) {
	_, err := Get("no-such-scenario")
	require.ErrorContains(t, err, `unknown scenario "no-such-scenario"`)
}

// oneNode is a system of one node "n" judged by the given checkers.
type oneNode struct {
	node     sim.Node
	checkers []checker.Checker
}

func (oneNode) Protocol() string                   { return "one-node" }
func (oneNode) PlantedBugs() []string              { return nil }
func (oneNode) WithBug(string) (System, error)     { return nil, fmt.Errorf("none") }
func (oneNode) Validate() error                    { return nil }
func (o oneNode) Checkers(*Spec) []checker.Checker { return o.checkers }
func (o oneNode) Build(w *sim.World, _ uint64) error {
	w.AddNode("n", func() sim.Node { return o.node })
	return nil
}

// boom panics, standing in for a protocol bug that crashes the simulator.
type boom struct{}

func (boom) Start(env *sim.Env)                        { env.SetTimer(time.Millisecond, nil) }
func (boom) Receive(*sim.Env, sim.NodeID, sim.Message) {}
func (boom) Timer(*sim.Env, any)                       { panic("protocol bug") }

func TestAPanicInsideTheRunIsReportedNotSwallowed(t *testing.T) {
	out, err := Run(Spec{Name: "boom", System: oneNode{node: boom{}}, MaxTime: time.Second}, Options{Seed: 7})
	require.NoError(t, err)
	require.Equal(t, checker.Violation, out.Verdict)
	require.Equal(t, "crash", out.Results[0].Checker)
	require.Contains(t, out.Results[0].Message, "panicked at    0.001000000: protocol bug")
	require.Equal(t, uint64(7), out.Seed)
}

// Go randomizes map iteration on every range statement, so running each
// scenario twice in one process catches map order leaking into the event
// order: the two traces would differ.
func TestEveryScenarioIsDeterministic(t *testing.T) {
	seeds := 12
	if testing.Short() {
		seeds = 3
	}
	for _, s := range All() {
		for seed := uint64(1); seed <= uint64(seeds); seed++ {
			a, err := Run(s, Options{Seed: seed})
			require.NoError(t, err)
			b, err := Run(s, Options{Seed: seed})
			require.NoError(t, err)
			require.Equal(t, a.TraceHash, b.TraceHash, "%s seed %d", s.Name, seed)
		}
	}
}

// worker works through a job without ever taking a lock or entering a
// critical section.
type worker struct{}

func (worker) Start(env *sim.Env) {
	env.Observe(obs.JobStart{Job: "job-1"})
	env.SetTimer(time.Millisecond, nil)
}
func (worker) Receive(*sim.Env, sim.NodeID, sim.Message) {}
func (worker) Timer(env *sim.Env, _ any)                 { env.Observe(obs.JobDone{Job: "job-1"}) }

func TestALocklessSystemIsNotShownMutuallyExclusive(t *testing.T) {
	sys := oneNode{node: worker{}, checkers: []checker.Checker{checker.MutualExclusion{}, checker.Progress{Bound: time.Second, Jobs: map[string]int{"n": 1}}}}
	out, err := Run(Spec{Name: "lockless", System: sys, MaxTime: time.Second}, Options{Seed: 1})
	require.NoError(t, err)
	require.Len(t, out.Results, 2)
	mutex := out.Results[0]
	require.Equal(t, "mutex", mutex.Checker)
	require.Equal(t, checker.Unknown, mutex.Verdict, mutex.String())
	require.Contains(t, mutex.Message, "no evidence")
	require.Equal(t, checker.OK, out.Results[1].Verdict, "its job facts are evidence for progress: %s", out.Results[1])
	require.Equal(t, checker.Unknown, out.Verdict)
}

// Every fact a built-in protocol records is in the vocabulary with its
// enumerated values declared, so a trigger can name anything a run shows.
func TestEveryRecordedFactIsInTheVocabulary(t *testing.T) {
	bad := map[string]bool{}
	for _, s := range All() {
		bugs := append([]string{""}, s.System.PlantedBugs()...)
		for _, bug := range bugs {
			out, err := Run(s, Options{Seed: 1, NoTrace: true, Bug: bug})
			require.NoError(t, err)
			for _, o := range out.History.Observations {
				f, ok := o.Data.(obs.Fact)
				require.True(t, ok, "%s: %T is not a fact", s.Name, o.Data)
				if err := obs.Conforms(f); err != nil && !bad[err.Error()] {
					bad[err.Error()] = true
					t.Errorf("%s bug %q: %s: %v", s.Name, bug, f, err)
				}
			}
		}
	}
}
