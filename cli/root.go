package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/faultline-sim/faultline/internal/reports"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// exitCode carries a non-error exit status (1: violation found) out of a
// command; every other error is a usage or input error, status 2.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// Option configures the command line.
type Option func(*settings)

type settings struct {
	name, version string
}

// Name is the program's name in usage, help texts and the reproduce and
// replay commands reports print (default: the base name of os.Args[0]).
func Name(name string) Option { return func(s *settings) { s.name = name } }

// Version is what --version prints (default: the main module's version
// and VCS revision from the build information).
func Version(v string) Option { return func(s *settings) { s.version = v } }

func configure(opts []Option) settings {
	s := settings{name: filepath.Base(os.Args[0])}
	for _, o := range opts {
		o(&s)
	}
	if s.name == "" || s.name == "." || s.name == string(filepath.Separator) {
		s.name = "simrun"
	}
	if s.version == "" {
		s.version = buildVersion()
	}
	return s
}

// buildVersion is the main module's version, and its VCS revision when
// the build recorded one.
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v
}

// Main runs the command line with the process's arguments and exits with
// its status.
//
// Unless the user set GOGC, the collector runs at 400% instead of 100%:
// a run's garbage is short-lived and its live heap small, so collecting a
// quarter as often takes about a fifth off the CPU time of commands that
// run worlds one after another (shrink, crash points, search: `simrun
// crashpoints 2pc-bank-faults --restart-after 30ms` takes 0.63–0.66 s of
// CPU instead of 0.78–0.79, peak RSS 34 MB instead of 22); sweeps and
// compare go further while their runs last (internal/pool).
func Main(opts ...Option) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	os.Exit(Run(os.Args[1:], os.Stdout, os.Stderr, opts...))
}

// Run runs the command line with args, writing to stdout and stderr, and
// returns the exit status.
func Run(args []string, stdout, stderr io.Writer, opts ...Option) int {
	root := New(opts...)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetArgs(args)
	err := root.Execute()
	var code exitCode
	switch {
	case err == nil:
		return 0
	case errors.As(err, &code):
		return int(code)
	default:
		fmt.Fprintf(stderr, "%s: %v\n", root.Name(), err)
		return 2
	}
}

// run is Run as simrun, for the tests.
func run(args []string, stdout, stderr io.Writer) int {
	return Run(args, stdout, stderr, Name("simrun"))
}

// New returns the root command with every subcommand. The reports its
// commands write name the program in their reproduce lines (reports.Program).
func New(opts ...Option) *cobra.Command {
	s := configure(opts)
	reports.SetProgram(s.name)
	root := &cobra.Command{
		Use:     s.name,
		Version: s.version,
		Short:   "Faultline: deterministic simulation and fault injection for commit and lock protocols",
		Long: `simrun runs Faultline's scenarios: a protocol, a workload and a fault
plan in a seeded, deterministic simulator, judged by checkers.

Exit status: 0 no safety violation, 1 a safety violation found,
2 bad usage or input.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%s: %v (see %s %s --help)", c.Name(), err, programOf(c), c.Name())
	})
	for _, sub := range subcommands {
		root.AddCommand(sub())
	}
	if s.name != "simrun" {
		rename(root, s.name)
	}
	return root
}

// rename makes the help texts name the program.
func rename(c *cobra.Command, name string) {
	r := strings.NewReplacer("simrun ", name+" ", "simrun\n", name+"\n")
	c.Short, c.Long, c.Example = r.Replace(c.Short), r.Replace(c.Long), r.Replace(c.Example)
	c.Flags().VisitAll(func(f *pflag.Flag) { f.Usage = r.Replace(f.Usage) })
	for _, sub := range c.Commands() {
		rename(sub, name)
	}
}

// programOf is the running program's name, for messages that name a command.
func programOf(c *cobra.Command) string { return c.Root().Name() }

// subcommands are simrun's commands. A command file may also add its own
// in an init function.
var subcommands = []func() *cobra.Command{
	newList, newFacts, newShow, newRun, newReplay, newSweep, newShrink, newCrashPoints,
	newCompare, newCheck, newLive, newBugs, newSearch, newMerge, newCoverage, newDiff,
}

// exactlyOne demands one positional argument, naming it in the error.
func exactlyOne(what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		switch {
		case len(args) == 0:
			return fmt.Errorf("%s: missing %s (see %s list)", c.Name(), what, programOf(c))
		case len(args) > 1:
			return fmt.Errorf("%s: one %s expected, got %d arguments", c.Name(), what, len(args))
		}
		return nil
	}
}
