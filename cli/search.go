package cli

import (
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/faultline-sim/faultline/internal/guided"
	"github.com/spf13/cobra"
)

func newSearch() *cobra.Command {
	var (
		bug, saveFaults string
		sc              scenarioArg
		budget, trials  int
		seed            uint64
		compare         bool
	)
	c := &cobra.Command{
		Use:   "search SCENARIO --bug NAME | search --compare",
		Short: "Coverage-guided search for a fault schedule that breaks the scenario",
		Long: `Coverage-guided search: keep a corpus of fault schedules, mutate them (add,
remove, shift or retarget a fault, move a crash to another effect boundary
inside a handler) and favour those that reached new coverage (per role:
facts recorded, sends by message type, writes by key prefix, which followed
which, after which a node crashed). Stops at the first run whose verdict is
not the scenario's expected one; --save-faults writes its schedule for
simrun run --faults. Exit status 1 if one is found.

--compare measures runs to first detection of every planted bug of the
catalog whose means is a random-fault sweep: random (every fault kind on),
swarm (each seed picks its kinds) and guided, median over --trials.`,
		ValidArgsFunction: completeScenarios,
		RunE: func(c *cobra.Command, args []string) error {
			w := c.OutOrStdout()
			if compare {
				if len(args) > 0 {
					return fmt.Errorf("search: --compare takes no scenario")
				}
				rows, err := guided.Compare(budget, trials)
				if err != nil {
					return fmt.Errorf("search: %w", err)
				}
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "PROTOCOL\tBUG\tSCENARIO\tRANDOM\tSWARM\tGUIDED")
				for _, r := range rows {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%g\t%g\t%g\n", r.Protocol, r.Bug, r.Scenario, r.Runs[guided.Random], r.Runs[guided.Swarm], r.Runs[guided.Guided])
				}
				slow := func(r guided.Row) bool { return r.Runs[guided.Random] > 20 }
				fmt.Fprintf(tw, "median\t\t\t%g\t%g\t%g\n", guided.Median(rows, guided.Random, nil), guided.Median(rows, guided.Swarm, nil), guided.Median(rows, guided.Guided, nil))
				fmt.Fprintf(tw, "median, random > 20\t\t\t%g\t%g\t%g\n", guided.Median(rows, guided.Random, slow), guided.Median(rows, guided.Swarm, slow), guided.Median(rows, guided.Guided, slow))
				fmt.Fprintf(tw, "(runs to first detection, median of %d trials of at most %d runs; %d = not found)\n", trials, budget, budget+1)
				return tw.Flush()
			}
			if len(args) != 1 {
				return fmt.Errorf("search: one scenario expected (or --compare)")
			}
			spec, err := sc.load(c, args[0])
			if err != nil {
				return err
			}
			res, err := guided.Search(spec, guided.Options{Bug: bug, Budget: budget, Seed: seed})
			if err != nil {
				return fmt.Errorf("search: %w", err)
			}
			fmt.Fprintf(w, "scenario  %s\nruns      %d (corpus %d schedules, %d coverage features)\n", spec.Name, res.Runs, res.Corpus, res.Coverage)
			if !res.Found {
				fmt.Fprintf(w, "found     nothing within %d runs\n", budget)
				return nil
			}
			o := res.Outcome
			fmt.Fprintf(w, "found     %s at run %d (workload seed %d, %d faults)\n", o.Verdict, res.Runs, res.RunSeed, len(o.Schedule.Actions))
			for _, r := range o.Results {
				if r.Verdict != "ok" {
					fmt.Fprintf(w, "  %-13s %s %s\n", r.Checker, r.Verdict, r.Message)
				}
			}
			if saveFaults != "" {
				if err := os.WriteFile(saveFaults, o.Schedule.MarshalIndent(), 0o644); err != nil {
					return fmt.Errorf("search: --save-faults: %w", err)
				}
				fmt.Fprintf(w, "reproduce %s run %s --seed %d --faults %s", programOf(c), spec.Name, res.RunSeed, saveFaults)
				if bug != "" {
					fmt.Fprintf(w, " --bug %s", bug)
				}
				fmt.Fprintln(w)
			}
			return exitCode(1)
		},
	}
	f := c.Flags()
	bugFlag(c, &bug)
	countFlag(c, &budget, "budget", 300, "at most this many runs (per trial with --compare)")
	seedFlag(c, &seed, 1, false, "the search's own random seed")
	f.StringVar(&saveFaults, "save-faults", "", "write the schedule of the run that found something")
	f.BoolVar(&compare, "compare", false, "measure random, swarm and guided search on the planted-bug catalog")
	countFlag(c, &trials, "trials", 5, "trials per bug and strategy with --compare")
	unsyncedFlag(f, &sc.unsynced)
	return c
}
