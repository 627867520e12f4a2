package cli

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/reports"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/spf13/cobra"
)

func init() { subcommands = append(subcommands, newRun) }

func newRun() *cobra.Command {
	var (
		seed       uint64
		trace      bool
		asJSON     bool
		bug        string
		faultsIn   string
		faultsOut  string
		showFaults bool
		vizDir     string
		saveTo     string
		linTO      time.Duration
		p          presentation
	)
	c := &cobra.Command{
		Use:   "run SCENARIO --seed N",
		Short: "Run one scenario with one seed and print the checkers' verdicts",
		Long: `Run one scenario with one seed. The same seed always gives the same run
(compare the trace hash). Prints events, simulated time, each checker's
verdict, blocked participants and the trace hash; --trace adds every event.

--faults FILE replays a saved fault schedule instead of the scenario's own;
--save-faults FILE writes the schedule this run used; --save FILE writes a
run file (scenario, seed, bug, faults, trace hash) for simrun replay.`,
		Args: exactlyOne("scenario name or file"),
		RunE: func(c *cobra.Command, args []string) error {
			if !c.Flags().Changed("seed") {
				return fmt.Errorf("run: --seed is required")
			}
			spec, err := loadScenario(args[0])
			if err != nil {
				return err
			}
			if linTO < 0 {
				return fmt.Errorf("run: --lin-timeout must be positive, got %v", linTO)
			}
			opts := scenarios.Options{Seed: seed, Bug: bug, LinTimeout: linTO}
			if faultsIn != "" {
				data, err := os.ReadFile(faultsIn)
				if err != nil {
					return fmt.Errorf("run: --faults: %v", err)
				}
				s, err := faults.Parse(data)
				if err != nil {
					return fmt.Errorf("run: %s: %v", faultsIn, err)
				}
				opts.Schedule = &s
			}
			out, err := scenarios.Run(spec, opts)
			if err != nil {
				return err
			}
			if faultsOut != "" {
				if err := os.WriteFile(faultsOut, out.Schedule.MarshalIndent(), 0o644); err != nil {
					return fmt.Errorf("run: --save-faults: %v", err)
				}
			}
			if saveTo != "" {
				if err := os.WriteFile(saveTo, scenarios.Record(out).Marshal(), 0o644); err != nil {
					return fmt.Errorf("run: --save: %v", err)
				}
			}
			p.json, p.trace, p.faults, p.vizDir = asJSON, trace, showFaults, vizDir
			return present(c, out, p)
		},
	}
	f := c.Flags()
	f.Uint64Var(&seed, "seed", 0, "seed of the run (required)")
	f.BoolVar(&trace, "trace", false, "print every event of the run")
	f.BoolVar(&asJSON, "json", false, "print one JSON object instead of text")
	f.StringVar(&bug, "bug", "", "enable a planted bug of the protocol (to see a checker catch it)")
	f.StringVar(&faultsIn, "faults", "", "replay this saved fault schedule (JSON) instead of the scenario's")
	f.StringVar(&faultsOut, "save-faults", "", "write the fault schedule of this run to a file (JSON)")
	f.BoolVar(&showFaults, "print-faults", false, "print the fault schedule before the summary")
	f.StringVar(&vizDir, "viz-dir", ".", "directory for porcupine's HTML picture of a linearizability violation")
	f.StringVar(&saveTo, "save", "", "write a run file for simrun replay (JSON)")
	f.DurationVar(&linTO, "lin-timeout", 0, "bound on each linearizability search (default 5s); a search that runs out is unknown")
	addHTMLFlags(c, &p)
	return c
}

type presentation struct {
	json, trace, faults bool
	vizDir              string
	epilogue            string // a last line for text output
	html                string // write the HTML report with its space-time diagram here
	chromeTrace         string // write the run as Chrome trace-event JSON (Perfetto) here
	htmlWindow          reports.HTMLOptions
}

// addHTMLFlags adds the HTML report's flags to a command that presents a run.
func addHTMLFlags(c *cobra.Command, p *presentation) {
	f := c.Flags()
	f.StringVar(&p.html, "html", "", "write an HTML report with a space-time diagram of the run to this file (opens on the first finding)")
	f.DurationVar(&p.htmlWindow.From, "html-from", 0, "open the diagram on a window from this simulated time (e.g. 200ms) instead of the first finding")
	f.DurationVar(&p.htmlWindow.To, "html-to", 0, "draw the diagram up to this simulated time (default: the end)")
	f.BoolVar(&p.htmlWindow.Rows, "html-rows", false, "open the diagram with one row per event instead of time-scaled lanes")
	f.StringVar(&p.chromeTrace, "chrome-trace", "", "write the run as Chrome trace-event JSON to this file (open it in ui.perfetto.dev or chrome://tracing)")
}

// present prints one run as text or JSON and turns its verdict into the
// exit status.
func present(c *cobra.Command, out *scenarios.Outcome, p presentation) error {
	w := c.OutOrStdout()
	if p.html != "" {
		f, err := os.Create(p.html)
		if err != nil {
			return fmt.Errorf("--html: %v", err)
		}
		err = reports.RunHTML(f, out, p.htmlWindow)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("--html: %v", err)
		}
	}
	if p.chromeTrace != "" {
		if err := writeFile(p.chromeTrace, func(f io.Writer) error { return reports.ChromeTrace(f, out) }); err != nil {
			return fmt.Errorf("--chrome-trace: %w", err)
		}
	}
	if p.json {
		if err := reports.WriteJSON(w, reports.NewRunJSON(out)); err != nil {
			return err
		}
		writeRunVisualizations(c.ErrOrStderr(), p.vizDir, out)
	} else {
		if p.faults {
			fmt.Fprint(w, "fault schedule\n", out.Schedule.String())
		}
		if p.trace && out.Trace != nil {
			reports.TraceText(w, out.Trace)
		}
		reports.RunText(w, out)
		writeRunVisualizations(w, p.vizDir, out)
		if p.epilogue != "" {
			fmt.Fprintln(w, p.epilogue)
		}
	}
	if out.Verdict == checker.Violation {
		return exitCode(1)
	}
	return nil
}

// writeFile creates name and writes it with write, reporting the first
// error of either.
func writeFile(name string, write func(io.Writer) error) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
