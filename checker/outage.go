package checker

import (
	"fmt"
	"sort"
	"time"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
)

// serviceFacts are the facts only a lock service's own nodes record (a
// grant, a holder change, a lease or key expiring, a request served): the
// nodes that record them are the service whose outages excuse a slow
// takeover.
func isServiceFact(d any) bool {
	switch d.(type) {
	case obs.LockGrant, obs.LeaseExpired, obs.Holder, obs.RedisServed, obs.RedisExpired, obs.RedisRole, obs.ZKCreated, obs.ZKSessionExpired:
		return true
	}
	return false
}

// serviceNodes are the nodes that recorded a service fact.
func serviceNodes(h *History) map[sim.NodeID]bool {
	out := map[sim.NodeID]bool{}
	for _, o := range h.Observations {
		if isServiceFact(o.Data) {
			out[o.Node] = true
		}
	}
	return out
}

// lockClients are the nodes that asked for a lock or learned they hold
// one: whom a lock service must reach to hand a lock on.
func lockClients(h *History) map[sim.NodeID]bool {
	out := map[sim.NodeID]bool{}
	for _, o := range h.Observations {
		switch o.Data.(type) {
		case obs.LockRequest, obs.LockGranted:
			out[o.Node] = true
		}
	}
	return out
}

// impossible is how much of [from, to] a takeover could not happen in: a
// service node was paused or down, or a link between a service node and
// one of the clients was cut. Over
// several service nodes (Redlock's five) one outage is counted, which can
// excuse more than a majority protocol needs; a timeliness bound errs on
// the side of not blaming the protocol for the faults' time.
func impossible(h *History, service map[sim.NodeID]bool, clients map[sim.NodeID]bool, from, to time.Duration) time.Duration {
	if to <= from {
		return 0
	}
	client := func(n sim.NodeID) bool { return clients[n] }
	type span struct{ a, b time.Duration }
	var spans []span
	for _, o := range h.Outages {
		switch o.Kind {
		case sim.OutPaused, sim.OutDown:
			if !service[o.Node] {
				continue
			}
		case sim.OutCut:
			if !(service[o.Node] && client(o.Peer) || service[o.Peer] && client(o.Node)) {
				continue
			}
		default:
			continue
		}
		end := o.To
		if end < 0 {
			end = h.End
		}
		a, b := max(o.From, from), min(end, to)
		if b > a {
			spans = append(spans, span{a, b})
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].a < spans[j].a })
	var total, reach time.Duration
	reach = from
	for _, s := range spans {
		if s.b <= reach {
			continue
		}
		total += s.b - max(s.a, reach)
		reach = s.b
	}
	return total
}

// excusedNote says how much waiting a takeover report left out.
func excusedNote(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return fmt.Sprintf(" counting only the time a takeover was possible (%v more while the lock service was paused, down or cut off)", d)
}
