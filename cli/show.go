package cli

import (
	"errors"
	"fmt"

	"github.com/faultline-sim/faultline"
	"github.com/faultline-sim/faultline/internal/reports"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/spf13/cobra"
)

func newShow() *cobra.Command {
	return &cobra.Command{
		Use:   "show SCENARIO",
		Short: "Print a scenario's file, to copy and edit",
		Long: `Print a scenario as a scenario file: a built-in's own file, or the file
form of a scenario a protocol package registered. Save it, edit it and run
it by path:

  simrun show 2pc-coordinator-crash > my.yaml
  simrun run my.yaml --seed 1`,
		Args:              exactlyOne("scenario name"),
		ValidArgsFunction: completeScenarios,
		RunE: func(c *cobra.Command, args []string) error {
			if b, ok := scenarios.BuiltinFile(args[0]); ok {
				_, err := c.OutOrStdout().Write(b)
				return err
			}
			s, err := loadScenario(args[0])
			if err != nil {
				return fmt.Errorf("show: %w", err)
			}
			b, err := scenarios.EncodeSpec(s)
			if err != nil {
				return fmt.Errorf("show: %w", err)
			}
			_, err = c.OutOrStdout().Write(b)
			return err
		},
	}
}

// loadScenario resolves a command's scenario argument: the name of a
// registered scenario, or else the path of a scenario file, named by its
// path so the reproduce lines its reports print name the file.
func loadScenario(arg string) (scenarios.Spec, error) {
	s, err := faultline.Load(arg)
	if errors.Is(err, scenarios.ErrUnknownScenario) {
		return s, fmt.Errorf("%w (%s list shows them all)", err, reports.Program())
	}
	return s, err
}
