package checker

import (
	"slices"
	"strings"

	"github.com/faultline-sim/faultline/obs"
)

// Class says what a checker's violation means, so that callers (the
// comparison grid, reports) can count findings without knowing checkers by
// name.
type Class string

const (
	// ClassSafety: a violation means something bad happened (a disagreement, a
	// lost update, a non-linearizable history, a crash of the run itself).
	ClassSafety Class = "safety"
	// ClassLiveness: a violation or a "blocked" finding means something good
	// did not happen in time (a decision, a takeover, a job finished).
	ClassLiveness Class = "liveness"
	// ClassInfo: measures and reports; never a violation by itself.
	ClassInfo Class = "info"
)

// Checker judges one property of a finished run. Its options (fenced
// storage, quorum, bounds, timeouts) are fields of the value, so a
// scenario configures it where it lists it and nobody has to recognise a
// checker by its name.
type Checker interface {
	Name() string
	Class() Class
	// Needs lists the fact kinds (obs vocabulary names) whose presence
	// makes the check meaningful: if none of them was recorded, RunAll
	// reports "unknown — no evidence" instead of calling Check. A checker
	// that reads only final durable state returns nil and judges the
	// absence of evidence itself.
	Needs() []string
	Check(h *History) Result
}

// RunAll runs every checker over h, in order. It is the one place results
// are made: each carries its checker's name and class, and a checker whose
// needed facts never appeared says it saw nothing (unknown) rather than ok
// — a system that records no lock facts has not been shown mutually
// exclusive. The checkers of one call share what they derive alike (the
// bank's balances) through h, so RunAll calls on one History take turns.
func RunAll(h *History, cs []Checker) []Result {
	h.runMu.Lock()
	defer h.runMu.Unlock()
	seen := h.kinds(cs)
	h.run = &runViews{}
	defer func() { h.run = nil }()
	out := make([]Result, 0, len(cs))
	for _, c := range cs {
		var r Result
		if needs := c.Needs(); len(needs) > 0 && !anyOf(seen, needs) {
			r = Result{Verdict: Unknown, Message: "no evidence: the run recorded none of the facts it reads (" + strings.Join(needs, ", ") + ")"}
		} else {
			r = c.Check(h)
		}
		r.Checker, r.Class = c.Name(), c.Class()
		out = append(out, r)
	}
	return out
}

// runViews are what the checkers of one RunAll read alike, made by the
// first that needs them.
type runViews struct {
	balances     []balance
	balancesRead bool
}

func anyOf(seen, kinds []string) bool {
	for _, k := range kinds {
		if slices.Contains(seen, k) {
			return true
		}
	}
	return false
}

// kinds lists which of the fact kinds the checkers need the history
// holds. It stops reading once it has seen them all, which for most runs
// is within the first few facts.
func (h *History) kinds(cs []Checker) []string {
	var wanted []string
	for _, c := range cs {
		for _, k := range c.Needs() {
			if !slices.Contains(wanted, k) {
				wanted = append(wanted, k)
			}
		}
	}
	seen := make([]string, 0, len(wanted))
	for _, o := range h.Observations {
		if len(seen) == len(wanted) {
			break
		}
		f, ok := o.Data.(obs.Fact)
		if !ok {
			continue
		}
		if k := f.Kind(); slices.Contains(wanted, k) && !slices.Contains(seen, k) {
			seen = append(seen, k)
		}
	}
	return seen
}

// The fact kinds each checker reads, named from the vocabulary so a
// renamed kind breaks the build rather than silently starving a checker.
var (
	commitFacts   = []string{obs.KindOf[obs.Begin](), obs.KindOf[obs.Vote](), obs.KindOf[obs.Decide]()}
	lockOpFacts   = []string{obs.KindOf[obs.LockRequest](), obs.KindOf[obs.LockRelease](), obs.KindOf[obs.LockGrant](), obs.KindOf[obs.LeaseExpired]()}
	storageFacts  = []string{obs.KindOf[obs.StorageWrite](), obs.KindOf[obs.StorageRead]()}
	progressFacts = []string{obs.KindOf[obs.LockRequest](), obs.KindOf[obs.JobStart]()}
)
