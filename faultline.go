package faultline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/internal/explore"
	"github.com/faultline-sim/faultline/internal/shrink"
	"github.com/faultline-sim/faultline/internal/sweep"
	"github.com/faultline-sim/faultline/protocol/lockkit"
	"github.com/faultline-sim/faultline/protocol/txn"
	"github.com/faultline-sim/faultline/scenarios"
)

// The values the API passes around are those of the packages that make
// them, named here so that a user imports one package.
type (
	// Scenario is one runnable experiment: a system (protocol, topology,
	// workload), the network, the fault plan, the checkers, the limits and
	// the verdict expected. It is a value: change a copy's fields freely.
	Scenario = scenarios.Spec
	// System is what a scenario puts in the world and how it is judged;
	// RegisterScenario takes scenarios of any System.
	System = scenarios.System
	// RunOptions are one run's choices: the seed, a planted bug, a fault
	// schedule of one's own (replacing the scenario's), NoTrace (faster, no
	// trace hash), the bound on each linearizability search.
	RunOptions = scenarios.Options
	// Outcome is everything a run produced: the verdict, each checker's
	// result with its evidence, the fault schedule as run, the trace and
	// its hash.
	Outcome = scenarios.Outcome
	// SweepOptions are a sweep's seed range (From, To inclusive), workers,
	// planted bug, progress and stop hooks.
	SweepOptions = sweep.Options
	// SweepResult counts the verdicts of every seed and keeps the failing
	// ones with their evidence and the determinism re-runs.
	SweepResult = sweep.Result
	// ShrinkResult is the original and the minimal fault schedule and the
	// run with the minimal one.
	ShrinkResult = shrink.Result
	// CrashPointOptions choose the seed, planted bug, restart delay,
	// sampling per node and effect kind, and the nodes to crash.
	CrashPointOptions = explore.Options
	// CrashPointResult counts the effect boundaries found and the
	// verdict of each crash point run.
	CrashPointResult = explore.Result
	// Verdict is a run's or a checker's judgement.
	Verdict = checker.Verdict
	// LockJudges are the checkers a lock service brings besides the lock
	// family's own: its linearizability and its takeover after a holder's
	// crash; nil leaves that aspect unjudged.
	LockJudges = scenarios.LockJudges
)

// Verdicts.
const (
	OK        = checker.OK
	Blocked   = checker.Blocked
	Violation = checker.Violation
	Unknown   = checker.Unknown
)

// The built-in lock services' judges, for RegisterLock.
var (
	// LeaseJudges judge a lease service from its clients' lock history
	// (grants, refusals, releases, the server's lease expiries) and its
	// takeover by the clients' grants.
	LeaseJudges = scenarios.LeaseJudges
	// RedisJudges judge a Redis-like service from its command history.
	RedisJudges = scenarios.RedisJudges
	// ZKJudges judge a ZooKeeper-like service, sessions included.
	ZKJudges = scenarios.ZKJudges
)

// RegisterLock adds a lock service, in its default configuration, to the
// lock family under its Name: scenario files can name it as their
// protocol (its configuration's exported fields are their parameters),
// and it gets the family's two scenarios NAME-contention and NAME-faults.
// Call it from an init function; a name registered twice panics.
func RegisterLock(p lockkit.Protocol, judges LockJudges) { scenarios.RegisterLock(p, judges) }

// RegisterCommit adds an atomic-commit protocol, in its default
// configuration, to the commit family under its Name, with the checkers it
// needs beyond the family's own (atomicity, conservation, blocking,
// liveness). Scenario files and the protocol comparison then know it.
// Call it from an init function; a name registered twice panics.
func RegisterCommit(p txn.Protocol, extra ...checker.Checker) {
	scenarios.RegisterCommit(p, extra...)
}

// RegisterScenario adds a scenario built in Go — of any System — under
// its Name; f returns it afresh for each use. Call it from an init
// function; a name registered twice panics.
func RegisterScenario(f func() Scenario) { scenarios.Register(f) }

// Load returns a registered scenario by name or, for an argument that
// looks like a path (it has a directory or a .yaml or .yml extension),
// reads that scenario file. A scenario read from a file is named by its
// path, so reproduce commands name the file. A bad file's error is a
// *scenarios.FileError naming the file, line and field.
func Load(nameOrPath string) (Scenario, error) {
	s, err := scenarios.Get(nameOrPath)
	if err == nil || !isPath(nameOrPath) {
		return s, err
	}
	data, err := os.ReadFile(nameOrPath)
	if err != nil {
		return Scenario{}, fmt.Errorf("scenario file: %w", err)
	}
	if s, err = scenarios.Parse(nameOrPath, data); err != nil {
		return Scenario{}, err
	}
	s.Name = nameOrPath
	return s, nil
}

// isPath tells a file argument from a scenario name: names have neither a
// directory nor a YAML extension.
func isPath(arg string) bool {
	ext := filepath.Ext(arg)
	return ext == ".yaml" || ext == ".yml" || strings.ContainsAny(arg, "/"+string(filepath.Separator))
}

// Parse reads a scenario file's text; file names it in errors.
func Parse(file string, data []byte) (Scenario, error) { return scenarios.Parse(file, data) }

// Encode writes a scenario as a file, every value explicit, for Parse or
// Load to read back.
func Encode(s Scenario) ([]byte, error) { return scenarios.EncodeSpec(s) }

// Names lists the registered scenarios, sorted.
func Names() []string { return scenarios.Names() }

// Run runs the scenario once. An error means bad input (an unknown planted
// bug, an invalid schedule); a panic inside the simulated run is reported
// as a "crash" violation in the outcome instead.
func Run(s Scenario, o RunOptions) (*Outcome, error) { return scenarios.Run(s, o) }

// Sweep runs every seed from o.From to o.To, one world per worker; the
// result is the same for any number of workers.
func Sweep(s Scenario, o SweepOptions) (*SweepResult, error) { return sweep.Sweep(s, o) }

// ShrinkOptions name the failing run to shrink and bound the search.
type ShrinkOptions struct {
	Seed    uint64
	Bug     string // the planted bug the run had on
	MaxRuns int    // runs the search may spend (0: 2000)
	// LinTimeout bounds each linearizability search (0: the default).
	LinTimeout time.Duration
}

// Shrink takes a seed whose run has a safety violation and removes fault
// actions and triggers (delta debugging) as long as one of the same
// checkers still reports a violation. The seed, workload and bug stay
// fixed. It is an error if the run has no violation.
func Shrink(s Scenario, o ShrinkOptions) (*ShrinkResult, error) {
	if o.LinTimeout > 0 {
		s.SetLinTimeout(o.LinTimeout)
	}
	return shrink.Shrink(s, o.Seed, o.Bug, o.MaxRuns)
}

// CrashPoints lists the effect boundaries of the scenario's run without
// its random faults (every durable write, send, timer and recorded fact
// of every handler) and runs it once per sampled boundary with that node
// crashed right after that effect.
func CrashPoints(s Scenario, o CrashPointOptions) (*CrashPointResult, error) {
	return explore.CrashPoints(s, o)
}

// SaveRun is the run file of an outcome, as JSON: the scenario resolved
// (every parameter written out), seed, bug, fault schedule as run, trace
// hash and verdict.
func SaveRun(o *Outcome) []byte { return scenarios.Record(o).Marshal() }

// ErrDiverged is Replay's error for a replay whose trace hash is not the
// saved run's: the code or the scenario changed since it was saved.
var ErrDiverged = errors.New("replay diverged from the saved run")

// Replay runs a saved run (SaveRun's JSON) again with its own scenario,
// seed, bug and fault schedule, and checks that it is bit-identical: a
// different trace hash returns the outcome with an error wrapping
// ErrDiverged.
func Replay(runFile []byte) (*Outcome, error) {
	f, err := scenarios.ParseRunFile(runFile)
	if err != nil {
		return nil, err
	}
	out, err := scenarios.Replay(f, 0)
	if err != nil {
		return nil, err
	}
	if out.TraceHash != f.TraceHash {
		return out, fmt.Errorf("%w: saved trace hash %s, this run %s", ErrDiverged, f.TraceHash, out.TraceHash)
	}
	return out, nil
}
