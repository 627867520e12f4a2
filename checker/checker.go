package checker

import (
	"fmt"
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
// exclusive.
func RunAll(h *History, cs []Checker) []Result {
	seen := h.kinds()
	out := make([]Result, 0, len(cs))
	for _, c := range cs {
		var r Result
		if needs := c.Needs(); len(needs) > 0 && !anyOf(seen, needs) {
			r = Result{Verdict: Unknown, Message: fmt.Sprintf("no evidence: the run recorded none of the facts it reads (%s)", strings.Join(needs, ", "))}
		} else {
			r = c.Check(h)
		}
		r.Checker, r.Class = c.Name(), c.Class()
		out = append(out, r)
	}
	return out
}

func anyOf(seen map[string]bool, kinds []string) bool {
	for _, k := range kinds {
		if seen[k] {
			return true
		}
	}
	return false
}

// kinds is the set of fact kinds the history holds.
func (h *History) kinds() map[string]bool {
	seen := map[string]bool{}
	for _, o := range h.Observations {
		if f, ok := o.Data.(obs.Fact); ok {
			seen[f.Kind()] = true
		}
	}
	return seen
}

// Names lists the names of checkers, in order.
func Names(cs []Checker) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name()
	}
	return out
}

// The fact kinds each checker reads, named from the vocabulary so a
// renamed kind breaks the build rather than silently starving a checker.
var (
	commitFacts   = []string{obs.KindOf[obs.Begin](), obs.KindOf[obs.Vote](), obs.KindOf[obs.Decide]()}
	lockOpFacts   = []string{obs.KindOf[obs.LockRequest](), obs.KindOf[obs.LockRelease](), obs.KindOf[obs.LockGrant](), obs.KindOf[obs.LeaseExpired]()}
	storageFacts  = []string{obs.KindOf[obs.StorageWrite](), obs.KindOf[obs.StorageRead]()}
	progressFacts = []string{obs.KindOf[obs.LockRequest](), obs.KindOf[obs.JobStart]()}
)

func (Atomicity) Name() string    { return "atomicity" }
func (Atomicity) Class() Class    { return ClassSafety }
func (Atomicity) Needs() []string { return commitFacts }

func (Conservation) Name() string    { return "conservation" }
func (Conservation) Class() Class    { return ClassSafety }
func (Conservation) Needs() []string { return commitFacts }

func (Blocking) Name() string    { return "blocking" }
func (Blocking) Class() Class    { return ClassLiveness }
func (Blocking) Needs() []string { return commitFacts }

func (Liveness) Name() string    { return "liveness" }
func (Liveness) Class() Class    { return ClassLiveness }
func (Liveness) Needs() []string { return commitFacts }

func (Ballots) Name() string { return "ballots" }
func (Ballots) Class() Class { return ClassSafety }
func (Ballots) Needs() []string {
	return []string{obs.KindOf[obs.Promise](), obs.KindOf[obs.Accept]()}
}

func (LockLinearizable) Name() string    { return "lock-linear" }
func (LockLinearizable) Class() Class    { return ClassSafety }
func (LockLinearizable) Needs() []string { return lockOpFacts }

// MutualExclusion needs critical sections: a client entering one is the
// belief it judges.
func (MutualExclusion) Name() string    { return "mutex" }
func (MutualExclusion) Class() Class    { return ClassSafety }
func (MutualExclusion) Needs() []string { return []string{obs.KindOf[obs.EnterCS]()} }

func (LostUpdates) Name() string    { return "lost-updates" }
func (LostUpdates) Class() Class    { return ClassSafety }
func (LostUpdates) Needs() []string { return []string{obs.KindOf[obs.StorageWrite]()} }

func (StorageSafety) Name() string    { return "storage" }
func (StorageSafety) Class() Class    { return ClassSafety }
func (StorageSafety) Needs() []string { return storageFacts }

// Takeover needs grants: without a holder there is nothing a crash could
// leave behind, and with grants "nobody crashed holding a lock" is a real
// finding.
func (Takeover) Name() string    { return "takeover" }
func (Takeover) Class() Class    { return ClassLiveness }
func (Takeover) Needs() []string { return []string{obs.KindOf[obs.LockGranted]()} }

// ZKTakeover reads the server's holder record.
func (ZKTakeover) Name() string    { return "takeover" }
func (ZKTakeover) Class() Class    { return ClassLiveness }
func (ZKTakeover) Needs() []string { return []string{obs.KindOf[obs.Holder]()} }

func (Progress) Name() string    { return "progress" }
func (Progress) Class() Class    { return ClassLiveness }
func (Progress) Needs() []string { return progressFacts }

func (Inventory) Name() string { return "inventory" }
func (Inventory) Class() Class { return ClassSafety }
func (Inventory) Needs() []string {
	return []string{obs.KindOf[obs.Order](), obs.KindOf[obs.KVApplied]()}
}

func (RegisterLinearizable) Name() string    { return "kv-linear" }
func (RegisterLinearizable) Class() Class    { return ClassSafety }
func (RegisterLinearizable) Needs() []string { return []string{obs.KindOf[obs.KVCall]()} }

func (RedisLinearizable) Name() string    { return "redis-linear" }
func (RedisLinearizable) Class() Class    { return ClassSafety }
func (RedisLinearizable) Needs() []string { return []string{obs.KindOf[obs.RedisCall]()} }

func (ZKLinearizable) Name() string    { return "zk-linear" }
func (ZKLinearizable) Class() Class    { return ClassSafety }
func (ZKLinearizable) Needs() []string { return []string{obs.KindOf[obs.ZKCall]()} }

var _ = []Checker{Atomicity{}, Conservation{}, Blocking{}, Liveness{}, Ballots{}, LockLinearizable{}, MutualExclusion{},
	LostUpdates{}, StorageSafety{}, Takeover{}, ZKTakeover{}, Progress{}, Inventory{}, RegisterLinearizable{}, RedisLinearizable{}, ZKLinearizable{}}
