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
// The parts share one array, each capped at its own end, so a sweep pays
// one allocation for them rather than a regrown slice per client.
func PerClient[T any](items []T, client func(T) string) (map[string][]T, []string) {
	var clients []string
	var ends []int // by client index: where its part ends in the shared array
	index := map[string]int{}
	for _, it := range items {
		c := client(it)
		i, seen := index[c]
		if !seen {
			i = len(clients)
			index[c] = i
			clients, ends = append(clients, c), append(ends, 0)
		}
		ends[i]++
	}
	for i := 1; i < len(ends); i++ {
		ends[i] += ends[i-1]
	}
	// Filled back to front, so that ends[i] becomes part i's start.
	all := make([]T, len(items))
	for k := len(items) - 1; k >= 0; k-- {
		i := index[client(items[k])]
		ends[i]--
		all[ends[i]] = items[k]
	}
	by := make(map[string][]T, len(clients))
	for i, c := range clients {
		end := len(all)
		if i+1 < len(ends) {
			end = ends[i+1]
		}
		by[c] = all[ends[i]:end:end]
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
