package cli

import (
	"fmt"

	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/sim"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// unsyncedFlag adds --unsynced, the storage fault, to a command that runs
// a scenario.
func unsyncedFlag(f *pflag.FlagSet, mode *string) {
	f.StringVar(mode, "unsynced", "", "what a crash does to writes not yet synced: keep (default), lose (all) or torn (a seeded subset)")
}

// withUnsynced sets the storage fault on every run of the scenario (its
// plan carries it, so saved runs and shrunk schedules keep it).
func withUnsynced(cmd string, spec *scenarios.Spec, mode string) error {
	if mode == "" {
		return nil
	}
	if _, err := sim.ParseUnsynced(mode); err != nil {
		return fmt.Errorf("%s: --%w", cmd, err)
	}
	spec.Faults.Unsynced = mode
	return nil
}

// scenarioOf loads a command's scenario argument with the storage fault
// its --unsynced asks for.
func scenarioOf(c *cobra.Command, arg, unsynced string) (scenarios.Spec, error) {
	spec, err := loadScenario(arg)
	if err != nil {
		return spec, err
	}
	return spec, withUnsynced(c.Name(), &spec, unsynced)
}

// unsyncedNote is the line that says --unsynced was given, which the
// reproducing command lines do not: they name the scenario, not the
// options it ran with. "" without the flag.
func unsyncedNote(mode string) string {
	if mode == "" || mode == "keep" {
		return ""
	}
	return fmt.Sprintf("unsynced   %s: a crash lost writes not yet synced (add --unsynced %s to reproduce)", mode, mode)
}
