package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/faultline-sim/faultline/internal/catalog"
	"github.com/faultline-sim/faultline/internal/reports"
	"github.com/spf13/cobra"
)

// bugCheckJSON is one entry of `simrun bugs --check --json`.
type bugCheckJSON struct {
	catalog.Entry
	Caught  bool   `json:"caught"`
	Seed    uint64 `json:"seed,omitempty"`
	Runs    int    `json:"runs"`
	Checker string `json:"checker,omitempty"`
}

func newBugs() *cobra.Command {
	var (
		out   *output
		check bool
		limit int
	)
	c := &cobra.Command{
		Use:   "bugs [--check]",
		Short: "List the planted-bug catalog: every planted bug and the means that must catch it",
		Long: `List every planted bug of every protocol and of the kernel with the means
that must catch it: a scenario over a budget of seeds (a random-fault
sweep, or a scripted scenario whose expected verdict the bug overturns),
or crash points at effect boundaries, and the command that runs it.
--check runs each means until it catches its bug (at most its budget, or
--limit) and prints the seed or runs it took; exit status 1 if one
escapes.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			asJSON := out.is("json")
			all := catalog.All()
			w := c.OutOrStdout()
			if !check {
				if asJSON {
					return reports.WriteJSON(w, all)
				}
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "PROTOCOL\tBUG\tCAUGHT BY")
				for _, e := range all {
					fmt.Fprintf(tw, "%s\t%s\t%s\n", e.Protocol, e.Bug, e.Means.Command(e.Bug))
				}
				fmt.Fprintf(tw, "\n%d planted bugs\n", len(all))
				return tw.Flush()
			}
			var rows []bugCheckJSON
			escaped := 0
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			if !asJSON {
				fmt.Fprintln(tw, "PROTOCOL\tBUG\tCAUGHT\tAFTER\tBY")
			}
			for _, e := range all {
				got, err := e.Catch(limit)
				if err != nil {
					return fmt.Errorf("bugs: %s: %w", e.Bug, err)
				}
				if !got.Caught {
					escaped++
				}
				rows = append(rows, bugCheckJSON{Entry: e, Caught: got.Caught, Seed: got.Seed, Runs: got.Runs, Checker: got.Checker})
				if !asJSON {
					after := fmt.Sprintf("%d runs", got.Runs)
					if got.Seed > 0 {
						after = fmt.Sprintf("seed %d", got.Seed)
					}
					fmt.Fprintf(tw, "%s\t%s\t%v\t%s\t%s\n", e.Protocol, e.Bug, got.Caught, after, got.Checker)
				}
			}
			if asJSON {
				if err := reports.WriteJSON(w, rows); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(tw, "\n%d of %d caught\n", len(all)-escaped, len(all))
				if err := tw.Flush(); err != nil {
					return err
				}
			}
			if escaped > 0 {
				return exitCode(1)
			}
			return nil
		},
	}
	f := c.Flags()
	out = formatFlags(c, "text", "json")
	f.BoolVar(&check, "check", false, "run each bug's means and report what caught it")
	optionalCountFlag(c, &limit, "limit", "spend at most this many seeds or points per kind on each means (default: its budget)")
	return c
}
