package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	_ "github.com/faultline-sim/faultline/protocol/lockkit/kittest" // the lock kit's test service joins the lock family
	"github.com/spf13/cobra"
)

// exitCode carries a non-error exit status (1: violation found) out of a
// command; every other error is a usage or input error, status 2.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes simrun with args and returns the exit status; tests call it
// directly.
func run(args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	var code exitCode
	switch {
	case err == nil:
		return 0
	case errors.As(err, &code):
		return int(code)
	default:
		fmt.Fprintf(stderr, "simrun: %v\n", err)
		return 2
	}
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "simrun",
		Short: "Faultline: deterministic simulation and fault injection for commit and lock protocols",
		Long: `simrun runs Faultline's named scenarios: a protocol, a workload and a fault
plan in a seeded, deterministic simulator, judged by checkers.

Exit status: 0 no safety violation, 1 a safety violation found,
2 bad usage or input.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%s: %v (see simrun %s --help)", c.Name(), err, c.Name())
	})
	root.CompletionOptions.DisableDefaultCmd = true
	for _, sub := range subcommands {
		root.AddCommand(sub())
	}
	return root
}

// subcommands are added by each command's file in its init, so adding a
// command touches only its own file.
var subcommands []func() *cobra.Command

// exactlyOne demands one positional argument, naming it in the error.
func exactlyOne(what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		switch {
		case len(args) == 0:
			return fmt.Errorf("%s: missing %s (see simrun list)", c.Name(), what)
		case len(args) > 1:
			return fmt.Errorf("%s: one %s expected, got %d arguments", c.Name(), what, len(args))
		}
		return nil
	}
}
