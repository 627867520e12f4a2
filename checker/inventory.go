package checker

import (
	"fmt"
	"sort"
	"time"

	"github.com/faultline-sim/faultline/obs"
)

// RegisterOps turns a run's key-value facts into a versioned register
// history: each call with its return is one operation; a call never
// answered stays pending to the end.
func RegisterOps(h *History) []RegisterOp {
	lanes, _ := clientLanes(h, func(d any) bool { _, ok := d.(obs.KVCall); return ok })
	var ops []RegisterOp
	open := calls[reqKey, int]{}
	for _, o := range h.Observations {
		node := h.name(o.Node)
		switch f := o.Data.(type) {
		case obs.KVCall:
			op := RegisterOp{Client: lanes[node], Name: node, Key: f.Key, Kind: Read, Call: int64(o.Time), Pending: true, Note: "req " + f.Req}
			if f.Op == "cas" {
				op.Kind, op.Expect, op.Value = CAS, f.Expect, f.Value
			}
			open[reqKey{node, f.Req}] = len(ops)
			ops = append(ops, op)
		case obs.KVReturn:
			i, ok := open.answer(reqKey{node, f.Req})
			if !ok {
				continue
			}
			op := &ops[i]
			op.Return, op.Pending, op.OK = int64(o.Time), false, f.OK
			if op.Kind == Read {
				op.Value, op.Version = f.Value, f.Version
			}
		}
	}
	return ops
}

// RegisterLinearizable checks the versioned store's history with
// porcupine, key by key; initial gives each key's value at version 0.
type RegisterLinearizable struct {
	Initial map[string]int64 // each key's value at version 0
	Timeout time.Duration    // bound on each porcupine search
}

func (RegisterLinearizable) Name() string    { return "kv-linear" }
func (RegisterLinearizable) Class() Class    { return ClassSafety }
func (RegisterLinearizable) Needs() []string { return []string{obs.KindOf[obs.KVCall]()} }

// Check runs the check.
func (x RegisterLinearizable) Check(h *History) Result {
	return linResult("kv-linear", "store", "key", CheckRegister(RegisterOps(h), true, x.Initial, x.Timeout))
}

// Inventory checks the seed's inventory invariants: stock is never
// negative, and the units sold equal initial minus remaining stock. An
// order whose client never learned the outcome (it crashed, or the run
// ended) may or may not have sold, so for each item
//
//	confirmed sold <= initial - remaining <= confirmed + in doubt.
//
// Remaining stock is the last value the store applied.
type Inventory struct {
	Initial map[string]int64 // each item's stock before any order
}

func (Inventory) Name() string { return "inventory" }
func (Inventory) Class() Class { return ClassSafety }
func (Inventory) Needs() []string {
	return []string{obs.KindOf[obs.Order](), obs.KindOf[obs.KVApplied]()}
}

// Check runs the check.
func (x Inventory) Check(h *History) Result {
	initial := x.Initial
	type attempt struct {
		item  string
		units int64
	}
	open := map[string][]attempt{} // client -> attempts without an outcome (at most one unless restarted)
	confirmed := map[string]int64{}
	remaining := map[string]int64{}
	for k, v := range initial {
		remaining[k] = v
	}
	var ev evidence
	orders := 0
	for _, o := range h.Observations {
		node := h.name(o.Node)
		switch f := o.Data.(type) {
		case obs.Order:
			orders++
			open[node] = append(open[node], attempt{f.Item, f.Units})
		case obs.Sold:
			confirmed[f.Item] += f.Units
			if n := len(open[node]); n > 0 {
				open[node] = open[node][:n-1]
			}
		case obs.OutOfStock:
			if n := len(open[node]); n > 0 {
				open[node] = open[node][:n-1]
			}
		case obs.KVApplied:
			remaining[f.Key] = f.Value
			if f.Value < 0 {
				ev.add("%s: stock set to %d by %s at %s", f.Key, f.Value, f.Client, at(o.Time))
			}
		}
	}
	doubt := map[string]int64{}
	inDoubt := 0
	for _, as := range open {
		for _, a := range as {
			doubt[a.item] += a.units
			inDoubt++
		}
	}
	items := make([]string, 0, len(remaining))
	for k := range remaining {
		items = append(items, k)
	}
	sort.Strings(items)
	var sold, conf int64
	for _, it := range items {
		s := initial[it] - remaining[it]
		sold += s
		conf += confirmed[it]
		switch {
		case s < confirmed[it]:
			ev.add("%s: %d units confirmed sold but stock fell only by %d (%d -> %d): %d units oversold",
				it, confirmed[it], s, initial[it], remaining[it], confirmed[it]-s)
		case s > confirmed[it]+doubt[it]:
			ev.add("%s: stock fell by %d (%d -> %d) but only %d units were confirmed sold and %d are in doubt",
				it, s, initial[it], remaining[it], confirmed[it], doubt[it])
		}
		if remaining[it] < 0 {
			ev.add("%s: final stock %d is negative", it, remaining[it])
		}
	}
	msg := fmt.Sprintf("%d orders on %d %s: %d units sold = initial - remaining, stock never negative", orders, len(items), plural(len(items), "item"), sold)
	if inDoubt > 0 {
		msg = fmt.Sprintf("%d orders on %d %s: %d units sold (%d confirmed, %d orders in doubt), stock never negative", orders, len(items), plural(len(items), "item"), sold, conf, inDoubt)
	}
	return ev.judge("inventory", "inventory violations", msg)
}
