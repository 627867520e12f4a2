package scenarios

import (
	"fmt"
	"testing"

	"github.com/faultline-sim/faultline/sim"
	"github.com/stretchr/testify/require"
)

// TestEveryRunHasTheStoredTracesHash: a run without a stored trace carries
// the hash its stored trace gives, for every scenario, and every payload
// that writes its own trace text (sim.TraceAppender) writes exactly what
// fmt prints for it — so the fast path changes no trace and no hash.
func TestEveryRunHasTheStoredTracesHash(t *testing.T) {
	appenders := map[string]bool{}
	for _, s := range All() {
		for seed := uint64(1); seed <= 2; seed++ {
			traced, err := Run(s, Options{Seed: seed})
			require.NoError(t, err)
			bare, err := Run(s, Options{Seed: seed, NoTrace: true})
			require.NoError(t, err)
			require.Nil(t, bare.Trace)
			require.Len(t, bare.TraceHash, 16, "%s seed %d", s.Name, seed)
			require.Equal(t, traced.Trace.Hash(), traced.TraceHash, "%s seed %d: the run's hash is its stored trace's", s.Name, seed)
			require.Equal(t, traced.TraceHash, bare.TraceHash, "%s seed %d: an unstored run has the stored trace's hash", s.Name, seed)
			for i := 0; i < traced.Trace.Len(); i++ {
				p := traced.Trace.At(i).Payload
				if _, ok := p.(sim.TraceAppender); !ok {
					continue
				}
				appenders[fmt.Sprintf("%T", p)] = true
				if got, want := string(sim.AppendValue(nil, p)), fmt.Sprint(p); got != want {
					t.Fatalf("%s seed %d event %d: a %T appends %q to the trace, but prints as %q", s.Name, seed, i, p, got, want)
				}
			}
		}
	}
	t.Logf("payload types with a trace appender: %d", len(appenders))
}
