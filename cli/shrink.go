package cli

import (
	"fmt"
	"os"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/internal/reports"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/internal/shrink"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/spf13/cobra"
)

func newShrink() *cobra.Command {
	var (
		seed    uint64
		bug     string
		saveTo  string
		maxRuns int
		p       presentation
		sc      scenarioArg
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
		RunE: func(c *cobra.Command, args []string) error {
			spec, err := sc.load(c, args[0])
			if err != nil {
				return err
			}
			res, err := shrink.Shrink(spec, seed, bug, maxRuns)
			if err != nil {
				return fmt.Errorf("shrink: %v", err)
			}
			if saveTo != "" {
				if err := os.WriteFile(saveTo, scenarios.Record(res.Outcome).Marshal(), 0o644); err != nil {
					return fmt.Errorf("shrink: --save: %w", err)
				}
				p.epilogue = fmt.Sprintf("saved      %s (%s replay %s)", saveTo, programOf(c), saveTo)
			}
			w := c.OutOrStdout()
			if p.out.is("json") {
				// The minimal run's JSON, and what shrinking did.
				j := shrinkJSON{Run: reports.NewRunJSON(res.Outcome), Original: faultCount(res.Original), Minimal: faultCount(res.Minimal),
					Runs: res.Runs, Checkers: res.Checkers, Schedule: res.Minimal, Saved: saveTo}
				if err := reports.WriteJSON(w, j); err != nil {
					return err
				}
				writeRunVisualizations(c.ErrOrStderr(), p.vizDir, res.Outcome)
				if res.Outcome.Verdict == checker.Violation {
					return exitCode(1)
				}
				return nil
			}
			if p.out.is("text") {
				fmt.Fprintf(w, "shrunk     %d faults to %d in %d runs, keeping a violation of %v\n",
					faultCount(res.Original), faultCount(res.Minimal), res.Runs, res.Checkers)
				fmt.Fprint(w, "minimal fault schedule\n", res.Minimal.String())
			}
			return present(c, res.Outcome, p)
		},
	}
	seedFlag(c, &seed, 0, true, "seed of the failing run (required)")
	bugFlag(c, &bug)
	c.Flags().StringVar(&saveTo, "save", "", "write the minimal run as a run file for simrun replay")
	countFlag(c, &maxRuns, "max-runs", 2000, "give up refining after this many runs")
	sc.take(c)
	addPresentation(c, &p)
	return c
}

// shrinkJSON is shrink --json.
type shrinkJSON struct {
	Run      reports.RunJSON `json:"run"` // the run with the minimal schedule
	Original int             `json:"original_faults"`
	Minimal  int             `json:"minimal_faults"`
	Runs     int             `json:"runs"`
	Checkers []string        `json:"checkers"` // the violations that had to stay
	Schedule faults.Schedule `json:"minimal_schedule"`
	Saved    string          `json:"saved,omitempty"`
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
