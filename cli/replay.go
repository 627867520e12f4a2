package cli

import (
	"fmt"
	"os"
	"time"

	"github.com/faultline-sim/faultline/scenarios"
	"github.com/spf13/cobra"
)

func newReplay() *cobra.Command {
	var (
		p     presentation
		linTO time.Duration
	)
	c := &cobra.Command{
		Use:   "replay RUNFILE",
		Short: "Replay a run saved with simrun run --save and check it is bit-identical",
		Long: `Replay a saved run: the same scenario, seed, planted bug and fault schedule.
The replay must produce the very same trace (same trace hash); if it does
not — the code or the scenario changed since the file was saved — simrun
says so and exits with status 2. Otherwise the exit status is the run's:
0 no safety violation, 1 a violation.`,
		Args: exactlyOne("run file"),
		RunE: func(c *cobra.Command, args []string) error {
			data, err := os.ReadFile(args[0])
			if err != nil {
				return fmt.Errorf("replay: %w", err)
			}
			f, err := scenarios.ParseRunFile(data)
			if err != nil {
				return fmt.Errorf("replay: %s: %w", args[0], err)
			}
			out, err := scenarios.Replay(f, linTO)
			if err != nil {
				return fmt.Errorf("replay: %s: %w", args[0], err)
			}
			if out.TraceHash != f.TraceHash {
				if p.out.is("text") {
					_ = present(c, out, p)
				}
				return fmt.Errorf("replay: %s diverged: saved trace hash %s, this run %s (the code or the scenario changed since it was saved)", args[0], f.TraceHash, out.TraceHash)
			}
			p.epilogue = fmt.Sprintf("replay      identical to the saved run (trace hash %s)", f.TraceHash)
			return present(c, out, p)
		},
	}
	linTimeoutFlag(c, &linTO)
	addPresentation(c, &p)
	return c
}
