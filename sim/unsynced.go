package sim

import "fmt"

// Unsynced is what a crash does to a node's durable writes made since its
// last sync (Env.Sync).
type Unsynced uint8

const (
	// KeepUnsynced: nothing is lost; every write is as good as synced.
	KeepUnsynced Unsynced = iota
	// LoseUnsynced: a crash loses every write since the node's last sync,
	// as a machine losing power loses its page cache.
	LoseUnsynced
	// TearUnsynced: a crash loses a seeded subset of them — each write,
	// or each batch or Atomic step as a whole, survives on a coin from
	// the world's "storage" stream — as a disk that wrote back some dirty
	// pages and not others.
	TearUnsynced
)

var unsyncedNames = [...]string{KeepUnsynced: "keep", LoseUnsynced: "lose", TearUnsynced: "torn"}

func (u Unsynced) String() string {
	if int(u) < len(unsyncedNames) {
		return unsyncedNames[u]
	}
	return fmt.Sprintf("unsynced(%d)", u)
}

// ParseUnsynced reads "keep" (or ""), "lose" or "torn".
func ParseUnsynced(s string) (Unsynced, error) {
	if s == "" {
		return KeepUnsynced, nil
	}
	for i, n := range unsyncedNames {
		if n == s {
			return Unsynced(i), nil
		}
	}
	return 0, fmt.Errorf("unsynced %q: want keep, lose or torn", s)
}

// SetUnsynced chooses what a crash does to writes not yet synced, for
// every node. It must be called before Run: a write made before it would
// count as synced.
func (w *World) SetUnsynced(u Unsynced) {
	if w.started {
		panic("sim: SetUnsynced after Run")
	}
	w.unsynced = u
	w.tear = nil
	if u == TearUnsynced {
		w.tear = w.Stream("storage")
	}
	for _, p := range w.procs {
		p.store.deferSync = u != KeepUnsynced
	}
}

// CrashBefore arms a crash inside a handler of node id: right before the
// node's k-th durable write, sync or send from now on (counting from 1),
// the kernel applies f — which should crash the node — and, the node being
// dead, that effect does not take place. Everything the handler did before
// it (the records and timers after its previous write or send) stands, so
// the crash splits a handler where a timed crash, which falls between
// handlers, cannot. A crash before then disarms it; arming again replaces
// what was armed.
func (w *World) CrashBefore(id NodeID, k int, f Fault) {
	p := w.procs[id]
	if !p.up || k < 1 {
		return
	}
	p.armed, p.armedFault = k, f
}
