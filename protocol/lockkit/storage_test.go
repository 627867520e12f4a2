package lockkit

import (
	"testing"
	"time"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
)

// writer sends its writes in order, one per millisecond, and keeps the
// replies.
type writer struct {
	writes  []Write
	replies []WriteReply
}

func (w *writer) Start(env *sim.Env) { env.SetTimer(time.Millisecond, 0) }
func (w *writer) Timer(env *sim.Env, tag any) {
	i := tag.(int)
	s, _ := env.Lookup(NodeName)
	env.Send(s, w.writes[i])
	if i+1 < len(w.writes) {
		env.SetTimer(time.Millisecond, i+1)
	}
}
func (w *writer) Receive(env *sim.Env, _ sim.NodeID, m sim.Message) {
	w.replies = append(w.replies, m.(WriteReply))
}

func store(t *testing.T, fenced bool, writes ...Write) (*writer, []obs.StorageWrite) {
	t.Helper()
	w, _ := sim.New(sim.Config{Seed: 1, Network: sim.Link{Latency: 100 * time.Microsecond}})
	wr := &writer{writes: writes}
	w.AddNode(NodeName, func() sim.Node { return &Storage{Fenced: fenced} })
	w.AddNode("client-1", func() sim.Node { return wr })
	w.Run()
	var out []obs.StorageWrite
	for _, o := range w.Observations() {
		out = append(out, o.Data.(obs.StorageWrite))
	}
	return wr, out
}

func TestFencedStorageRefusesLowerTokens(t *testing.T) {
	writes := []Write{
		{Key: "k", Req: Req{0, 1}, Token: 5, ReadVersion: 0, Value: 1},
		{Key: "k", Req: Req{0, 2}, Token: 3, ReadVersion: 1, Value: 2},
	}
	_, got := store(t, true, writes...)
	if len(got) != 2 || got[0].Rejected || !got[1].Rejected {
		t.Fatalf("fenced: %v, want the token-3 write refused after token 5", got)
	}
	_, got = store(t, false, writes...)
	if len(got) != 2 || got[1].Rejected || got[1].Version != 2 {
		t.Fatalf("unfenced: %v, want both writes applied", got)
	}
}

func TestResentWriteIsAppliedOnce(t *testing.T) {
	wr := Write{Key: "k", Req: Req{0, 1}, Token: 1, ReadVersion: 0, Value: 1}
	c, got := store(t, false, wr, wr)
	if len(got) != 1 {
		t.Fatalf("%d writes applied, want 1", len(got))
	}
	if len(c.replies) != 2 || c.replies[0] != c.replies[1] {
		t.Fatalf("replies %v, want the same answer twice", c.replies)
	}
}
