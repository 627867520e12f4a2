package cli

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/internal/sweep"
	"github.com/spf13/cobra"
)

// The flags several commands share, each with one meaning everywhere:
//
//	--seed N          one seed                 --seeds A-B     a range of seeds (inclusive)
//	--bug NAME        a planted bug on         --lin-timeout D the bound on each linearizability search
//	--workers N       parallel worlds          --format F      the output's form; --json is --format json
//	--faults FILE     a fault schedule file    --viz-dir DIR   where porcupine's pictures go (none unless given)
//
// Each helper registers its flag with its completion and adds its check to
// the command's RunE, so a bad value is refused — zero and negative counts
// included — before the command runs, with one line naming the flag.

// before makes c check something before its RunE runs.
func before(c *cobra.Command, check func(c *cobra.Command) error) {
	run := c.RunE
	c.RunE = func(c *cobra.Command, args []string) error {
		if err := check(c); err != nil {
			return fmt.Errorf("%s: %w", c.Name(), err)
		}
		return run(c, args)
	}
}

// seedFlag is --seed; required makes leaving it out an error.
func seedFlag(c *cobra.Command, v *uint64, def uint64, required bool, usage string) {
	c.Flags().Uint64Var(v, "seed", def, usage)
	if required {
		before(c, func(c *cobra.Command) error {
			if !c.Flags().Changed("seed") {
				return fmt.Errorf("--seed is required")
			}
			return nil
		})
	}
}

// seedRange is --seeds A-B.
type seedRange struct {
	text     string
	from, to uint64
}

func seedsFlag(c *cobra.Command, r *seedRange, def, usage string) {
	c.Flags().StringVar(&r.text, "seeds", def, usage)
	before(c, func(c *cobra.Command) error {
		if def == "" && !c.Flags().Changed("seeds") {
			return fmt.Errorf("--seeds is required (a range A-B, e.g. --seeds 1-10000)")
		}
		var err error
		r.from, r.to, err = sweep.ParseRange(r.text)
		return err
	})
}

func bugFlag(c *cobra.Command, v *string) {
	c.Flags().StringVar(v, "bug", "", "enable a planted bug of the protocol (to see a checker catch it)")
	_ = c.RegisterFlagCompletionFunc("bug", completeBugs)
}

// linTimeoutFlag is --lin-timeout: a bound must be positive.
func linTimeoutFlag(c *cobra.Command, v *time.Duration) {
	c.Flags().DurationVar(v, "lin-timeout", checker.LinearizabilityTimeout, "bound on each linearizability search; a search that runs out is unknown, never ok")
	before(c, func(*cobra.Command) error { return positive("--lin-timeout", *v) })
}

// workersFlag is --workers: at least one.
func workersFlag(c *cobra.Command, v *int) {
	c.Flags().IntVar(v, "workers", 0, "parallel worlds (default: one per CPU)")
	before(c, func(c *cobra.Command) error {
		if !c.Flags().Changed("workers") {
			*v = runtime.NumCPU()
		}
		return atLeastOne("--workers", *v)
	})
}

// countFlag is an int flag that must be at least one.
func countFlag(c *cobra.Command, v *int, name string, def int, usage string) {
	c.Flags().IntVar(v, name, def, usage)
	before(c, func(*cobra.Command) error { return atLeastOne("--"+name, *v) })
}

// optionalCountFlag is an int flag that is off (0) unless given, and then
// at least one.
func optionalCountFlag(c *cobra.Command, v *int, name, usage string) {
	c.Flags().IntVar(v, name, 0, usage)
	before(c, func(c *cobra.Command) error {
		if !c.Flags().Changed(name) {
			return nil
		}
		return atLeastOne("--"+name, *v)
	})
}

func atLeastOne(flag string, n int) error {
	if n < 1 {
		return fmt.Errorf("%s must be at least 1, got %d", flag, n)
	}
	return nil
}

func positive(flag string, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("%s must be positive, got %v", flag, d)
	}
	return nil
}

// output is --format with --json as its shorthand.
type output struct {
	format string
	json   bool
	forms  []string
}

// formatFlags adds --format (forms[0] is the default) and --json.
func formatFlags(c *cobra.Command, forms ...string) *output {
	o := &output{forms: forms}
	f := c.Flags()
	f.StringVar(&o.format, "format", forms[0], "output form: "+strings.Join(forms, ", "))
	f.BoolVar(&o.json, "json", false, "print JSON (--format json)")
	_ = c.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(forms, cobra.ShellCompDirectiveNoFileComp))
	before(c, func(c *cobra.Command) error {
		if !slices.Contains(o.forms, o.format) {
			return fmt.Errorf("--format must be one of %s, got %q", strings.Join(o.forms, ", "), o.format)
		}
		if o.json {
			if c.Flags().Changed("format") && o.format != "json" {
				return fmt.Errorf("--json and --format %s disagree", o.format)
			}
			o.format = "json"
		}
		return nil
	})
	return o
}

// is reports whether the output form is f.
func (o *output) is(f string) bool { return o.format == f }

// listFlag is a comma-separated list: an empty item or one given twice is
// refused, and so is a name not among known (when known is not nil).
func listFlag(c *cobra.Command, v *[]string, name, usage string, known func() []string) {
	var text string
	c.Flags().StringVar(&text, name, "", usage)
	if known != nil {
		_ = c.RegisterFlagCompletionFunc(name, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return known(), cobra.ShellCompDirectiveNoFileComp
		})
	}
	before(c, func(c *cobra.Command) error {
		*v = nil
		if !c.Flags().Changed(name) {
			return nil
		}
		for _, x := range strings.Split(text, ",") {
			x = strings.TrimSpace(x)
			switch {
			case x == "":
				return fmt.Errorf("--%s %q: an empty item", name, text)
			case slices.Contains(*v, x):
				return fmt.Errorf("--%s %q: %s given twice", name, text, x)
			case known != nil && !slices.Contains(known(), x):
				return fmt.Errorf("--%s: unknown name %q (have: %s)", name, x, strings.Join(known(), ", "))
			}
			*v = append(*v, x)
		}
		return nil
	})
}

// vizDirFlag is --viz-dir: porcupine's pictures are written only when it
// is given.
func vizDirFlag(c *cobra.Command, v *string) {
	c.Flags().StringVar(v, "viz-dir", "", "write porcupine's HTML picture of each linearizability violation to this directory (created if missing); none without it")
}
