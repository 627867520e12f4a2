package faults

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
	"github.com/stretchr/testify/require"
)

func ms(n int) Duration { return Duration(time.Duration(n) * time.Millisecond) }

func known(names ...string) func(string) bool {
	return func(n string) bool {
		for _, x := range names {
			if x == n {
				return true
			}
		}
		return false
	}
}

func TestScheduleRoundTripsThroughJSON(t *testing.T) {
	s := Schedule{
		Actions: []Action{
			{At: ms(10), Kind: Crash, Node: "coordinator"},
			{At: ms(20), Kind: Partition, Groups: [][]string{{"coordinator", "participant-1"}, {"participant-2"}}},
			{At: ms(30), Kind: SetLink, From: []string{"participant-1"}, Link: &LinkSpec{Latency: ms(5), Loss: 0.5}},
			{At: ms(40), Kind: Pause, Node: "participant-2", Duration: ms(100)},
		},
		Triggers: []Trigger{{On: "votes-in", Node: "coordinator", Where: map[string]string{"all-yes": "true"},
			Do: []Action{{Kind: Crash, Node: "coordinator"}, {At: ms(500), Kind: Restart, Node: "coordinator"}}}},
	}
	data := s.MarshalIndent()
	require.Contains(t, string(data), `"at": "10ms"`, "durations are written as text")
	back, err := Parse(data)
	require.NoError(t, err)
	require.Equal(t, s, back)
	require.Equal(t, "   0.010000000 crash coordinator\n"+
		"   0.020000000 partition {coordinator,participant-1} | {participant-2}\n"+
		"   0.030000000 link {participant-1} -> {*} latency=5ms jitter=0s loss=0.5 dup=0\n"+
		"   0.040000000 pause participant-2 100ms\n"+
		"trigger on votes-in [node=coordinator all-yes=true] do crash coordinator; after 500ms: restart coordinator\n", s.String())
	require.Equal(t, []string{"coordinator", "participant-1", "participant-2"}, s.Roles())
}

func TestParseRefusesTyposAndBadDurations(t *testing.T) {
	_, err := Parse([]byte(`{"actions":[{"at":"10ms","kind":"crash","nod":"x"}]}`))
	require.ErrorContains(t, err, `unknown field "nod"`)
	_, err = Parse([]byte(`{"actions":[{"at":"soon","kind":"crash"}]}`))
	require.ErrorContains(t, err, `bad duration "soon"`)
	_, err = Parse([]byte(`{"actions":[]} {"actions":[{"kind":"crash","node":"x"}]}`))
	require.ErrorContains(t, err, "fault schedule: data after the JSON value")
}

func TestValidateNamesWhatIsWrong(t *testing.T) {
	k := known("a", "b")
	cases := map[string]Action{
		`unknown fault kind "explode"`:   {Kind: "explode"},
		`crash: unknown node "c"`:        {Kind: Crash, Node: "c"},
		"crash: node is missing":         {Kind: Crash},
		"partition: needs at least two":  {Kind: Partition, Groups: [][]string{{"a"}}},
		`partition: node "a" in two`:     {Kind: Partition, Groups: [][]string{{"a"}, {"a", "b"}}},
		"cut: from and to are both":      {Kind: Cut, From: []string{"a"}},
		"link: link loss 2 is not":       {Kind: SetLink, Link: &LinkSpec{Loss: 2}},
		"pause a: duration must be":      {Kind: Pause, Node: "a"},
		"clock-jump a: duration is miss": {Kind: ClockJump, Node: "a"},
		"crash: negative time":           {Kind: Crash, Node: "a", At: -1},
		"link: the link setting is miss": {Kind: SetLink},
	}
	for want, a := range cases {
		err := a.Validate(k)
		require.Error(t, err, want)
		require.Contains(t, err.Error(), want)
	}
	require.NoError(t, Action{Kind: Isolate, Node: "a"}.Validate(k))
	err := Schedule{Triggers: []Trigger{{On: "decide", Do: []Action{{Kind: Crash, Node: "zz"}}}}}.Validate(k)
	require.ErrorContains(t, err, `trigger 1 action 1: crash: unknown node "zz"`)
}

func TestNemesisIsDeterministicAndRespectsItsWindow(t *testing.T) {
	n := Nemesis{Targets: []string{"a", "b", "c"}, Others: []string{"d"}, Start: ms(100), Stop: ms(1000),
		CrashRate: 5, Downtime: ms(50), PartitionRate: 5, PartitionLength: ms(50), SlowRate: 3, SlowLength: ms(20), SlowBy: ms(10),
		LossRate: 3, LossLength: ms(20), Loss: 0.5, PauseRate: 2, PauseLength: ms(10), ClockRate: 2, ClockJump: ms(100)}
	require.NoError(t, n.Validate())
	a := n.Generate(sim.NewStream(1, "faults"))
	b := n.Generate(sim.NewStream(1, "faults"))
	c := n.Generate(sim.NewStream(2, "faults"))
	require.Equal(t, a, b)
	require.NotEqual(t, a, c)
	require.NotEmpty(t, a.Actions)
	kinds := map[Kind]bool{}
	for i, act := range a.Actions {
		kinds[act.Kind] = true
		require.NoError(t, act.Validate(known("a", "b", "c", "d")))
		if i > 0 {
			require.LessOrEqual(t, a.Actions[i-1].At, act.At, "sorted by time")
		}
		if act.Kind == Crash || act.Kind == Partition || act.Kind == Isolate || act.Kind == Pause {
			require.GreaterOrEqual(t, act.At, n.Start)
			require.Less(t, act.At, n.Stop)
		}
	}
	for _, k := range []Kind{Crash, Restart, Heal, SetLink, Pause, ClockJump} {
		require.True(t, kinds[k], "nemesis produced no %s", k)
	}
	require.Error(t, Nemesis{Targets: []string{"a"}, CrashRate: -1}.Validate())
	require.Error(t, Nemesis{}.Validate())
}

// voter records a vote observation on every timer tick.
type voter struct{ n int }

func (v *voter) Start(env *sim.Env)                                { env.SetTimer(time.Millisecond, nil) }
func (v *voter) Receive(env *sim.Env, _ sim.NodeID, _ sim.Message) {}
func (v *voter) Timer(env *sim.Env, _ any) {
	v.n++
	env.Observe(obs.Vote{Txn: fmt.Sprintf("t%d", v.n), Yes: v.n%2 == 0})
	if v.n < 10 {
		env.SetTimer(time.Millisecond, nil)
	}
}

func TestTriggersFireOnMatchingObservationsWithSkipAndTimes(t *testing.T) {
	w, err := sim.New(sim.Config{})
	require.NoError(t, err)
	w.AddNode("p", func() sim.Node { return &voter{} })
	w.AddNode("q", func() sim.Node { return &voter{} })
	s := Schedule{Triggers: []Trigger{{On: "vote", Node: "p", Where: map[string]string{"yes": "true"}, Skip: 1, Times: 2,
		Do: []Action{{At: ms(0), Kind: Pause, Node: "q", Duration: ms(1)}}}}}
	require.NoError(t, s.Install(w))
	w.Run()
	var pauses []string
	for _, l := range w.Trace().Lines() {
		if strings.Contains(l, "fault pause") {
			pauses = append(pauses, strings.Fields(l)[0])
		}
	}
	// p votes yes at 2,4,6,8,10ms; skip the first, fire on the next two.
	require.Equal(t, []string{"0.004000000", "0.006000000"}, pauses)
}

func TestHealAllSilencesTriggers(t *testing.T) {
	w, err := sim.New(sim.Config{})
	require.NoError(t, err)
	w.AddNode("p", func() sim.Node { return &voter{} })
	s := Schedule{
		Actions: []Action{{At: ms(5), Kind: HealAll}},
		Triggers: []Trigger{{On: "vote", Node: "p", Times: 100, Do: []Action{
			{Kind: ClockJump, Node: "p", Duration: ms(1)},
			{At: ms(3), Kind: ClockJump, Node: "p", Duration: ms(1000)},
		}}},
	}
	require.NoError(t, s.Install(w))
	w.Run()
	var jumps []string
	for _, l := range w.Trace().Lines() {
		if strings.Contains(l, "fault clock-jump") {
			jumps = append(jumps, strings.Fields(l)[0]+" "+strings.Fields(l)[4])
		}
	}
	// Votes at 1..4ms fire; of the delayed jumps only the one from 1ms lands
	// before 5ms (queued earlier, it runs before the 4ms vote). From
	// the heal-all at 5ms on, nothing fires.
	require.Equal(t, []string{"0.001000000 1ms", "0.002000000 1ms", "0.003000000 1ms", "0.004000000 1s", "0.004000000 1ms"}, jumps)
}

// A typo in a trigger's kind or condition would never match: the run would
// go ahead as if the fault were planned and harmless. Each is refused,
// naming the closest known name.
func TestTriggerTyposAreRefusedNamingTheClosestFact(t *testing.T) {
	k := func(string) bool { return true }
	trig := func(on string, where map[string]string) Schedule {
		return Schedule{Triggers: []Trigger{{On: on, Node: "coordinator", Where: where, Do: []Action{{Kind: Crash, Node: "coordinator"}}}}}
	}
	require.NoError(t, trig("votes-in", map[string]string{"all-yes": "true"}).Validate(k))
	cases := map[string]Schedule{
		`trigger 1: "on": unknown fact kind "votes-inn" (did you mean "votes-in"? known kinds: accept, begin,`:                     trig("votes-inn", nil),
		`trigger 1: "where": fact kind votes-in has no attribute "all_yes" (did you mean "all-yes"? its attributes: txn, all-yes)`: trig("votes-in", map[string]string{"all_yes": "true"}),
		`"where": fact kind votes-in: attribute all-yes is a bool: "yes" is not true or false`:                                     trig("votes-in", map[string]string{"all-yes": "yes"}),
		`attribute via has no value "coordinater" (did you mean "coordinator"? values: coordinator, peer,`:                         trig("decide", map[string]string{"via": "coordinater"}),
		`attribute waited is a duration: "5" is not one`:                                                                           trig("wait-timeout", map[string]string{"waited": "5"}),
		`attribute token is an int: "x" is not one`:                                                                                trig("grant", map[string]string{"token": "x"}),
	}
	for want, s := range cases {
		err := s.Validate(k)
		require.Error(t, err, want)
		require.Contains(t, err.Error(), want)
		require.NotContains(t, err.Error(), "\n", "one line")
	}
	// An alias matches as its attribute does.
	require.NoError(t, trig("redis-call", map[string]string{"lock": "lock-1", "op": "set-nx"}).Validate(k))
}
