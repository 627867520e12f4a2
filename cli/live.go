package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/internal/live"
	"github.com/faultline-sim/faultline/internal/reports"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/sim"
	"github.com/spf13/cobra"
)

// liveJSON is a live run as one JSON object: the keys of simrun run --json
// (sim_time_ns is the real time the clients ran, faults the plan, events
// the facts recorded; trace_hash is empty: a live run has none), and
// "live" with what only a live run has.
type liveJSON struct {
	reports.RunJSON
	// TraceHash shadows the run's (omitted when empty) so the key is
	// there, empty: a live run has no trace to hash.
	TraceHash string   `json:"trace_hash"`
	Live      liveInfo `json:"live"`
}

type liveInfo struct {
	Recipe        string   `json:"recipe"`
	Deterministic bool     `json:"deterministic"`
	Note          string   `json:"note"`
	StandsIn      string   `json:"stands_in,omitempty"`
	FaultLog      []string `json:"fault_log"`
	TotalNs       int64    `json:"total_ns"`
}

const liveNote = "a live run against real servers is not deterministic: the same plan can give a different history; only the verdict is expected to repeat"

func newLive() *cobra.Command {
	var (
		seed     uint64
		form     *output
		planIn   string
		planOut  string
		history  string
		trace    bool
		basePort int
		linTO    time.Duration
		use      map[string]string
	)
	c := &cobra.Command{
		Use:   "live list | live SCENARIO [--seed N]",
		Short: "Run a lock recipe against real redis-server or ZooKeeper under real faults",
		Long: `Run the seed article's lock recipes — the Redis lock, Redlock, the
ZooKeeper recipe — against real servers that simrun starts on 127.0.0.1
(redis-server and ZooKeeper from Debian's packages), with real faults from a
seeded plan: kill -9 and restart, SIGSTOP and SIGCONT, pauses of a client
inside its critical section, and delay, drop and partition through a fault
proxy. The history is judged by the checkers of the simulated scenarios.

The plan is printed and can be saved (--save-plan) and run again (--plan);
the run itself is not deterministic. Every server is stopped at the end,
also when the run fails. A run takes a few seconds and at most a minute.

simrun live list lists the scenarios with their expected verdicts.

Exit status: 0 no safety violation, 1 a violation found, 2 bad usage or an
environment error (a missing binary, a port in use, a server unreachable).`,
		Args: exactlyOne("live scenario name (or list)"),
		RunE: func(c *cobra.Command, args []string) error {
			w := c.OutOrStdout()
			if args[0] == "list" {
				for _, s := range live.All() {
					fmt.Fprintf(w, "%-24s expect %-9s %s\n", s.Name, s.Expect, s.Summary)
				}
				return nil
			}
			sc, err := live.Get(args[0])
			if err != nil {
				return fmt.Errorf("live: %w", err)
			}
			asJSON := form.is("json")
			if basePort < 0 || basePort > 65530 {
				return fmt.Errorf("live: --port %d is not a port", basePort)
			}
			plan := sc.Plan(seed)
			if planIn != "" {
				if c.Flags().Changed("seed") {
					return fmt.Errorf("live: --plan and --seed exclude each other (the plan has its seed)")
				}
				data, err := os.ReadFile(planIn)
				if err != nil {
					return fmt.Errorf("live: --plan: %w", err)
				}
				if plan, err = live.ParsePlan(data); err != nil {
					return fmt.Errorf("live: %s: %w", planIn, err)
				}
				if plan.Scenario != sc.Name {
					return fmt.Errorf("live: %s: the plan is for %s, not %s", planIn, plan.Scenario, sc.Name)
				}
			}
			if planOut != "" {
				if err := os.WriteFile(planOut, plan.Marshal(), 0o644); err != nil {
					return fmt.Errorf("live: --save-plan: %w", err)
				}
			}
			if !asJSON {
				fmt.Fprint(w, plan.String())
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			out, err := live.Run(ctx, sc, plan, live.Options{BasePort: basePort, LinTimeout: linTO, Use: use})
			if err != nil {
				return fmt.Errorf("live %s: %s", sc.Name, oneLine(err))
			}
			if history != "" {
				if err := writeLiveHistory(history, out); err != nil {
					return fmt.Errorf("live: --history: %w", err)
				}
			}
			if trace && !asJSON {
				for _, o := range out.History.Observations {
					fmt.Fprintf(w, "%s %-8s %s\n", sim.FormatTime(o.Time), out.History.Names[o.Node], o.Data)
				}
			}
			if asJSON {
				if err := reports.WriteJSON(w, newLiveJSON(out)); err != nil {
					return err
				}
			} else {
				again := planOut
				if planIn != "" {
					again = planIn
				}
				liveText(w, out, again)
			}
			if out.Verdict == checker.Violation {
				return exitCode(1)
			}
			return nil
		},
	}
	f := c.Flags()
	f.Uint64Var(&seed, "seed", 1, "seed of the fault plan")
	form = formatFlags(c, "text", "json") // JSON: the keys of simrun run --json, and "live"
	f.StringVar(&planIn, "plan", "", "run this saved plan (JSON) instead of drawing one from --seed")
	f.StringVar(&planOut, "save-plan", "", "write the plan of this run to a file (JSON)")
	f.StringVar(&history, "history", "", "write the lock operations as JSON Lines for simrun check --model lock, and every fact to FILE.facts")
	f.BoolVar(&trace, "trace", false, "print every recorded fact with its real time")
	f.IntVar(&basePort, "port", 0, "put the servers on this loopback port and the next ones (default: free ports)")
	f.StringToStringVar(&use, "use", nil, "run against a server already running instead of starting it: NAME=127.0.0.1:PORT (e.g. redis=127.0.0.1:6379); its plan may not kill, stop or restart it")
	linTimeoutFlag(c, &linTO)
	return c
}

// oneLine keeps an error to one line: a server's start-up error may quote
// its log.
func oneLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimPrefix(s, live.ErrSetup.Error()+": ")
}

func newLiveJSON(o *live.Outcome) liveJSON {
	so := &scenarios.Outcome{Scenario: o.Scenario.Name, Seed: o.Plan.Seed, Protocol: o.Scenario.Recipe, Expect: o.Scenario.Expect,
		Stop: "clients-done", Events: o.Facts, SimTime: o.Wall, Results: o.Results, Verdict: o.Verdict}
	j := reports.NewRunJSON(so)
	j.Faults = o.Plan
	j.TraceHash = ""
	j.Reproduce = fmt.Sprintf("%s live %s --seed %d", reports.Program(), o.Scenario.Name, o.Plan.Seed)
	log := o.Log
	if log == nil {
		log = []string{}
	}
	return liveJSON{RunJSON: j, Live: liveInfo{Recipe: o.Scenario.Recipe, Note: liveNote, StandsIn: o.Scenario.StandsIn,
		FaultLog: log, TotalNs: int64(o.Total)}}
}

func liveText(w io.Writer, o *live.Outcome, planFile string) {
	fmt.Fprintf(w, "live run   %s (recipe %s, real servers)\n", o.Scenario.Name, o.Scenario.Recipe)
	fmt.Fprintf(w, "seed       %d\n", o.Plan.Seed)
	fmt.Fprintf(w, "run        clients ran %.2fs (%.2fs with servers starting and stopping), %d facts recorded\n",
		o.Wall.Seconds(), o.Total.Seconds(), o.Facts)
	fmt.Fprintln(w, "faults done")
	for _, l := range o.Log {
		fmt.Fprintf(w, "  %s\n", l)
	}
	if o.Scenario.StandsIn != "" {
		fmt.Fprintf(w, "stands in  %s\n", o.Scenario.StandsIn)
	}
	fmt.Fprintf(w, "note       %s\n", liveNote)
	fmt.Fprintln(w, "checks")
	for _, r := range o.Results {
		fmt.Fprintf(w, "  %-13s %-9s %s\n", r.Checker, r.Verdict, r.Message)
		for _, e := range r.Evidence {
			fmt.Fprintf(w, "      %s\n", e)
		}
	}
	mark := "as expected"
	if !o.AsExpected() {
		mark = fmt.Sprintf("NOT as expected: the scenario expects %s", o.Scenario.Expect)
	}
	fmt.Fprintf(w, "verdict    %s (%s)\n", o.Verdict, mark)
	again := fmt.Sprintf("%s live %s --seed %d", reports.Program(), o.Scenario.Name, o.Plan.Seed)
	if planFile != "" {
		again = fmt.Sprintf("%s live %s --plan %s", reports.Program(), o.Scenario.Name, planFile)
	}
	fmt.Fprintf(w, "run again  %s (the same plan; the run itself may differ)\n", again)
}

// writeLiveHistory writes the lock operations in simrun check's format and
// every fact, one per line, next to it. The format has no expiry: a lease
// that ran out is written as a release by its holder, answered ok at the
// moment the server let it go, which is what it is to the lock.
func writeLiveHistory(path string, o *live.Outcome) error {
	var b strings.Builder
	for _, op := range checker.LockOps(o.History) {
		kind := "acquire"
		if op.Kind != checker.Acquire {
			kind = "release"
		}
		fmt.Fprintf(&b, `{"client": %d, "key": %q, "op": %q, "call": %d`, op.Client, op.Lock, kind, op.Call)
		if !op.Pending {
			fmt.Fprintf(&b, `, "ok": %t, "return": %d`, op.OK, op.Return)
		}
		b.WriteString("}\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return err
	}
	var f strings.Builder
	for _, ob := range o.History.Observations {
		fmt.Fprintf(&f, "%s %-8s %s\n", sim.FormatTime(ob.Time), o.History.Names[ob.Node], ob.Data)
	}
	return os.WriteFile(path+".facts", []byte(f.String()), 0o644)
}
