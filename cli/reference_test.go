package cli

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite README.md's command reference from the commands")

// The README's command list and command reference are the commands' own
// usage lines, summaries and flags; this test fails when they differ, and
// -update rewrites them.
func TestREADMECommandReferenceMatchesHelp(t *testing.T) {
	const path = "../README.md"
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	synopsis, full := reference(New(Name("simrun")))
	readme := string(data)
	for _, part := range []struct{ name, text string }{{"command list", synopsis}, {"command reference", full}} {
		re := regexp.MustCompile(`(?s)(<!-- ` + part.name + `: generated[^\n]*-->\n)(?:.*?\n)?(<!-- end of ` + part.name + ` -->)`)
		require.True(t, re.MatchString(readme), "README.md has no generated %s", part.name)
		readme = re.ReplaceAllStringFunc(readme, func(m string) string {
			sub := re.FindStringSubmatch(m)
			return sub[1] + part.text + "\n" + sub[2]
		})
	}
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(readme), 0o644))
		return
	}
	require.Equal(t, readme, string(data), "README.md's command reference differs from the commands' help: go test ./cli -run TestREADMECommandReference -update")
}

// reference renders every command: a list of usage lines with their
// summaries, and each command's usage line, summary and flags as --help
// prints them.
func reference(root *cobra.Command) (synopsis, full string) {
	var list, ref strings.Builder
	list.WriteString("```\n")
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.Hidden || sub.Name() == "help" || sub.Name() == "completion" {
				continue
			}
			fmt.Fprintf(&list, "%s\n    %s\n", sub.UseLine(), sub.Short)
			fmt.Fprintf(&ref, "### %s\n\n%s\n\n```\n%s\n", sub.CommandPath(), sub.Short, sub.UseLine())
			flags := pflag.NewFlagSet(sub.Name(), pflag.ContinueOnError)
			sub.LocalFlags().VisitAll(func(f *pflag.Flag) {
				if f.Name != "help" {
					flags.AddFlag(f)
				}
			})
			if u := flags.FlagUsages(); u != "" {
				fmt.Fprintf(&ref, "\nFlags:\n%s", u)
			}
			ref.WriteString("```\n\n")
			walk(sub)
		}
	}
	walk(root)
	fmt.Fprintf(&list, "%s --version\n    print the version\n%s completion bash|zsh|fish|powershell\n    print a shell completion script (scenario names, planted bugs, protocols, fault classes)\n```", root.Name(), root.Name())
	return list.String(), strings.TrimSuffix(ref.String(), "\n")
}
