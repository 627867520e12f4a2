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
	"github.com/faultline-sim/faultline/internal/reports"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/spf13/cobra"
)

func newCheck() *cobra.Command {
	var (
		model  string
		linTO  time.Duration
		vizDir string
		html   string
		out    *output
	)
	c := &cobra.Command{
		Use:   "check FILE --model lock|register",
		Short: "Check a recorded history (JSON Lines) for linearizability with porcupine",
		Long: `Check a history recorded anywhere — by Faultline or by a test of a real
system — for linearizability. FILE - reads standard input. One operation
per line:

  {"client": 1, "key": "x", "op": "cas", "expect": 0, "value": 5, "ok": true, "call": 10, "return": 20}

client (int), key (string, optional), op (acquire/release for --model lock;
read/write/cas for --model register), value (int: written, read, or the new
value of a cas), expect (int, cas only), ok (bool, default true: acquire
granted, release accepted, cas succeeded), call and return (int64
timestamps; return absent or null = the operation never returned). A
register starts at 0; a lock starts free. Intervals are closed: an
operation returning at 20 and one called at 20 overlap.

porcupine's HTML picture of a violation is written only when asked:
--html FILE, or --viz-dir DIR (porcupine-FILE.html there).

Exit status: 0 linearizable, 1 not linearizable (the explanation is
printed), 2 malformed input, 3 unknown (the search timed out).`,
		Args: exactlyOne("history file (- for standard input)"),
		RunE: func(c *cobra.Command, args []string) error {
			if model != "lock" && model != "register" {
				if model == "" {
					return fmt.Errorf("check: --model is required (lock or register)")
				}
				return fmt.Errorf("check: unknown --model %q (want lock or register)", model)
			}
			name, data, err := readInput(c, args[0])
			if err != nil {
				return fmt.Errorf("check: %w", err)
			}
			h, err := history.Parse(name, data, history.Model(model))
			if err != nil {
				return fmt.Errorf("check: %w", err)
			}
			res, err := history.Check(h, linTO)
			if err != nil {
				return fmt.Errorf("check: %w", err)
			}
			var pictures []string
			if res.Verdict == checker.Violation {
				base := "stdin"
				if args[0] != "-" {
					base = strings.TrimSuffix(filepath.Base(args[0]), filepath.Ext(args[0]))
				}
				for _, to := range []struct{ dir, file string }{{vizDir, "porcupine-" + base + ".html"}, {filepath.Dir(html), filepath.Base(html)}} {
					if to.dir == "" || to.file == "." {
						continue
					}
					path, err := writeVisualization(to.dir, to.file, res.Visualize)
					if err != nil {
						return fmt.Errorf("check: visualization: %w", err)
					}
					pictures = append(pictures, path)
				}
			}
			w := c.OutOrStdout()
			if out.is("json") {
				j := checkJSON{Model: model, Verdict: res.Verdict, Ops: res.Ops, Keys: res.Keys, Summary: res.Summary(), Failures: []string{}, Visualizations: pictures}
				for _, f := range res.Failures {
					j.Failures = append(j.Failures, f.String())
				}
				if err := reports.WriteJSON(w, j); err != nil {
					return err
				}
			} else {
				switch res.Verdict {
				case checker.OK, checker.Unknown:
					fmt.Fprintf(w, "%s (model %s)\n", res.Summary(), model)
				default:
					fmt.Fprintf(w, "not linearizable: %d operations on %d key(s) (model %s)\n", res.Ops, res.Keys, model)
					for _, f := range res.Failures {
						fmt.Fprintf(w, "  %s\n", f)
					}
				}
				for _, p := range pictures {
					fmt.Fprintf(w, "visualization: %s\n", p)
				}
			}
			switch res.Verdict {
			case checker.OK:
				return nil
			case checker.Unknown:
				return exitCode(3)
			}
			return exitCode(1)
		},
	}
	f := c.Flags()
	f.StringVar(&model, "model", "", "lock or register (required)")
	_ = c.RegisterFlagCompletionFunc("model", cobra.FixedCompletions([]string{"lock", "register"}, cobra.ShellCompDirectiveNoFileComp))
	// --timeout was check's name for the bound every other command calls
	// --lin-timeout; it still works, with a note on stderr.
	f.DurationVar(&linTO, "timeout", checker.LinearizabilityTimeout, "deprecated: --lin-timeout")
	_ = f.MarkHidden("timeout")
	before(c, func(c *cobra.Command) error {
		if c.Flags().Changed("timeout") {
			fmt.Fprintln(c.ErrOrStderr(), "check: --timeout is deprecated, use --lin-timeout")
		}
		return nil
	})
	linTimeoutFlag(c, &linTO) // after the note: a bad bound is refused in one line
	vizDirFlag(c, &vizDir)
	f.StringVar(&html, "html", "", "write porcupine's HTML picture of a violation to this file")
	out = formatFlags(c, "text", "json")
	return c
}

// checkJSON is check --json.
type checkJSON struct {
	Model          string          `json:"model"`
	Verdict        checker.Verdict `json:"verdict"`
	Ops            int             `json:"ops"`
	Keys           int             `json:"keys"`
	Summary        string          `json:"summary"`
	Failures       []string        `json:"failures"`
	Visualizations []string        `json:"visualizations,omitempty"`
}

// readInput reads a file argument, or standard input for "-"; name is
// what errors call it.
func readInput(c *cobra.Command, arg string) (name string, data []byte, err error) {
	if arg == "-" {
		data, err = io.ReadAll(c.InOrStdin())
		return "stdin", data, err
	}
	data, err = os.ReadFile(arg)
	return arg, data, err
}

// writeVisualization writes one HTML file into dir, creating dir if need
// be, and returns its path.
func writeVisualization(dir, name string, visualize func(io.Writer) error) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
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
// linearizability violation of a run into dir, if one was given, and says
// where.
func writeRunVisualizations(w io.Writer, dir string, out *scenarios.Outcome) {
	if dir == "" {
		return
	}
	for _, r := range out.Results {
		if r.Visualize == nil || r.Verdict != checker.Violation {
			continue
		}
		name := fmt.Sprintf("porcupine-%s-seed%d-%s.html", strings.Trim(reports.FileSafe(out.Scenario), "-"), out.Seed, r.Checker)
		if path, err := writeVisualization(dir, name, r.Visualize); err != nil {
			fmt.Fprintf(w, "visualization not written: %v\n", err)
		} else {
			fmt.Fprintf(w, "visualization %s (%s)\n", path, r.Checker)
		}
	}
}
