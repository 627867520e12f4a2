package cli

import (
	"fmt"
	"os"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/shrink"
	"github.com/spf13/cobra"
)

func init() { subcommands = append(subcommands, newShrink) }

func newShrink() *cobra.Command {
	var (
		seed    uint64
		bug     string
		saveTo  string
		maxRuns int
		p       presentation
	)
	c := &cobra.Command{
		Use:   "shrink SCENARIO --seed N",
		Short: "Shrink a failing run to the fewest faults that still make it fail",
		Long: `Run one seed; if it violates a checker, remove timed fault actions and
triggers (delta debugging) as long as one of the same checkers still
reports a violation. Prints the minimal fault schedule and the run it
gives; --save writes that run as a run file for simrun replay.
Exit status 1 when the minimal run fails (the usual case), 2 when the seed
has no violation to shrink.`,
		Args: exactlyOne("scenario name or file"),
		RunE: func(c *cobra.Command, args []string) error {
			if !c.Flags().Changed("seed") {
				return fmt.Errorf("shrink: --seed is required")
			}
			if maxRuns < 0 {
				return fmt.Errorf("shrink: --max-runs must be positive, got %d", maxRuns)
			}
			spec, err := loadScenario(args[0])
			if err != nil {
				return err
			}
			res, err := shrink.Shrink(spec, seed, bug, maxRuns)
			if err != nil {
				return fmt.Errorf("shrink: %v", err)
			}
			w := c.OutOrStdout()
			fmt.Fprintf(w, "shrunk     %d faults to %d in %d runs, keeping a violation of %v\n",
				faultCount(res.Original), faultCount(res.Minimal), res.Runs, res.Checkers)
			fmt.Fprint(w, "minimal fault schedule\n", res.Minimal.String())
			if saveTo != "" {
				if err := os.WriteFile(saveTo, scenarios.Record(res.Outcome).Marshal(), 0o644); err != nil {
					return fmt.Errorf("shrink: --save: %v", err)
				}
				p.epilogue = fmt.Sprintf("saved      %s (%s replay %s)", saveTo, programOf(c), saveTo)
			}
			return present(c, res.Outcome, p)
		},
	}
	f := c.Flags()
	f.Uint64Var(&seed, "seed", 0, "seed of the failing run (required)")
	f.StringVar(&bug, "bug", "", "planted bug of the protocol, as in the failing run")
	f.StringVar(&saveTo, "save", "", "write the minimal run as a run file for simrun replay")
	f.IntVar(&maxRuns, "max-runs", 2000, "give up refining after this many runs")
	addHTMLFlags(c, &p)
	return c
}

// faultCount counts the faults a schedule injects: its actions other than
// the liveness phase's heal-all, and its triggers.
func faultCount(s faults.Schedule) int {
	n := len(s.Triggers)
	for _, a := range s.Actions {
		if a.Kind != faults.HealAll {
			n++
		}
	}
	return n
}
