package sim

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Pauses, downtimes and cut links are kept as outages with their true
// begin and end, without a trace; one still lasting at the end is open.
func TestOutagesRecordPausesDowntimesAndCuts(t *testing.T) {
	w := newWorld(t, Config{NoTrace: true, MaxTime: 100 * time.Millisecond})
	a := w.AddNode("a", func() Node { return ticker{} })
	b := w.AddNode("b", func() Node { return ticker{} })
	at := func(ms int, f func(*World)) {
		w.Schedule(time.Duration(ms)*time.Millisecond, faultFunc{"f", f})
	}
	at(5, func(w *World) { w.Pause(a, 10*time.Millisecond) })
	at(20, func(w *World) { w.Crash(b) })
	at(30, func(w *World) { w.Restart(b) })
	at(40, func(w *World) { w.Cut(a, b); w.Cut(a, b); w.Cut(b, a) })
	at(50, func(w *World) { w.Mend(a, b) })
	at(60, func(w *World) { w.HealAll() })
	at(70, func(w *World) { w.Crash(a) })
	w.Run()
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	require.Equal(t, []Outage{
		{Kind: OutPaused, Node: a, Peer: None, From: ms(5), To: ms(15)},
		{Kind: OutDown, Node: b, Peer: None, From: ms(20), To: ms(30)},
		{Kind: OutCut, Node: a, Peer: b, From: ms(40), To: ms(50)},
		{Kind: OutCut, Node: b, Peer: a, From: ms(40), To: ms(60)},
		{Kind: OutDown, Node: a, Peer: None, From: ms(70), To: -1},
	}, w.Outages())
}
