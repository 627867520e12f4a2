package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/internal/explore"
	"github.com/faultline-sim/faultline/internal/reports"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/spf13/cobra"
)

func newCrashPoints() *cobra.Command {
	var (
		o       explore.Options
		out     *output
		saveDir string
		sc      scenarioArg
	)
	c := &cobra.Command{
		Use:   "crashpoints SCENARIO [--seed N]",
		Short: "Crash each node between the effects of its handlers, one run per crash point",
		Long: `Systematic crash-point enumeration at effect boundaries. One run of the
scenario without its random faults lists every effect each node's handlers
perform: durable writes, sends, timers set or cancelled, facts recorded.
A crash point is a node right after one of its writes or sends (with the
timers and records that follow it, which no crash can separate from it),
named by the node's handler run and the effect within it — whether or not
an observation sits there. Points are sampled per node and effect kind
("put prepared/", "send Vote", "observe votes-in"; --per-kind each, spread
over the run), and every sampled point gets a run of its own with exactly
that crash — inside the handler, so what the node would have done next in
that step is lost — and, with --restart-after, a restart. Prints how many
boundaries exist, how many are distinct and how many were run, the verdict
counts and the crash points that break a checker; --save-dir writes each of
those as a run file for simrun replay. Exit status 1 if any crash point
gives a violation.`,
		RunE: func(c *cobra.Command, args []string) error {
			asJSON := out.is("json")
			if o.RestartAfter < 0 {
				return fmt.Errorf("crashpoints: --restart-after must not be negative, got %v", o.RestartAfter)
			}
			spec, err := sc.load(c, args[0])
			if err != nil {
				return err
			}
			if saveDir != "" {
				if err := os.MkdirAll(saveDir, 0o755); err != nil {
					return fmt.Errorf("crashpoints: --save-dir: %w", err)
				}
			}
			prog := newProgress(c.ErrOrStderr(), spec.Name+" crash points")
			o.Progress = prog.Update
			stop := onInterrupt(c.ErrOrStderr())
			defer stop.Close()
			o.Stop = stop.Stopped
			res, err := explore.CrashPoints(spec, o)
			prog.Finish()
			if err != nil {
				return fmt.Errorf("crashpoints: %v", err)
			}
			if res.Stopped && asJSON {
				fmt.Fprintf(c.ErrOrStderr(), "interrupted: crash points 1-%d of %d covered; the results are for those only\n", len(res.Runs), res.Points)
			}
			failing := []explore.Outcome{}
			for _, r := range res.Runs {
				if r.Verdict == checker.Violation {
					failing = append(failing, r)
				}
			}
			saved := map[int]string{}
			if saveDir != "" {
				for i, r := range failing {
					if i == reports.ListedSeeds {
						break
					}
					plan := r.Faults
					out, err := scenarios.Run(spec, scenarios.Options{Seed: o.Seed, Bug: o.Bug, Schedule: &plan})
					if err != nil {
						return err
					}
					name := filepath.Join(saveDir, fmt.Sprintf("crashpoint-%d.json", i+1))
					if err := os.WriteFile(name, scenarios.Record(out).Marshal(), 0o644); err != nil {
						return fmt.Errorf("crashpoints: --save-dir: %w", err)
					}
					saved[i] = name
				}
			}
			w := c.OutOrStdout()
			if asJSON {
				if err := reports.WriteJSON(w, map[string]any{
					"scenario": res.Scenario, "seed": o.Seed, "bug": o.Bug, "points": res.Points,
					"boundaries": res.Boundaries, "distinct": res.Distinct,
					"ok": res.Counts[checker.OK], "blocked": res.Counts[checker.Blocked],
					"violation": res.Counts[checker.Violation], "unknown": res.Counts[checker.Unknown],
					"failing": failing, "stopped": res.Stopped, "covered": len(res.Runs),
				}); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(w, "scenario  %s, seed %d", res.Scenario, o.Seed)
				if o.Bug != "" {
					fmt.Fprintf(w, ", planted bug %s", o.Bug)
				}
				fmt.Fprintf(w, "\nboundaries %d effect boundaries, %d distinct", res.Boundaries, res.Distinct)
				if res.Stopped {
					fmt.Fprintf(w, "\npoints    %d crash points (interrupted: the first %d run)", res.Points, len(res.Runs))
				} else {
					fmt.Fprintf(w, "\npoints    %d crash points run", res.Points)
				}
				if o.RestartAfter > 0 {
					fmt.Fprintf(w, ", each crashed node restarted after %v", o.RestartAfter)
				}
				fmt.Fprintf(w, "\nverdicts  ok %d, blocked %d, violation %d, unknown %d\n",
					res.Counts[checker.OK], res.Counts[checker.Blocked], res.Counts[checker.Violation], res.Counts[checker.Unknown])
				for i, r := range failing {
					if i == reports.ListedSeeds {
						fmt.Fprintf(w, "  ... %d more\n", len(failing)-i)
						break
					}
					fmt.Fprintf(w, "  %s\n      %s: %s\n", r.Point, r.Failures[0].Checker, r.Failures[0].Message)
					if name, ok := saved[i]; ok {
						fmt.Fprintf(w, "      %s replay %s\n", programOf(c), name)
					}
				}
			}
			if res.Stopped {
				return interrupted
			}
			if res.Counts[checker.Violation] > 0 {
				return exitCode(1)
			}
			return nil
		},
	}
	f := c.Flags()
	seedFlag(c, &o.Seed, 1, false, "seed of the runs (workload and network draws)")
	bugFlag(c, &o.Bug)
	f.DurationVar(&o.RestartAfter, "restart-after", 0, "restart each crashed node after this long (default: never, but a liveness phase restarts it)")
	sc.take(c)
	countFlag(c, &o.PerKind, "per-kind", 25, "crash points per node and effect kind, spread over the run")
	listFlag(c, &o.Nodes, "nodes", "only crash these nodes (comma-separated; default every node)", nil)
	out = formatFlags(c, "text", "json")
	f.StringVar(&saveDir, "save-dir", "", "write a run file per failing crash point (first 20) to this directory (created if missing)")
	return c
}
