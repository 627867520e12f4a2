package catalog

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/internal/explore"
	"github.com/faultline-sim/faultline/internal/reports"
	"github.com/faultline-sim/faultline/protocol/lockmgr"
	"github.com/faultline-sim/faultline/protocol/optimistic"
	"github.com/faultline-sim/faultline/protocol/paxoscommit"
	"github.com/faultline-sim/faultline/protocol/plant"
	"github.com/faultline-sim/faultline/protocol/redislock"
	"github.com/faultline-sim/faultline/protocol/redlock"
	"github.com/faultline-sim/faultline/protocol/threepc"
	"github.com/faultline-sim/faultline/protocol/twopc"
	"github.com/faultline-sim/faultline/protocol/zklock"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/sim"
)

// Kind is a means of catching a bug.
type Kind string

const (
	// Runs runs a scenario over seeds 1..Budget: a random-fault sweep, or
	// a scripted scenario (a budget of 1 or a few). The bug is caught at
	// the first seed whose outcome is not what the scenario expects — a
	// violation where it expects ok, or ok where the kernel bug took away
	// the fault the scenario's violation needs.
	Runs Kind = "runs"
	// CrashPoints crashes each node at effect boundaries of seed 1's
	// fault-free run (explore.CrashPoints; Budget points per node and
	// effect kind), caught if any point gives a violation.
	CrashPoints Kind = "crashpoints"
)

// Means is how one bug must be caught, and within what budget.
type Means struct {
	Kind     Kind   `json:"kind"`
	Scenario string `json:"scenario"`
	// Budget is the seeds of a Runs means, or the points per node and
	// effect kind of a CrashPoints means.
	Budget       int           `json:"budget"`
	Unsynced     string        `json:"unsynced,omitempty"`      // the storage fault the means needs ("lose")
	RestartAfter time.Duration `json:"restart_after,omitempty"` // crash points: restart the crashed node after this
	Nodes        []string      `json:"nodes,omitempty"`         // crash points: only these nodes
}

// Command is the simrun command line that runs the means.
func (m Means) Command(bug string) string {
	var b strings.Builder
	switch m.Kind {
	case CrashPoints:
		fmt.Fprintf(&b, "%s crashpoints %s --per-kind %d", reports.Program(), m.Scenario, m.Budget)
		if m.RestartAfter > 0 {
			fmt.Fprintf(&b, " --restart-after %v", m.RestartAfter)
		}
		if len(m.Nodes) > 0 {
			fmt.Fprintf(&b, " --nodes %s", strings.Join(m.Nodes, ","))
		}
	case Runs:
		if m.Budget == 1 {
			fmt.Fprintf(&b, "%s run %s --seed 1", reports.Program(), m.Scenario)
		} else {
			fmt.Fprintf(&b, "%s sweep %s --seeds 1-%d", reports.Program(), m.Scenario, m.Budget)
		}
	}
	fmt.Fprintf(&b, " --bug %s", bug)
	if m.Unsynced != "" {
		b.WriteString(" --unsynced " + m.Unsynced)
	}
	return b.String()
}

// Entry is one planted bug.
type Entry struct {
	Protocol    string `json:"protocol"` // the package that plants it, or "kernel"
	Bug         string `json:"bug"`      // as given to --bug
	Description string `json:"description"`
	Means       Means  `json:"means"`
}

// catalogs are the planted-bug catalogs of every protocol, by the name
// the table gives them.
var catalogs = map[string]plant.Catalog{
	"twopc": twopc.Bugs, "threepc": threepc.Bugs, "paxoscommit": paxoscommit.Bugs,
	"lockmgr": lockmgr.Bugs, "optimistic": optimistic.Bugs, "redislock": redislock.Bugs,
	"redlock": redlock.Bugs, "zklock": zklock.Bugs,
}

func sweep(scenario string, seeds int) Means {
	return Means{Kind: Runs, Scenario: scenario, Budget: seeds}
}
func scripted(scenario string) Means { return Means{Kind: Runs, Scenario: scenario, Budget: 1} }
func lose(m Means) Means             { m.Unsynced = "lose"; return m }
func points(scenario string, perKind int, restart time.Duration, nodes ...string) Means {
	return Means{Kind: CrashPoints, Scenario: scenario, Budget: perKind, RestartAfter: restart, Nodes: nodes}
}

// means says how each bug is caught, by protocol and bug name (a bug may
// have more than one means, each of which must catch it). Budgets are
// about three to ten times the seeds the means needed when it was written
// down (`simrun bugs --check`), so a small change in the protocols'
// timing does not break them and a lost means does.
var means = []meansOf{
	{"twopc", twopc.BugCommitOnPartialVotes, sweep("2pc-bank-faults", 10)},
	{"twopc", twopc.BugPresumeAbortOnRestart, sweep("2pc-bank-faults", 30)},
	{"twopc", twopc.BugSendBeforeLog, points("2pc-bank", 3, 30*time.Millisecond, "coordinator")},
	{"twopc", twopc.BugSendBeforeLog, sweep("2pc-bank-faults", 300)},
	{"twopc", twopc.BugVoteBeforeSync, lose(sweep("2pc-bank-faults", 50))},
	{"twopc", twopc.BugInDoubtTimeoutAbort, sweep("2pc-bank-faults", 30)},
	{"twopc", twopc.BugReleaseLocksAtVote, sweep("2pc-bank-faults", 5)},
	{"twopc", twopc.BugRecoverWithoutLocks, sweep("2pc-bank-faults", 60)},
	{"threepc", threepc.BugAllUncertainCommits, scripted("3pc-coordinator-crash")},
	{"threepc", threepc.BugPreCommittedAborts, points("3pc-bank", 10, 0, "coordinator")},
	{"paxoscommit", paxoscommit.BugForgetPromise, sweep("paxoscommit-acceptor-faults", 50)},
	{"paxoscommit", paxoscommit.BugForgetAccepted, sweep("paxoscommit-acceptor-faults", 100)},
	{"paxoscommit", paxoscommit.BugReplyBeforeSync, lose(sweep("paxoscommit-acceptor-faults", 30))},
	{"lockmgr", lockmgr.BugGrantHeld, scripted("lockmgr-contention")},
	{"lockmgr", lockmgr.BugReleaseNonHolder, sweep("lockmgr-contention", 10)},
	{"lockmgr", lockmgr.BugGrantBeforeSync, lose(sweep("lockmgr-contention", 400))},
	{"optimistic", optimistic.BugIgnoreVersion, scripted("optimistic-inventory")},
	{"redislock", redislock.BugPlainDel, scripted("redis-lock-late-release")},
	{"redlock", redlock.BugNoElapsedCheck, sweep("redlock-pause-before-check", 5)},
	{"redlock", redlock.BugMinorityQuorum, scripted("redlock")},
	{"redlock", redlock.BugAOFEverySec, lose(scripted("redlock-restart-aof"))},
	{"zklock", zklock.BugNoGUID, sweep("zk-lock-fenced-faults", 50)},
	{"kernel", sim.BugCutIgnored, scripted("3pc-partition")},
	{"kernel", sim.BugRestartAmnesia, scripted("redlock-restart-aof")},
	{"kernel", sim.BugKeepUnsynced, scripted("redlock-restart-everysec")},
	{"kernel", sim.BugJumpIgnored, scripted("redlock-clock-jump")},
}

// meansOf is one row of means: a protocol's bug and a means that catches it.
type meansOf struct {
	protocol, bug string
	m             Means
}

// Catches is one means of catching a bug, for Register.
type Catches struct {
	Bug   string
	Means Means
}

// Register adds the planted bugs of a protocol that lives outside this
// package's list — the lock kit's test service registers itself from its
// own package, so that adding it changed nothing here — with the means
// that catch each. It panics on a protocol registered twice or a bug its
// catalog does not offer: both are programming errors found at start-up.
func Register(protocol string, bugs plant.Catalog, catches ...Catches) {
	if _, dup := catalogs[protocol]; dup || protocol == "kernel" {
		panic(fmt.Sprintf("catalog: protocol %q registered twice", protocol))
	}
	for _, c := range catches {
		if _, ok := bugs.Lookup(c.Bug); !ok {
			panic(fmt.Sprintf("catalog: %s has no planted bug %q", protocol, c.Bug))
		}
	}
	catalogs[protocol] = bugs
	for _, c := range catches {
		means = append(means, meansOf{protocol, c.Bug, c.Means})
	}
}

// All is the catalog, by protocol then bug. It panics if a bug named
// here is in no protocol's catalog: the table and the code would disagree.
func All() []Entry {
	var out []Entry
	for _, x := range means {
		e := Entry{Protocol: x.protocol, Bug: x.bug, Means: x.m}
		if x.protocol == "kernel" {
			for _, k := range sim.KernelBugs {
				if k.Name == x.bug {
					e.Description = k.Description
				}
			}
		} else if b, ok := catalogs[x.protocol].Lookup(x.bug); ok {
			e.Description = b.Description
		}
		if e.Description == "" {
			panic(fmt.Sprintf("catalog: %s has no planted bug %q", x.protocol, x.bug))
		}
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Protocol < out[j].Protocol })
	return out
}

// Uncatalogued lists the planted bugs some protocol or the kernel offers
// that the catalog gives no means for, as "protocol/bug".
func Uncatalogued() []string {
	have := map[string]bool{}
	for _, x := range means {
		have[x.protocol+"/"+x.bug] = true
	}
	var out []string
	for p, c := range catalogs {
		for _, b := range c.Names() {
			if !have[p+"/"+b] {
				out = append(out, p+"/"+b)
			}
		}
	}
	for _, k := range sim.KernelBugs {
		if !have["kernel/"+k.Name] {
			out = append(out, "kernel/"+k.Name)
		}
	}
	sort.Strings(out)
	return out
}

// Catch is what running a means found.
type Catch struct {
	Caught bool
	// Seed is the first seed that caught it (Runs), Runs the seeds or
	// crash-point runs it took.
	Seed    uint64
	Runs    int
	Checker string // the first checker that objected ("" for a lost expectation)
	Detail  string
}

// Catch runs the entry's means until it catches the bug or spends its
// budget (or limit, if positive and smaller).
func (e Entry) Catch(limit int) (Catch, error) {
	m := e.Means
	spec, err := scenarios.Get(m.Scenario)
	if err != nil {
		return Catch{}, err
	}
	if m.Unsynced != "" {
		spec.Faults.Unsynced = m.Unsynced
	}
	budget := m.Budget
	if limit > 0 && limit < budget {
		budget = limit
	}
	switch m.Kind {
	case CrashPoints:
		res, err := explore.CrashPoints(spec, explore.Options{Seed: 1, Bug: e.Bug, RestartAfter: m.RestartAfter, PerKind: budget, Nodes: m.Nodes})
		if err != nil {
			return Catch{}, err
		}
		c := Catch{Runs: res.Points, Caught: res.Counts[checker.Violation] > 0}
		for _, r := range res.Runs {
			if r.Verdict == checker.Violation {
				c.Checker, c.Detail = r.Failures[0].Checker, r.Point.String()
				break
			}
		}
		return c, nil
	case Runs:
		for seed := uint64(1); seed <= uint64(budget); seed++ {
			out, err := scenarios.Run(spec, scenarios.Options{Seed: seed, Bug: e.Bug, NoTrace: true})
			if err != nil {
				return Catch{}, err
			}
			if out.AsExpected() {
				continue
			}
			c := Catch{Caught: true, Seed: seed, Runs: int(seed), Detail: fmt.Sprintf("verdict %s, expected %s", out.Verdict, out.Expect)}
			for _, r := range out.Results {
				if r.Verdict != checker.OK && r.Verdict != checker.Unknown {
					c.Checker = r.Checker
					break
				}
			}
			return c, nil
		}
		return Catch{Runs: budget}, nil
	}
	return Catch{}, fmt.Errorf("catalog: %s: unknown means %q", e.Bug, m.Kind)
}
