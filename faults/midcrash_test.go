package faults

import (
	"testing"
	"time"

	"github.com/faultline-sim/faultline/sim"
	"github.com/stretchr/testify/require"
)

// Armed at 1.5ms, the mid-crash counts the logger's writes and sends from
// then on: its 2ms timer run puts (1) and sends (2), so "before effect 2"
// falls between the two, inside the handler.
func TestMidCrashSplitsAHandlerBetweenAWriteAndASend(t *testing.T) {
	a := Action{At: Duration(1500 * time.Microsecond), Kind: MidCrash, Node: "logger", Effect: 2, RestartAfter: restartIn(5 * time.Millisecond)}
	w, lines := loggerRun(t, Schedule{Actions: []Action{a}})
	requireCrashBetweenPutAndSend(t, w, lines, "0.002000000", "fire mid-crash logger before-effect=2 restart-after=5ms", "0.007000000")

	// The same crash with unsynced writes lost: the logger never syncs,
	// so its write of the interrupted run is gone and it votes three times
	// after the restart.
	w, _ = loggerRun(t, Schedule{Actions: []Action{a}, Unsynced: "lose"})
	require.Equal(t, 4, w.Sent(0))
}

func TestMidCrashIsDataRoundTripsAndValidates(t *testing.T) {
	s := Schedule{Actions: []Action{{At: ms(3), Kind: MidCrash, Node: "a", Effect: 2, RestartAfter: restartIn(30 * time.Millisecond)}}, Unsynced: "torn"}
	data := s.MarshalIndent()
	require.Contains(t, string(data), `"unsynced": "torn"`)
	back, err := Parse(data)
	require.NoError(t, err)
	require.Equal(t, s, back)
	require.Equal(t, "unsynced writes at a crash: torn\n   0.003000000 mid-crash a before-effect=2 restart-after=30ms\n", s.String())
	k := known("a")
	for want, a := range map[string]Action{
		"mid-crash: node is missing":                     {Kind: MidCrash, Effect: 1},
		`mid-crash: unknown node "z"`:                    {Kind: MidCrash, Node: "z", Effect: 1},
		"mid-crash a: run belongs to effect-crash":       {Kind: MidCrash, Node: "a", Run: 2, Effect: 1},
		"mid-crash a: effect 0: the durable write, sync": {Kind: MidCrash, Node: "a"},
		"mid-crash a: negative restart_after":            {Kind: MidCrash, Node: "a", Effect: 1, RestartAfter: restartIn(-1)},
	} {
		require.ErrorContains(t, a.Validate(k), want)
	}
	require.ErrorContains(t, Schedule{Unsynced: "sometimes"}.Validate(k), `unsynced "sometimes": want keep, lose or torn`)
}

// Mid-crashes draw after every other kind: a nemesis that adds them draws
// the very same other faults, so existing scenarios keep their schedules.
func TestNemesisMidCrashesLeaveTheOtherDrawsAlone(t *testing.T) {
	base := Nemesis{Targets: []string{"a", "b"}, Stop: ms(1000), CrashRate: 3, Downtime: ms(50), PartitionRate: 2, PartitionLength: ms(50), Swarm: true}
	with := base
	with.MidCrashRate, with.MidCrashEffects, with.Unsynced = 5, 3, "lose"
	require.NoError(t, with.Validate())
	mids := 0
	for seed := uint64(1); seed <= 50; seed++ {
		plain := base.Generate(sim.NewStream(seed, "faults"))
		drawn := with.Generate(sim.NewStream(seed, "faults"))
		require.Equal(t, "lose", drawn.Unsynced)
		var others []Action
		for _, a := range drawn.Actions {
			if a.Kind != MidCrash {
				others = append(others, a)
				continue
			}
			mids++
			require.True(t, a.Effect >= 1 && a.Effect <= 3, "effect %v", a.Effect)
			require.NoError(t, a.Validate(known("a", "b")))
		}
		require.Equal(t, plain.Actions, others, "seed %d", seed)
	}
	require.Greater(t, mids, 50, "about 5 a second, less the seeds swarm turned them off in")
}
