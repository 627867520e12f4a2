package checker

import (
	"fmt"
	"sort"

	"github.com/faultline-sim/faultline/obs"
)

// Ballots checks the consensus invariants of protocols that record Promise
// and Accept facts (Paxos Commit): an acceptor's promised ballot never goes
// down, across restarts included, and it never accepts below what it
// promised; and at most one value is chosen per instance, a value being
// chosen once a quorum of acceptors accepted it at one ballot. A history
// without such facts has no evidence (RunAll: unknown).
type Ballots struct{}

func (Ballots) Name() string { return "ballots" }
func (Ballots) Class() Class { return ClassSafety }
func (Ballots) Needs() []string {
	return []string{obs.KindOf[obs.Promise](), obs.KindOf[obs.Accept]()}
}

// Check runs the check.
func (Ballots) Check(h *History) Result {

	type instKey struct{ txn, inst string }
	type accKey struct {
		node string
		inst instKey
	}
	type balKey struct {
		inst   instKey
		ballot int64
		value  string
	}
	high := map[accKey]int64{}
	votes := map[balKey]map[string]bool{}
	chosen := map[instKey]map[string]int64{} // value -> first ballot it was chosen at
	var ev evidence
	facts := 0
	for _, o := range h.Observations {
		node := h.name(o.Node)
		switch f := o.Data.(type) {
		case obs.Promise:
			facts++
			k := accKey{node, instKey{f.Txn, f.Instance}}
			if prev, ok := high[k]; ok && f.Ballot < prev {
				ev.add("%s promised ballot %d for %s/%s after ballot %d", node, f.Ballot, f.Txn, f.Instance, prev)
			}
			high[k] = max(high[k], f.Ballot)
		case obs.Accept:
			facts++
			ik := instKey{f.Txn, f.Instance}
			k := accKey{node, ik}
			if prev, ok := high[k]; ok && f.Ballot < prev {
				ev.add("%s accepted ballot %d for %s/%s after promising ballot %d", node, f.Ballot, f.Txn, f.Instance, prev)
			}
			high[k] = max(high[k], f.Ballot)
			bk := balKey{ik, f.Ballot, f.Value}
			if votes[bk] == nil {
				votes[bk] = map[string]bool{}
			}
			votes[bk][node] = true
			if len(votes[bk]) == f.Quorum {
				if chosen[ik] == nil {
					chosen[ik] = map[string]int64{}
				}
				if _, dup := chosen[ik][f.Value]; !dup {
					chosen[ik][f.Value] = f.Ballot
				}
			}
		}
	}
	keys := make([]instKey, 0, len(chosen))
	for k := range chosen {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].txn != keys[j].txn {
			return keys[i].txn < keys[j].txn
		}
		return keys[i].inst < keys[j].inst
	})
	for _, k := range keys {
		if len(chosen[k]) > 1 {
			vals := make([]string, 0, len(chosen[k]))
			for v := range chosen[k] {
				vals = append(vals, v)
			}
			sort.Strings(vals)
			desc := ""
			for i, v := range vals {
				if i > 0 {
					desc += " and "
				}
				desc += fmt.Sprintf("%s at ballot %d", v, chosen[k][v])
			}
			ev.add("instance %s/%s chose two values: %s", k.txn, k.inst, desc)
		}
	}
	return ev.judge("ballots", "ballot violations", fmt.Sprintf("%d promises and acceptances, ballots monotonic, one value per instance", facts))
}
