package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/history"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/spf13/cobra"
)

func init() { subcommands = append(subcommands, newCheck) }

func newCheck() *cobra.Command {
	var (
		model   string
		timeout time.Duration
		vizDir  string
	)
	c := &cobra.Command{
		Use:   "check FILE --model lock|register",
		Short: "Check a recorded history (JSON Lines) for linearizability with porcupine",
		Long: `Check a history recorded anywhere — by Faultline or by a test of a real
system — for linearizability. One operation per line:

  {"client": 1, "key": "x", "op": "cas", "expect": 0, "value": 5, "ok": true, "call": 10, "return": 20}

client (int), key (string, optional), op (acquire/release for --model lock;
read/write/cas for --model register), value (int: written, read, or the new
value of a cas), expect (int, cas only), ok (bool, default true: acquire
granted, release accepted, cas succeeded), call and return (int64
timestamps; return absent or null = the operation never returned). A
register starts at 0; a lock starts free. Intervals are closed: an
operation returning at 20 and one called at 20 overlap.

Exit status: 0 linearizable, 1 not linearizable (the explanation and the
path of porcupine's HTML visualization are printed), 2 malformed input,
3 unknown (the search timed out).`,
		Args: exactlyOne("history file"),
		RunE: func(c *cobra.Command, args []string) error {
			if model != "lock" && model != "register" {
				if model == "" {
					return fmt.Errorf("check: --model is required (lock or register)")
				}
				return fmt.Errorf("check: unknown --model %q (want lock or register)", model)
			}
			if timeout <= 0 {
				return fmt.Errorf("check: --timeout must be positive, got %v", timeout)
			}
			data, err := os.ReadFile(args[0])
			if err != nil {
				return fmt.Errorf("check: %v", err)
			}
			h, err := history.Parse(args[0], data, history.Model(model))
			if err != nil {
				return fmt.Errorf("check: %w", err)
			}
			res, err := history.Check(h, timeout)
			if err != nil {
				return fmt.Errorf("check: %w", err)
			}
			w := c.OutOrStdout()
			switch res.Verdict {
			case checker.OK:
				fmt.Fprintf(w, "%s (model %s)\n", res.Summary(), model)
				return nil
			case checker.Unknown:
				fmt.Fprintf(w, "%s (model %s)\n", res.Summary(), model)
				return exitCode(3)
			}
			fmt.Fprintf(w, "not linearizable: %d operations on %d key(s) (model %s)\n", res.Ops, res.Keys, model)
			for _, f := range res.Failures {
				fmt.Fprintf(w, "  %s\n", f)
			}
			base := strings.TrimSuffix(filepath.Base(args[0]), filepath.Ext(args[0]))
			path, err := writeVisualization(vizDir, "porcupine-"+base+".html", res.Visualize)
			if err != nil {
				fmt.Fprintf(w, "visualization not written: %v\n", err)
			} else {
				fmt.Fprintf(w, "visualization: %s\n", path)
			}
			return exitCode(1)
		},
	}
	f := c.Flags()
	f.StringVar(&model, "model", "", "lock or register (required)")
	f.DurationVar(&timeout, "timeout", 10*time.Second, "give up after this long and report unknown")
	f.StringVar(&vizDir, "viz-dir", ".", "directory for the HTML visualization of a violation")
	return c
}

// writeVisualization writes one HTML file into dir and returns its path.
func writeVisualization(dir, name string, visualize func(io.Writer) error) (string, error) {
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	if err := visualize(f); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	return path, nil
}

// writeRunVisualizations writes porcupine's picture for every
// linearizability violation of a run and says where.
func writeRunVisualizations(w io.Writer, dir string, out *scenarios.Outcome) {
	for _, r := range out.Results {
		if r.Visualize == nil || r.Verdict != checker.Violation {
			continue
		}
		name := fmt.Sprintf("porcupine-%s-seed%d-%s.html", out.Scenario, out.Seed, r.Checker)
		if path, err := writeVisualization(dir, name, r.Visualize); err != nil {
			fmt.Fprintf(w, "visualization not written: %v\n", err)
		} else {
			fmt.Fprintf(w, "visualization %s (%s)\n", path, r.Checker)
		}
	}
}
