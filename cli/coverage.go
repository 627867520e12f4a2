package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/faultline-sim/faultline/internal/coverage"
	"github.com/faultline-sim/faultline/internal/reports"
	"github.com/spf13/cobra"
)

type coverageJSON struct {
	Scenario      string         `json:"scenario"`
	Protocol      string         `json:"protocol"`
	Bug           string         `json:"bug,omitempty"`
	From          uint64         `json:"from"`
	To            uint64         `json:"to"`
	Runs          int            `json:"runs"`
	Facts         map[string]int `json:"facts"`
	Values        map[string]int `json:"values"`
	Messages      map[string]int `json:"messages"`
	NeverFacts    []string       `json:"never_facts"`
	NeverValues   []string       `json:"never_values"`
	NeverMessages []string       `json:"never_messages"`
	UniverseFrom  []string       `json:"universe_scenarios"`
	UniverseSeeds uint64         `json:"universe_seeds"`
}

func newCoverage() *cobra.Command {
	var (
		seeds    seedRange
		bug      string
		uniSeeds int
		out      *output
	)
	c := &cobra.Command{
		Use:   "coverage SCENARIO --seeds A-B",
		Short: "Count the fact kinds, fact values and message types a range of seeds exercised, and list those never seen",
		Long: `Run every seed of a range and count, for the scenario's protocol, how often
each fact kind was recorded, each value of each enumerated or boolean
attribute of those kinds (its state transitions as the facts name them:
"decide via=termination", "cs-leave why=lost", "vote yes=false"), and each
message type sent. Then list what never occurred: values are those the
vocabulary declares for every kind the protocol records; kinds and message
types are those the protocol records or sends in any of its registered
scenarios over the first --universe-seeds seeds.

Exit status: 0, or 2 on bad usage.`,
		Args:              exactlyOne("scenario name or file"),
		ValidArgsFunction: completeScenarios,
		RunE: func(c *cobra.Command, args []string) error {
			spec, err := loadScenario(args[0])
			if err != nil {
				return err
			}
			from, to := seeds.from, seeds.to
			t, err := coverage.Collect(spec, coverage.Options{From: from, To: to, Bug: bug})
			if err != nil {
				return err
			}
			u, err := coverage.UniverseOf(t.Protocol, uint64(uniSeeds))
			if err != nil {
				return err
			}
			j := coverageJSON{Scenario: spec.Name, Protocol: t.Protocol, Bug: bug, From: from, To: to, Runs: t.Runs,
				Facts: t.Facts, Values: t.Values, Messages: t.Messages, UniverseFrom: u.Scenarios, UniverseSeeds: uint64(uniSeeds)}
			j.NeverFacts, j.NeverValues, j.NeverMessages = t.Missing(u)
			if out.is("json") {
				return reports.WriteJSON(c.OutOrStdout(), j)
			}
			coverageText(c.OutOrStdout(), j)
			return nil
		},
	}
	seedsFlag(c, &seeds, "", "seed range A-B, inclusive (required)")
	bugFlag(c, &bug)
	countFlag(c, &uniSeeds, "universe-seeds", 3, "seeds of each of the protocol's scenarios that define what it can record and send")
	out = formatFlags(c, "text", "json")
	return c
}

func coverageText(w io.Writer, j coverageJSON) {
	fmt.Fprintf(w, "scenario  %s (protocol %s), seeds %d-%d (%d runs)\n", j.Scenario, j.Protocol, j.From, j.To, j.Runs)
	fmt.Fprintf(w, "universe  fact kinds and messages of %d scenarios of %s, seeds 1-%d each; values from the vocabulary\n", len(j.UniverseFrom), j.Protocol, j.UniverseSeeds)
	section := func(title string, m map[string]int) {
		fmt.Fprintf(w, "%s\n", title)
		for _, line := range coverage.Counts(m) {
			fmt.Fprintf(w, "  %s\n", line)
		}
	}
	section("facts", j.Facts)
	section("values", j.Values)
	section("messages", j.Messages)
	never := func(what string, xs []string) {
		if len(xs) == 0 {
			fmt.Fprintf(w, "never     %s: none\n", what)
			return
		}
		fmt.Fprintf(w, "never     %s: %s\n", what, strings.Join(xs, ", "))
	}
	never("fact kinds", j.NeverFacts)
	never("fact values", j.NeverValues)
	never("messages", j.NeverMessages)
}
