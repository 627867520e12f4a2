package main

import (
	"fmt"

	"github.com/faultline-sim/faultline/scenarios"
	"github.com/spf13/cobra"
)

func init() { subcommands = append(subcommands, newList) }

func newList() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the scenarios with their descriptions and expected outcomes",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			for _, s := range scenarios.All() {
				fmt.Fprintln(c.OutOrStdout(), scenarios.Describe(s))
			}
			return nil
		},
	}
}
