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

// TestSentMessagesDoNotChange: the trace hash takes a message's text at
// its send only (a delivery names it by id), which is sound because a
// sent message never changes. sim.Send copies the message itself but not
// the arrays its slices point to, so a protocol could still write into a
// message it sent; this checks none does. Each send's text is taken as
// it happens and compared with the same message's text after the run.
func TestSentMessagesDoNotChange(t *testing.T) {
	for _, s := range All() {
		type sent struct {
			m    sim.Message
			text string
		}
		var all []sent
		watch := func(w *sim.World) {
			w.OnEffect(func(e sim.Effect) {
				if e.Kind == sim.EffSend {
					all = append(all, sent{e.Msg, string(sim.AppendValue(nil, e.Msg))})
				}
			})
		}
		_, err := Run(s, Options{Seed: 1, NoTrace: true, Watch: watch})
		require.NoError(t, err)
		require.NotEmpty(t, all, s.Name)
		for i, x := range all {
			require.Equal(t, x.text, string(sim.AppendValue(nil, x.m)), "%s: send %d (%T) changed after it was sent", s.Name, i, x.m)
		}
	}
}
