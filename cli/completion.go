package cli

import (
	"slices"
	"strings"

	"github.com/faultline-sim/faultline/scenarios"
	"github.com/spf13/cobra"
)

// Shell completion (the completion command is cobra's): scenario names and
// scenario files for a command's scenario argument, a scenario's planted
// bugs for --bug, and the names --protocols, --fault-classes, --model and
// --format take.

// completeScenarios offers the registered scenarios, then files.
func completeScenarios(_ *cobra.Command, args []string, prefix string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, s := range scenarios.All() {
		if strings.HasPrefix(s.Name, prefix) {
			out = append(out, s.Name+"\t"+strings.TrimSpace(s.Description))
		}
	}
	return out, cobra.ShellCompDirectiveDefault // and files: a scenario may be a path
}

// completeBugs offers the planted bugs of the command's scenario, or of
// every scenario when none is given yet.
func completeBugs(c *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	var from []scenarios.Spec
	if len(args) > 0 {
		if s, err := loadScenario(args[0]); err == nil {
			from = []scenarios.Spec{s}
		}
	}
	if from == nil {
		from = scenarios.All()
	}
	var out []string
	for _, s := range from {
		for _, b := range bugCatalog(s.System) {
			if !slices.ContainsFunc(out, func(o string) bool { return strings.HasPrefix(o, b.Name+"\t") }) {
				out = append(out, b.Name+"\t"+b.Description)
			}
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
