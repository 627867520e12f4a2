package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/internal/reports"
	"github.com/faultline-sim/faultline/internal/sweep"
	"github.com/spf13/cobra"
)

func newSweep() *cobra.Command {
	var (
		seeds   seedRange
		workers int
		bug     string
		sc      scenarioArg
		htmlOut string
		out     *output
		shard   string
		rows    string
		detK    int
	)
	c := &cobra.Command{
		Use:   "sweep SCENARIO --seeds A-B",
		Short: "Run a scenario over a range of seeds in parallel and count verdicts",
		Long: `Run every seed of a range, one world per core, and print verdict counts and
the first failing seeds, each with the simrun run command that reproduces it.
Results are identical for any --workers. Each listed failure is re-run twice
with its full trace to confirm it reproduces with the same trace hash.`,
		RunE: func(c *cobra.Command, args []string) (err error) {
			spec, err := sc.load(c, args[0])
			if err != nil {
				return err
			}
			from, to := seeds.from, seeds.to
			opts := sweep.Options{From: from, To: to, Workers: workers, Bug: bug, CheckDeterminism: detK}
			if shard != "" {
				if opts.Shard, opts.Shards, err = sweep.ParseShard(shard); err != nil {
					return err
				}
			}
			if rows != "" {
				rw, err := newRowWriter(rows)
				if err != nil {
					return err
				}
				opts.Rows = rw.write
				defer func() {
					if cerr := rw.close(); cerr != nil && err == nil {
						err = cerr
					}
				}()
			}
			prog := newProgress(c.ErrOrStderr(), spec.Name)
			opts.Progress = prog.Update
			stop := onInterrupt(c.ErrOrStderr())
			defer stop.Close()
			opts.Stop = stop.Stopped
			tuneGC()
			start := time.Now()
			res, err := sweep.Sweep(spec, opts)
			prog.Finish()
			if err != nil {
				return err
			}
			elapsed := time.Since(start)
			w := c.OutOrStdout()
			switch {
			case out.is("json"):
				if err := reports.WriteJSON(w, reports.NewSweepJSON(res, elapsed)); err != nil {
					return err
				}
			case out.is("html"):
				if err := reports.SweepHTML(w, res, elapsed); err != nil {
					return err
				}
			default:
				reports.SweepText(w, res, elapsed)
				if note := unsyncedNote(sc.unsynced); note != "" {
					fmt.Fprintln(w, note)
				}
			}
			note := c.ErrOrStderr() // keep stdout one document
			if out.is("text") {
				note = w
			}
			if htmlOut != "" {
				if err := writeFile(htmlOut, func(f io.Writer) error { return reports.SweepHTML(f, res, elapsed) }); err != nil {
					return fmt.Errorf("sweep: --html: %w", err)
				}
				fmt.Fprintf(note, "html      %s\n", htmlOut)
			}
			if err := reportReruns(w, c.ErrOrStderr(), res, !out.is("text")); err != nil {
				return err
			}
			if res.Stopped {
				fmt.Fprintln(note, stoppedSweep(res, to))
				return interrupted
			}
			if res.Counts[checker.Violation] > 0 {
				return exitCode(1)
			}
			return nil
		},
	}
	seedsFlag(c, &seeds, "", "seed range A-B, inclusive (required)")
	workersFlag(c, &workers)
	bugFlag(c, &bug)
	sc.take(c)
	out = formatFlags(c, "text", "json", "html")
	f := c.Flags()
	f.StringVar(&htmlOut, "html", "", "also write an HTML report with charts (verdicts, violations by checker, seeds to first detection) to this file")
	f.StringVar(&shard, "shard", "", "run only shard i/n of the range: seeds A+i, A+i+n, ... (combine the shards' --json with simrun merge)")
	optionalCountFlag(c, &detK, "check-determinism", "run K seeds of the range again (chosen from the range, the same each time) and exit 1 naming the first whose trace hash differs")
	f.StringVar(&rows, "rows", "", "write every seed's verdict to this file as JSON Lines, in seed order")
	return c
}

// reportReruns says how --check-determinism went: exit status 1, naming
// the seed and how to run it, if a seed's trace hash differed when it was
// run again.
func reportReruns(out, errOut io.Writer, res *sweep.Result, document bool) error {
	if x, differ := res.Differing(); differ {
		fmt.Fprintf(errOut, "sweep: not deterministic: seed %d had trace hash %s in the sweep and %s when run again\n  %s\n",
			x.Seed, x.SweepHash, x.RerunHash, reports.Reproduce(res.Scenario, x.Seed, res.Bug))
		return exitCode(1)
	}
	if len(res.Reruns) > 0 && !document {
		fmt.Fprintf(out, "determinism: %d seeds run again with their trace stored, same trace hashes as in the sweep\n", len(res.Reruns))
	}
	return nil
}

// stoppedSweep says which seeds an interrupted sweep covered.
func stoppedSweep(res *sweep.Result, asked uint64) string {
	if res.Total == 0 {
		return fmt.Sprintf("interrupted: no seed of %d-%d finished", res.From, asked)
	}
	return fmt.Sprintf("interrupted: seeds %d-%d covered (%d of the %d asked, %d-%d); the results above are for those only",
		res.From, res.To, res.Total, asked-res.From+1, res.From, asked)
}
