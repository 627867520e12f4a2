package cli

import (
	"fmt"
	"strings"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/internal/catalog"
	"github.com/faultline-sim/faultline/internal/reports"
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/plant"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/spf13/cobra"
)

// scenarioJSON is one scenario as `simrun list --json` shows it.
type scenarioJSON struct {
	Name        string        `json:"name"`
	Description string        `json:"description"`
	Protocol    string        `json:"protocol"`
	Expect      string        `json:"expect"`
	BySweep     bool          `json:"expect_by_sweep"`
	PlantedBugs []string      `json:"planted_bugs"`
	Bugs        []bugJSON     `json:"bugs"` // the planted bugs with what each does
	Checkers    []checkerJSON `json:"checkers"`
}

type bugJSON struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

type checkerJSON struct {
	Name  string        `json:"name"`
	Class checker.Class `json:"class"`
	Needs []string      `json:"needs"`
}

func newList() *cobra.Command {
	var out *output
	c := &cobra.Command{
		Use:   "list",
		Short: "List the scenarios with their descriptions and expected outcomes",
		Long: `List the scenarios with their descriptions and expected outcomes. With
--json: every scenario's description, protocol, expected verdict, planted
bugs (with what each does) and checkers (name, class, the fact kinds each needs), and the fact vocabulary
(as simrun facts --json).`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if !out.is("json") {
				for _, s := range scenarios.All() {
					fmt.Fprintln(c.OutOrStdout(), scenarios.Describe(s))
				}
				return nil
			}
			var out struct {
				Scenarios []scenarioJSON  `json:"scenarios"`
				Facts     []obs.KindInfo  `json:"facts"`
				Bugs      []catalog.Entry `json:"planted_bugs"` // as simrun bugs --json
			}
			for _, s := range scenarios.All() {
				j := scenarioJSON{Name: s.Name, Description: s.Description, Protocol: s.System.Protocol(), Expect: string(s.Expect),
					BySweep: s.ExpectsBySweep(), PlantedBugs: append([]string{}, s.System.PlantedBugs()...), Bugs: []bugJSON{}, Checkers: []checkerJSON{}}
				for _, b := range bugCatalog(s.System) {
					j.Bugs = append(j.Bugs, bugJSON{Name: b.Name, Description: b.Description})
				}
				for _, ck := range s.Checkers() {
					j.Checkers = append(j.Checkers, checkerJSON{Name: ck.Name(), Class: ck.Class(), Needs: ck.Needs()})
				}
				out.Scenarios = append(out.Scenarios, j)
			}
			out.Facts = obs.Vocabulary()
			out.Bugs = catalog.All()
			return reports.WriteJSON(c.OutOrStdout(), out)
		},
	}
	out = formatFlags(c, "text", "json")
	return c
}

func newFacts() *cobra.Command {
	var out *output
	c := &cobra.Command{
		Use:   "facts",
		Short: "List the fact vocabulary: every kind protocols record, with its attributes",
		Long: `List the fact vocabulary: every kind of fact protocols record, what it
means, and its attributes with their types (string, bool, int, duration,
count, or enum with its values). A fault trigger names a kind in "on" and
attributes in "where":

  {"on": "votes-in", "node": "coordinator", "where": {"all-yes": "true"},
   "do": [{"kind": "crash", "node": "coordinator"}]}

simrun run --faults refuses a kind, attribute or value not listed here.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			v := obs.Vocabulary()
			if out.is("json") {
				return reports.WriteJSON(c.OutOrStdout(), v)
			}
			w := c.OutOrStdout()
			for _, k := range v {
				fmt.Fprintf(w, "%-19s %s\n", k.Name, k.Doc)
				for _, a := range k.Attrs {
					name := a.Name
					for _, al := range a.Aliases {
						name += " | " + al
					}
					typ := string(a.Type)
					if len(a.Values) > 0 {
						typ += ": " + strings.Join(a.Values, ", ")
					}
					fmt.Fprintf(w, "    %-16s %s\n", name, typ)
				}
			}
			return nil
		},
	}
	out = formatFlags(c, "text", "json")
	return c
}

// bugCatalog is a system's planted bugs with their descriptions.
func bugCatalog(sys scenarios.System) plant.Catalog {
	switch s := sys.(type) {
	case scenarios.CommitBank:
		return s.Commit.Planted()
	case scenarios.Locks:
		return s.Lock.Planted()
	case scenarios.InventorySystem:
		return s.Store.Planted()
	}
	var out plant.Catalog
	for _, b := range sys.PlantedBugs() {
		out = append(out, plant.Bug{Name: b})
	}
	return out
}
