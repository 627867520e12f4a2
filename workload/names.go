package workload

import (
	"math/rand/v2"
	"time"
)

// Names lists n role names, name(1) to name(n): the clients, banks, items
// and locks of a workload, a protocol's acceptors or instances.
func Names(n int, name func(i int) string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = name(i + 1)
	}
	return out
}

// PerClient splits items by the client each belongs to, keeping their
// order, and lists those clients in order of first appearance: what a
// protocol needs to give each client node its own part of a workload.
// When each client's items are already next to each other, as the
// generated workloads have them, a part is a slice of items itself, capped
// at its end; otherwise the parts are copies sharing one array. Either
// way a sweep pays at most one allocation for them, not a regrown slice
// per client. The parts are read, never changed.
func PerClient[T any](items []T, client func(T) string) (map[string][]T, []string) {
	var clients []string
	var size []int // by client index: how many items it has
	index := map[string]int{}
	together := true
	for _, it := range items {
		c := client(it)
		i, seen := index[c]
		if !seen {
			i = len(clients)
			index[c] = i
			clients, size = append(clients, c), append(size, 0)
		} else if i != len(clients)-1 {
			together = false // an item of c after another client's
		}
		size[i]++
	}
	parts := items
	if !together {
		parts = make([]T, len(items))
		next := make([]int, len(clients)) // where client i's next item goes
		for i := 1; i < len(next); i++ {
			next[i] = next[i-1] + size[i-1]
		}
		for _, it := range items {
			i := index[client(it)]
			parts[next[i]] = it
			next[i]++
		}
	}
	by := make(map[string][]T, len(clients))
	start := 0
	for i, c := range clients {
		end := start + size[i]
		by[c] = parts[start:end:end]
		start = end
	}
	return by, clients
}

// arrivals is the arrival process of the inventory and lock workloads:
// each of the clients (from 1) has perClient items (from 1), the first at
// start plus a gap, each next one a gap later, the gaps drawn by
// cappedGap. add is called in client order, then item order, right after
// the item's gap is drawn, so it may draw the item's own values from r.
func arrivals(r *rand.Rand, clients, perClient int, start, mean time.Duration, add func(client, item int, at time.Duration)) {
	for c := 1; c <= clients; c++ {
		at := start
		for j := 1; j <= perClient; j++ {
			at += cappedGap(r, mean)
			add(c, j, at)
		}
	}
}

// cappedGap draws an exponential gap with the given mean, capped at three
// times the mean, so that a client's work ends within a known horizon and
// a run's time limit never cuts a workload short.
func cappedGap(r *rand.Rand, mean time.Duration) time.Duration {
	return time.Duration(float64(mean) * min(r.ExpFloat64(), 3))
}
