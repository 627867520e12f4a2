package sim

import "time"

// OutageKind is what kind of outage an Outage is.
type OutageKind string

const (
	OutPaused OutageKind = "paused" // the node handled nothing (a stop-the-world pause)
	OutDown   OutageKind = "down"   // the node was crashed, until its restart
	OutCut    OutageKind = "cut"    // the directed link Node→Peer dropped everything
)

// Outage is a stretch of true time in which a node could not act or a
// link carried nothing. Like crashes, outages are kept without a trace: a
// liveness checker must not blame a protocol for time in which nothing it
// could do would have helped (a lock service paused, down, or cut off
// from its clients).
type Outage struct {
	Kind OutageKind
	Node NodeID
	Peer NodeID        // the link's far end for OutCut, None otherwise
	From time.Duration // true time it began
	To   time.Duration // true time it ended; -1 while it lasts
}

func (w *World) outageBegin(kind OutageKind, node, peer NodeID, until time.Duration) int {
	w.outages = append(w.outages, Outage{Kind: kind, Node: node, Peer: peer, From: w.now, To: until})
	return len(w.outages) - 1
}

func (w *World) outageEnd(i int) {
	if i >= 0 && i < len(w.outages) && w.outages[i].To < 0 {
		w.outages[i].To = w.now
	}
}

// Outages returns every outage so far, in the order they began; one still
// lasting has To -1.
func (w *World) Outages() []Outage { return append([]Outage(nil), w.outages...) }
