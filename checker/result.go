package checker

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/faultline-sim/faultline/sim"
)

// Verdict is a checker's conclusion.
type Verdict string

const (
	OK        Verdict = "ok"
	Blocked   Verdict = "blocked"
	Violation Verdict = "violation"
	Unknown   Verdict = "unknown"
)

// rank orders verdicts from best to worst for Combine.
func (v Verdict) rank() int {
	switch v {
	case OK:
		return 0
	case Unknown:
		return 1
	case Blocked:
		return 2
	case Violation:
		return 3
	}
	return 1
}

// ParseVerdict reads a verdict name.
func ParseVerdict(s string) (Verdict, error) {
	switch v := Verdict(s); v {
	case OK, Blocked, Violation, Unknown:
		return v, nil
	}
	return "", fmt.Errorf("unknown verdict %q (want ok, blocked, violation or unknown)", s)
}

// Stuck is one participant left uncertain: which transaction, since when,
// for how long, holding which locks.
type Stuck struct {
	Node  string        `json:"node"`
	Txn   string        `json:"txn"`
	Since time.Duration `json:"since_ns"`
	For   time.Duration `json:"for_ns"`
	Locks []string      `json:"locks"`
	Up    bool          `json:"up"`
}

func (s Stuck) String() string {
	state := "up"
	if !s.Up {
		state = "down"
	}
	return fmt.Sprintf("%s uncertain about %s since %s for %v (%s), holding %v", s.Node, s.Txn, sim.FormatTime(s.Since), s.For, state, s.Locks)
}

// Result is one checker's finding.
type Result struct {
	Checker  string   `json:"checker"`
	Class    Class    `json:"class,omitempty"`
	Verdict  Verdict  `json:"verdict"`
	Message  string   `json:"message"`
	Evidence []string `json:"evidence,omitempty"`
	Stuck    []Stuck  `json:"stuck,omitempty"`
	// Visualize, set by a linearizability checker that found a violation,
	// writes porcupine's HTML picture of the history. Checkers do no file
	// I/O: the CLI chooses the file.
	Visualize func(io.Writer) error `json:"-"`
}

func (r Result) String() string { return fmt.Sprintf("%s: %s — %s", r.Checker, r.Verdict, r.Message) }

// Combine is the overall verdict of several results: the worst one.
func Combine(rs []Result) Verdict {
	v := OK
	for _, r := range rs {
		if r.Verdict.rank() > v.rank() {
			v = r.Verdict
		}
	}
	return v
}

// History is what checkers read: the observations of a run and the final
// state of every node.
type History struct {
	Observations []sim.Observation
	Names        []string      // node names by id
	End          time.Duration // true time the run ended
	Up           []bool        // whether each node was up at the end
	Stores       []*sim.Store  // each node's final durable state
	Crashes      []sim.Crash   // every crash, in order
	Outages      []sim.Outage  // pauses, downtimes and cut links, in the order they began

	commitOnce sync.Once
	commit     *commitHistory // the commit view, built once for all commit checkers
	// run holds what the checkers of one RunAll share besides the commit
	// view; it lives only as long as that RunAll, since a caller may
	// change Stores between checks. runMu makes concurrent RunAlls on one
	// History take turns rather than share or clear each other's views.
	run   *runViews
	runMu sync.Mutex
}

// FromWorld captures a finished world's history.
func FromWorld(w *sim.World) *History {
	names := w.Names()
	h := &History{Observations: w.Observations(), Names: names, End: w.Now(),
		Up: make([]bool, len(names)), Stores: make([]*sim.Store, len(names)), Crashes: w.Crashes(), Outages: w.Outages()}
	for i := range names {
		h.Up[i] = w.Up(sim.NodeID(i))
		h.Stores[i] = w.Store(sim.NodeID(i))
	}
	return h
}

func (h *History) name(id sim.NodeID) string {
	if id >= 0 && int(id) < len(h.Names) {
		return h.Names[id]
	}
	return fmt.Sprintf("node(%d)", id)
}

// maxEvidence bounds the evidence lines of one result: the first few
// instances say what is wrong; the count says how often.
const maxEvidence = 10

type evidence struct {
	lines []string
	count int
}

// judge is the result of a check that collected e: a violation saying how
// many (what) it found and the first, or ok with okMsg.
func (e *evidence) judge(name, what, okMsg string) Result {
	if e.count == 0 {
		return Result{Checker: name, Verdict: OK, Message: okMsg}
	}
	return Result{Checker: name, Verdict: Violation, Evidence: e.lines, Message: fmt.Sprintf("%d %s; first: %s", e.count, what, e.lines[0])}
}

func (e *evidence) add(format string, args ...any) {
	e.count++
	if len(e.lines) < maxEvidence {
		e.lines = append(e.lines, fmt.Sprintf(format, args...))
	}
}
