package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/faultline-sim/faultline/internal/compare"
	"github.com/faultline-sim/faultline/internal/reports"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/spf13/cobra"
)

func newCompare() *cobra.Command {
	var (
		seeds     seedRange
		protocols []string
		classes   []string
		out       *output
		outDir    string
		workers   int
	)
	c := &cobra.Command{
		Use:   "compare [--seeds 1-N] [--protocols a,b] [--fault-classes c,d] [--format text|markdown|json|html] [--out DIR]",
		Short: "Run every commit protocol under the same workloads and fault schedules and tabulate the costs",
		Long: `Run the grid protocols x fault classes x seeds 1-N. For a given seed every
protocol sees the same transfers and the same fault schedule (by role), so
differences in a row come from the protocols alone. Prints one row per
protocol and fault class: messages and durable writes per transaction,
commit latency p50/p99, lock hold time, time spent uncertain and blocked,
fraction decided, and runs with safety or liveness violations.

Protocols: ` + strings.Join(scenarios.CommitProtocolNames(), ", ") + `
Fault classes: ` + strings.Join(scenarios.FaultClassNames(), ", ") + `

--format html writes one self-contained page with a chart per metric
(drawn with gonum/plot, embedded as SVG). --out DIR also writes
compare.txt, compare.md, compare.json and compare.html there.
Exit status 0 even when a protocol is unsafe: finding that is the point.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if seeds.from != 1 || !strings.Contains(seeds.text, "-") {
				return fmt.Errorf("compare: --seeds %s: compare runs seeds 1-N, a range (e.g. --seeds 1-300)", seeds.text)
			}
			if seeds.to > 1_000_000 {
				return fmt.Errorf("compare: --seeds %s: at most 1-1000000", seeds.text)
			}
			seeds := int(seeds.to)
			writers := map[string]func(io.Writer, []compare.Row) error{
				"text":     func(w io.Writer, rs []compare.Row) error { reports.CompareText(w, rs, seeds); return nil },
				"markdown": func(w io.Writer, rs []compare.Row) error { reports.CompareMarkdown(w, rs, seeds); return nil },
				"json": func(w io.Writer, rs []compare.Row) error {
					return reports.WriteJSON(w, reports.CompareJSON{Seeds: seeds, Rows: rs})
				},
				"html": func(w io.Writer, rs []compare.Row) error { return reports.CompareHTML(w, rs, seeds) },
			}
			write := writers[out.format]
			o := compare.Options{Seeds: seeds, Workers: workers, Protocols: protocols, Classes: classes}
			if outDir != "" {
				if err := os.MkdirAll(outDir, 0o755); err != nil {
					return fmt.Errorf("compare: --out: %w", err)
				}
			}
			prog := newProgress(c.ErrOrStderr(), "compare")
			o.Progress = prog.Update
			stop := onInterrupt(c.ErrOrStderr())
			defer stop.Close()
			o.Stop = stop.Stopped
			rows, err := compare.Run(o)
			prog.Finish()
			if err != nil {
				return err
			}
			if stop.Stopped() && len(rows) > 0 {
				seeds = rows[0].Runs // the seeds every cell finished
			}
			if err := write(c.OutOrStdout(), rows); err != nil {
				return fmt.Errorf("compare: %w", err)
			}
			if outDir != "" {
				for name, f := range map[string]string{"compare.txt": "text", "compare.md": "markdown", "compare.json": "json", "compare.html": "html"} {
					var b bytes.Buffer
					if err := writers[f](&b, rows); err != nil {
						return fmt.Errorf("compare: %w", err)
					}
					if err := os.WriteFile(filepath.Join(outDir, name), b.Bytes(), 0o644); err != nil {
						return fmt.Errorf("compare: --out: %w", err)
					}
				}
			}
			if stop.Stopped() {
				note := c.ErrOrStderr() // keep JSON output one object
				if out.is("text") {
					note = c.OutOrStdout()
				}
				fmt.Fprintf(note, "interrupted: seeds 1-%d covered for every protocol and fault class (of the %d asked); the table is for those only\n", seeds, o.Seeds)
				return interrupted
			}
			return nil
		},
	}
	seedsFlag(c, &seeds, "1-300", "run seeds 1-N for every protocol and fault class")
	listFlag(c, &protocols, "protocols", "comma-separated protocols (default: all)", scenarios.CommitProtocolNames)
	listFlag(c, &classes, "fault-classes", "comma-separated fault classes (default: all)", scenarios.FaultClassNames)
	// --faults is a fault schedule file everywhere; compare's classes moved.
	var old string
	c.Flags().StringVar(&old, "faults", "", "")
	_ = c.Flags().MarkHidden("faults")
	before(c, func(c *cobra.Command) error {
		if c.Flags().Changed("faults") {
			return fmt.Errorf("--faults is a fault schedule file in every command; compare's fault classes are --fault-classes %s", old)
		}
		return nil
	})
	out = formatFlags(c, "text", "markdown", "json", "html")
	c.Flags().StringVar(&outDir, "out", "", "also write compare.txt, compare.md, compare.json and compare.html to this directory")
	workersFlag(c, &workers)
	return c
}
