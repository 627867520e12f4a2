package checker

import (
	"fmt"
	"sort"
	"strings"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
)

// holderView replays the lock servers' Holder facts (and crashes) to know,
// at each moment, which clients a quorum of servers records as holders.
type holderView struct {
	quorum int
	state  map[string]map[sim.NodeID]obs.Holder // lock -> server -> last fact
}

func (v *holderView) record(server sim.NodeID, f obs.Holder) {
	m := v.state[f.Lock]
	if m == nil {
		m = map[sim.NodeID]obs.Holder{}
		v.state[f.Lock] = m
	}
	m[server] = f
}

func (v *holderView) crash(server sim.NodeID) {
	for _, m := range v.state {
		if f, ok := m[server]; ok && !f.Durable {
			delete(m, server)
		}
	}
}

// holders lists the clients a quorum of servers records for lock, with
// their tokens, sorted.
func (v *holderView) holders(lock string) []obs.Holder {
	count := map[string]int{}
	token := map[string]int64{}
	for _, f := range v.state[lock] {
		if f.Client != "" {
			count[f.Client]++
			token[f.Client] = max(token[f.Client], f.Token)
		}
	}
	var out []obs.Holder
	for c, n := range count {
		if n >= v.quorum {
			out = append(out, obs.Holder{Lock: lock, Client: c, Token: token[c]})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Client < out[j].Client })
	return out
}

func describeHolders(hs []obs.Holder) string {
	if len(hs) == 0 {
		return "nobody"
	}
	parts := make([]string, len(hs))
	for i, h := range hs {
		parts[i] = h.Client
		if h.Token != 0 {
			parts[i] += fmt.Sprintf(" (token %d)", h.Token)
		}
	}
	return strings.Join(parts, " and ")
}

// StorageSafety judges the protected storage, whose cells are named after
// the locks that guard them.
//
// Unfenced (fenced false): every write the storage accepted must come from
// a client that held the lock at that true moment, by the lock service's
// own account — the client a quorum of its servers recorded as holder
// (obs.Holder; quorum is 1 for a single server, a majority for Redlock).
// A write from anyone else is the damage Kleppmann's counterexamples do: a
// paused or cut-off client still acting on a lease that is gone.
//
// Fenced: the storage must never accept a read or write whose token is
// lower than the highest it had already accepted for that cell. Writes
// from a stale holder that reach the storage before any newer holder has
// touched it are then harmless (they are ordered before the newer
// holder's), so only stale tokens count.
type StorageSafety struct {
	Quorum int  // servers that must record a client as holder (1, or a Redlock majority)
	Fenced bool // the storage refuses stale tokens
}

func (StorageSafety) Name() string    { return "storage" }
func (StorageSafety) Class() Class    { return ClassSafety }
func (StorageSafety) Needs() []string { return storageFacts }

// Check runs the check.
func (x StorageSafety) Check(h *History) Result {
	quorum, fenced := x.Quorum, x.Fenced
	if quorum < 1 {
		quorum = 1
	}
	v := &holderView{quorum: quorum, state: map[string]map[sim.NodeID]obs.Holder{}}
	fence := map[string]int64{}
	var ev evidence
	accepted, refused := 0, 0
	crashes := crashCursor{crashes: h.Crashes}
	for _, o := range h.Observations {
		for _, c := range crashes.upTo(o.Time, false) {
			v.crash(c.Node)
		}
		switch f := o.Data.(type) {
		case obs.Holder:
			v.record(o.Node, f)
		case obs.StorageRead:
			if f.Rejected {
				refused++
				continue
			}
			if fenced {
				if f.Token < fence[f.Key] {
					ev.add("%s: storage accepted a read by %s with stale token %d at %s; it had already accepted token %d",
						f.Key, f.Client, f.Token, at(o.Time), fence[f.Key])
				}
				fence[f.Key] = max(fence[f.Key], f.Token)
			}
		case obs.StorageWrite:
			if f.Rejected {
				refused++
				continue
			}
			accepted++
			if fenced {
				if f.Token < fence[f.Key] {
					ev.add("%s: storage accepted a write by %s with stale token %d at %s; it had already accepted token %d",
						f.Key, f.Client, f.Token, at(o.Time), fence[f.Key])
				}
				fence[f.Key] = max(fence[f.Key], f.Token)
				continue
			}
			hs := v.holders(f.Key)
			held := false
			for _, x := range hs {
				held = held || x.Client == f.Client
			}
			if !held {
				ev.add("%s: storage accepted a write by %s (token %d) at %s, but at that moment the lock service held the lock for %s",
					f.Key, f.Client, f.Token, at(o.Time), describeHolders(hs))
			}
		}
	}
	mode := "unfenced: every accepted write came from the holder of the moment"
	if fenced {
		mode = "fenced: no stale token accepted"
	}
	msg := fmt.Sprintf("%d writes accepted, %d operations fenced off; %s", accepted, refused, mode)
	return ev.judge("storage", "unsafe storage operations", msg)
}
