package reports

import (
	"strings"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/sim"
	"github.com/stretchr/testify/require"
)

func TestSpaceTimeDiagramDrawsEveryDeliveryAndTheCrash(t *testing.T) {
	s, err := scenarios.Get("2pc-coordinator-crash")
	require.NoError(t, err)
	o, err := scenarios.Run(s, scenarios.Options{Seed: 1})
	require.NoError(t, err)
	var b strings.Builder
	require.NoError(t, RunHTML(&b, o, HTMLOptions{To: 100 * time.Millisecond}))
	page := b.String()

	deliveries, crashes := 0, 0
	for i := 0; i < o.Trace.Len(); i++ {
		e := o.Trace.At(i)
		if e.Time > 100*time.Millisecond {
			break
		}
		switch e.Kind {
		case sim.EvDeliver:
			deliveries++
		case sim.EvCrash:
			crashes++
		}
	}
	require.Positive(t, deliveries)
	require.Equal(t, deliveries, strings.Count(page, `marker-end="url(#arrow)"`), "one arrow per delivered message")
	require.Equal(t, 1, crashes)
	require.Contains(t, page, ">crash</text>")
	for _, lane := range []string{"coordinator", "participant-1", "client-4"} {
		require.Contains(t, page, ">"+lane+"</text>")
	}
	require.Contains(t, page, `class="blocked">blocked</span>`)
	require.Contains(t, page, "send coordinator-&gt;participant-", "tooltips carry the canonical trace line")

	o.Trace = nil
	require.Error(t, RunHTML(&b, o, HTMLOptions{}))
}
