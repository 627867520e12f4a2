package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/internal/reports"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/spf13/cobra"
)

func newRun() *cobra.Command {
	var (
		seed      uint64
		bug       string
		faultsIn  string
		faultsOut string
		saveTo    string
		sc        scenarioArg
		p         presentation
	)
	c := &cobra.Command{
		Use:   "run SCENARIO --seed N",
		Short: "Run one scenario with one seed and print the checkers' verdicts",
		Long: `Run one scenario with one seed. The same seed always gives the same run
(compare the trace hash). Prints events, simulated time, each checker's
verdict, blocked participants and the trace hash; --trace adds every event
(in JSON too).

--faults FILE replays a saved fault schedule instead of the scenario's own;
--save-faults FILE writes the schedule this run used; --save FILE writes a
run file (scenario, seed, bug, faults, trace hash) for simrun replay.`,
		RunE: func(c *cobra.Command, args []string) error {
			spec, err := sc.load(c, args[0])
			if err != nil {
				return err
			}
			p.epilogue = unsyncedNote(sc.unsynced)
			opts := scenarios.Options{Seed: seed, Bug: bug}
			if faultsIn != "" {
				data, err := os.ReadFile(faultsIn)
				if err != nil {
					return fmt.Errorf("run: --faults: %w", err)
				}
				s, err := faults.Parse(data)
				if err != nil {
					return fmt.Errorf("run: %s: %w", faultsIn, err)
				}
				opts.Schedule = &s
			}
			out, err := scenarios.Run(spec, opts)
			if err != nil && faultsIn != "" {
				// What only installing it can find (an unknown node, a
				// negative time) is the file's mistake too: name it.
				return fmt.Errorf("run: %s: %w", faultsIn, err)
			}
			if err != nil {
				return err
			}
			if faultsOut != "" {
				if err := os.WriteFile(faultsOut, out.Schedule.MarshalIndent(), 0o644); err != nil {
					return fmt.Errorf("run: --save-faults: %w", err)
				}
			}
			if saveTo != "" {
				if err := os.WriteFile(saveTo, scenarios.Record(out).Marshal(), 0o644); err != nil {
					return fmt.Errorf("run: --save: %w", err)
				}
			}
			return present(c, out, p)
		},
	}
	f := c.Flags()
	seedFlag(c, &seed, 0, true, "seed of the run (required)")
	bugFlag(c, &bug)
	f.StringVar(&faultsIn, "faults", "", "replay this saved fault schedule (JSON) instead of the scenario's")
	f.StringVar(&faultsOut, "save-faults", "", "write the fault schedule of this run to a file (JSON)")
	f.StringVar(&saveTo, "save", "", "write a run file for simrun replay (JSON)")
	sc.take(c)
	addPresentation(c, &p)
	return c
}

type presentation struct {
	out           *output
	trace, faults bool
	vizDir        string
	epilogue      string // a last line for text output
	html          string // write the HTML report with its space-time diagram here
	chromeTrace   string // write the run as Chrome trace-event JSON (Perfetto) here
	htmlWindow    reports.HTMLOptions
}

// addPresentation adds the flags of a command that presents a run: its
// output form, the trace, the fault schedule, porcupine's pictures, the HTML
// report and the Perfetto export.
func addPresentation(c *cobra.Command, p *presentation) {
	p.out = formatFlags(c, "text", "json", "html")
	f := c.Flags()
	f.BoolVar(&p.trace, "trace", false, "print every event of the run (in JSON: the \"trace\" list)")
	f.BoolVar(&p.faults, "print-faults", false, "print the fault schedule before the summary")
	vizDirFlag(c, &p.vizDir)
	f.StringVar(&p.html, "html", "", "write an HTML report with a space-time diagram of the run to this file (opens on the first finding)")
	f.DurationVar(&p.htmlWindow.From, "html-from", 0, "open the diagram on a window from this simulated time (e.g. 200ms) instead of the first finding")
	f.DurationVar(&p.htmlWindow.To, "html-to", 0, "draw the diagram up to this simulated time (default: the end)")
	f.BoolVar(&p.htmlWindow.Rows, "html-rows", false, "open the diagram with one row per event instead of time-scaled lanes")
	f.StringVar(&p.chromeTrace, "chrome-trace", "", "write the run as Chrome trace-event JSON to this file (open it in ui.perfetto.dev or chrome://tracing)")
}

// present prints one run as text, JSON or its HTML page and turns its
// verdict into the exit status.
func present(c *cobra.Command, out *scenarios.Outcome, p presentation) error {
	w := c.OutOrStdout()
	if p.html != "" {
		if err := writeFile(p.html, func(f io.Writer) error { return reports.RunHTML(f, out, p.htmlWindow) }); err != nil {
			return fmt.Errorf("--html: %w", err)
		}
	}
	if p.chromeTrace != "" {
		if err := writeFile(p.chromeTrace, func(f io.Writer) error { return reports.ChromeTrace(f, out) }); err != nil {
			return fmt.Errorf("--chrome-trace: %w", err)
		}
	}
	note := w // where the paths of files written go: stderr when stdout is one document
	switch {
	case p.out.is("json"):
		j := tracedRunJSON{RunJSON: reports.NewRunJSON(out)}
		if p.trace && out.Trace != nil {
			j.Trace = make([]string, out.Trace.Len())
			for i := range j.Trace {
				j.Trace[i] = out.Trace.Format(i)
			}
		}
		if err := reports.WriteJSON(w, j); err != nil {
			return err
		}
		note = c.ErrOrStderr()
	case p.out.is("html"):
		if err := reports.RunHTML(w, out, p.htmlWindow); err != nil {
			return err
		}
		note = c.ErrOrStderr()
	default:
		if p.faults {
			fmt.Fprint(w, "fault schedule\n", out.Schedule.String())
		}
		if p.trace && out.Trace != nil {
			reports.TraceText(w, out.Trace)
		}
		reports.RunText(w, out)
	}
	writeRunVisualizations(note, p.vizDir, out)
	if p.html != "" {
		fmt.Fprintf(note, "html       %s\n", p.html)
	}
	if p.chromeTrace != "" {
		fmt.Fprintf(note, "perfetto   %s\n", p.chromeTrace)
	}
	if p.epilogue != "" && p.out.is("text") {
		fmt.Fprintln(w, p.epilogue)
	}
	if out.Verdict == checker.Violation {
		return exitCode(1)
	}
	return nil
}

// tracedRunJSON is run --json: the run's summary and, with --trace, its trace.
type tracedRunJSON struct {
	reports.RunJSON
	Trace []string `json:"trace,omitempty"`
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
