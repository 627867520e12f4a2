package cli

import (
	"fmt"
	"time"

	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/sim"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// scenarioArg is the SCENARIO argument of a command that runs a scenario —
// a registered scenario's name or a scenario file's path — with the
// options every such command gives its runs: the storage fault
// (--unsynced) and the bound on each linearizability search
// (--lin-timeout).
type scenarioArg struct {
	unsynced string
	linTO    time.Duration
}

// take makes c take one SCENARIO argument, completed from the registered
// scenarios, with --unsynced and --lin-timeout. Call it once c's RunE is
// set: --lin-timeout checks its value before RunE runs.
func (a *scenarioArg) take(c *cobra.Command) {
	c.Args = exactlyOne("scenario name or file")
	c.ValidArgsFunction = completeScenarios
	unsyncedFlag(c.Flags(), &a.unsynced)
	linTimeoutFlag(c, &a.linTO)
}

// load resolves the argument with the storage fault and the search bound
// its flags ask for.
func (a *scenarioArg) load(c *cobra.Command, arg string) (scenarios.Spec, error) {
	spec, err := loadScenario(arg)
	if err != nil {
		return spec, err
	}
	spec.SetLinTimeout(a.linTO)
	return spec, withUnsynced(c.Name(), &spec, a.unsynced)
}

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

// unsyncedNote is the line that says --unsynced was given, which the
// reproducing command lines do not: they name the scenario, not the
// options it ran with. "" without the flag.
func unsyncedNote(mode string) string {
	if mode == "" || mode == "keep" {
		return ""
	}
	return fmt.Sprintf("unsynced   %s: a crash lost writes not yet synced (add --unsynced %s to reproduce)", mode, mode)
}
