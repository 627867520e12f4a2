package faults

import (
	"strings"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/sim"
	"github.com/stretchr/testify/require"
)

type vote struct{}

func (vote) String() string { return "vote" }

// logger writes its log durably and then votes, with no observation in
// between: each timer run does put, send, timer-set.
type logger struct{ n int }

func (l *logger) Start(env *sim.Env)                                { env.SetTimer(time.Millisecond, nil) }
func (l *logger) Receive(env *sim.Env, _ sim.NodeID, _ sim.Message) {}
func (l *logger) Timer(env *sim.Env, _ any) {
	n, _ := sim.Load[int](env, "logged")
	env.Put("logged", n+1)
	env.Send(1, vote{})
	if n+1 < 3 {
		env.SetTimer(time.Millisecond, nil)
	}
}

func loggerRun(t *testing.T, s Schedule) (*sim.World, []string) {
	t.Helper()
	w, err := sim.New(sim.Config{Network: sim.Link{Latency: time.Millisecond}})
	require.NoError(t, err)
	w.AddNode("logger", func() sim.Node { return &logger{} })
	w.AddNode("peer", func() sim.Node { return &logger{} })
	require.NoError(t, s.Install(w))
	w.Run()
	var lines []string
	for _, l := range w.Trace().Lines() {
		if strings.Contains(l, "logger") && !strings.Contains(l, "deliver") {
			lines = append(lines, l)
		}
	}
	return w, lines
}

func restartIn(d time.Duration) *Duration { x := Duration(d); return &x }

// Run 2 is the logger's first timer: put (effect 1), send (2), timer-set
// (3). A crash after effect 1 keeps the write and loses the vote and the
// rest of the run.
func TestEffectCrashBetweenAPutAndASend(t *testing.T) {
	a := Action{Kind: EffectCrash, Node: "logger", Run: 2, Effect: 1, RestartAfter: restartIn(5 * time.Millisecond)}
	w, lines := loggerRun(t, Schedule{Actions: []Action{a}})
	requireCrashBetweenPutAndSend(t, w, lines, "0.001000000", "effect-crash logger run=2 effect=1 restart-after=5ms", "0.006000000")
}

// requireCrashBetweenPutAndSend checks a logger run that fault (as traced)
// crashed at time at, after its put and before its send, and that was
// restarted at time restart: the vote does not leave, and the put
// survives, so the restarted logger counts on from it and votes twice
// more, not three times.
func requireCrashBetweenPutAndSend(t *testing.T, w *sim.World, lines []string, at, fault, restart string) {
	t.Helper()
	trace := strings.Join(lines, "\n")
	require.Contains(t, trace, at+" fault "+fault+"\n   "+at+" crash logger")
	require.Contains(t, trace, restart+" fault restart logger")
	require.NotContains(t, trace, at+" send", "the vote after the crash point must not leave")
	n, _ := sim.LoadFrom[int](w.Store(0), "logged")
	require.Equal(t, 3, n, "the put before the crash survives")
	require.Equal(t, 2, w.Sent(0))
}

func TestEffectCrashAfterTheLastEffect(t *testing.T) {
	a := Action{Kind: EffectCrash, Node: "logger", Run: 3, Effect: LastEffect}
	w, _ := loggerRun(t, Schedule{Actions: []Action{a}})
	require.Equal(t, 2, w.Sent(0), "runs 2 and 3 send; the crash after run 3 stops run 4")
	require.False(t, w.Up(0))
}

// A point that is never reached (the run does not exist) crashes nothing,
// and one in the liveness phase stays silent like a trigger.
func TestEffectCrashOnlyWhereNamedAndBeforeTheLivenessPhase(t *testing.T) {
	w, _ := loggerRun(t, Schedule{Actions: []Action{{Kind: EffectCrash, Node: "logger", Run: 99, Effect: 1}}})
	require.True(t, w.Up(0))
	require.Equal(t, 3, w.Sent(0))
	w, _ = loggerRun(t, Schedule{Actions: []Action{{Kind: EffectCrash, Node: "logger", Run: 3, Effect: 1}, {At: ms(2), Kind: HealAll}}})
	require.True(t, w.Up(0), "run 3 is at 2ms, when the heal-all begins the liveness phase")
}

func TestEffectCrashIsDataRoundTripsAndValidates(t *testing.T) {
	s := Schedule{Actions: []Action{
		{Kind: EffectCrash, Node: "a", Run: 4, Effect: 2, RestartAfter: restartIn(30 * time.Millisecond)},
		{Kind: EffectCrash, Node: "b", Run: 1, Effect: LastEffect},
	}}
	data := s.MarshalIndent()
	require.Contains(t, string(data), `"effect": "last"`)
	require.Contains(t, string(data), `"restart_after": "30ms"`)
	back, err := Parse(data)
	require.NoError(t, err)
	require.Equal(t, s, back)
	require.Equal(t, "   0.000000000 effect-crash a run=4 effect=2 restart-after=30ms\n"+
		"   0.000000000 effect-crash b run=1 effect=last\n", s.String())

	_, err = Parse([]byte(`{"actions":[{"kind":"effect-crash","node":"a","run":1,"effect":"first"}]}`))
	require.ErrorContains(t, err, `bad effect "first": want a number from 1 or "last"`)
	k := known("a")
	for want, a := range map[string]Action{
		"effect-crash: node is missing":          {Kind: EffectCrash, Run: 1, Effect: 1},
		`effect-crash: unknown node "z"`:         {Kind: EffectCrash, Node: "z", Run: 1, Effect: 1},
		"effect-crash a: run 0: handler runs":    {Kind: EffectCrash, Node: "a", Effect: 1},
		"effect-crash a: effect is missing":      {Kind: EffectCrash, Node: "a", Run: 1},
		"effect-crash a: effect -3: effects":     {Kind: EffectCrash, Node: "a", Run: 1, Effect: -3},
		"effect-crash a: at must be 0":           {At: ms(1), Kind: EffectCrash, Node: "a", Run: 1, Effect: 1},
		"effect-crash a: negative restart_after": {Kind: EffectCrash, Node: "a", Run: 1, Effect: 1, RestartAfter: restartIn(-1)},
		"crash: run, effect and restart_after":   {Kind: Crash, Node: "a", Run: 1},
	} {
		require.ErrorContains(t, a.Validate(k), want)
	}
}
