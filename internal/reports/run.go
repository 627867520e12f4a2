package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/sim"
)

// program is the command line the reports' reproduce lines call.
var program atomic.Pointer[string]

// SetProgram names the command line that reproduce lines call ("simrun"
// until set): a binary built on package cli sets its own name, so the
// commands its reports print are its own. One process is one program.
func SetProgram(name string) { program.Store(&name) }

// Program is the command line reproduce lines call.
func Program() string {
	if p := program.Load(); p != nil {
		return *p
	}
	return "simrun"
}

// Reproduce is the command line that reruns one seed of a scenario.
func Reproduce(scenario string, seed uint64, bug string) string {
	cmd := fmt.Sprintf("%s run %s --seed %d", Program(), scenario, seed)
	if bug != "" {
		cmd += " --bug " + bug
	}
	return cmd
}

// unsafeName is what a file name made from a scenario's name or path may
// not contain.
var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// FileSafe is a scenario's name or path as it can stand in the name of a
// file written for it (a run file, a picture): every run of characters
// other than letters, digits and ._- becomes one "-".
func FileSafe(scenario string) string { return unsafeName.ReplaceAllString(scenario, "-") }

func secs(d time.Duration) string { return strings.TrimSpace(sim.FormatTime(d)) + "s" }

// RunText writes the summary of one run for people.
func RunText(w io.Writer, o *scenarios.Outcome) {
	fmt.Fprintf(w, "scenario   %s (protocol %s", o.Scenario, o.Protocol)
	if o.Bug != "" {
		fmt.Fprintf(w, ", planted bug %s", o.Bug)
	}
	fmt.Fprintf(w, ")\nseed       %d\n", o.Seed)
	fmt.Fprintf(w, "run        %d events, %s simulated, stopped: %s\n", o.Events, secs(o.SimTime), o.Stop)
	fmt.Fprintf(w, "traffic    %d messages, %d durable writes\n", o.Messages, o.Writes)
	if o.TraceHash != "" {
		fmt.Fprintf(w, "trace hash %s\n", o.TraceHash)
	}
	fmt.Fprintf(w, "faults     %d timed actions, %d triggers\n", len(o.Schedule.Actions), len(o.Schedule.Triggers))
	fmt.Fprintln(w, "checks")
	for _, r := range o.Results {
		fmt.Fprintf(w, "  %-13s %-9s %s\n", r.Checker, r.Verdict, r.Message)
		limit := len(r.Evidence)
		if len(r.Stuck) > 0 {
			limit = 0 // the blocked participants are printed in full below
		}
		for _, e := range r.Evidence[:limit] {
			fmt.Fprintf(w, "      %s\n", firstLines(e, 12))
		}
	}
	if stuck := blocked(o); len(stuck) > 0 {
		fmt.Fprintln(w, "blocked participants")
		for _, s := range stuck {
			state := ""
			if !s.Up {
				state = " (node down)"
			}
			fmt.Fprintf(w, "  %-15s %-8s uncertain since %s for %-10v holding %s%s\n", s.Node, s.Txn, secs(s.Since), s.For, strings.Join(s.Locks, ","), state)
		}
	}
	mark := "as expected"
	switch {
	case o.Bug != "" && o.Verdict == checker.Violation:
		mark = fmt.Sprintf("the planted bug %s was caught; without it the scenario expects %s", o.Bug, o.Expect)
	case o.Bug != "":
		mark = fmt.Sprintf("the planted bug %s went unnoticed on this seed; try a sweep", o.Bug)
	case o.BySweep && o.Verdict != o.Expect:
		mark = "this seed is clean; random search over many seeds is expected to find violations"
	case o.Verdict != o.Expect:
		mark = fmt.Sprintf("NOT as expected: the scenario expects %s", o.Expect)
	}
	fmt.Fprintf(w, "verdict    %s (%s)\n", o.Verdict, mark)
	switch {
	case o.Verdict == checker.Violation && o.OwnFaults:
		fmt.Fprintf(w, "reproduce  this run has its own fault schedule: save it with --save and use %s replay\n", Program())
	case o.Verdict == checker.Violation:
		fmt.Fprintf(w, "reproduce  %s\n", Reproduce(o.Scenario, o.Seed, o.Bug))
	}
}

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append(lines[:n], fmt.Sprintf("... (%d more lines)", len(lines)-n))
	}
	return strings.Join(lines, "\n      ")
}

func blocked(o *scenarios.Outcome) []checker.Stuck {
	for _, r := range o.Results {
		if len(r.Stuck) > 0 {
			return r.Stuck
		}
	}
	return nil
}

// RunJSON is one run as a single JSON object.
type RunJSON struct {
	Scenario   string           `json:"scenario"`
	Seed       uint64           `json:"seed"`
	Protocol   string           `json:"protocol"`
	Bug        string           `json:"bug,omitempty"`
	Verdict    checker.Verdict  `json:"verdict"`
	Expect     checker.Verdict  `json:"expect"`
	AsExpected bool             `json:"as_expected"`
	Violations []Finding        `json:"violations"`
	Blocked    []checker.Stuck  `json:"blocked"`
	Checks     []checker.Result `json:"checks"`
	Events     int              `json:"events"`
	SimTimeNs  int64            `json:"sim_time_ns"`
	Stop       sim.StopReason   `json:"stop"`
	TraceHash  string           `json:"trace_hash,omitempty"`
	Messages   int              `json:"messages"`
	Writes     int              `json:"durable_writes"`
	Faults     any              `json:"faults"`
	Reproduce  string           `json:"reproduce"`
}

// Finding is one violation.
type Finding struct {
	Checker  string   `json:"checker"`
	Message  string   `json:"message"`
	Evidence []string `json:"evidence,omitempty"`
}

// NewRunJSON builds the JSON form of a run.
func NewRunJSON(o *scenarios.Outcome) RunJSON {
	j := RunJSON{Scenario: o.Scenario, Seed: o.Seed, Protocol: o.Protocol, Bug: o.Bug, Verdict: o.Verdict, Expect: o.Expect,
		AsExpected: o.AsExpected(), Violations: []Finding{}, Blocked: blocked(o), Checks: o.Results,
		Events: o.Events, SimTimeNs: int64(o.SimTime), Stop: o.Stop, TraceHash: o.TraceHash,
		Messages: o.Messages, Writes: o.Writes, Faults: o.Schedule, Reproduce: Reproduce(o.Scenario, o.Seed, o.Bug)}
	if j.Blocked == nil {
		j.Blocked = []checker.Stuck{}
	}
	for _, r := range o.Results {
		if r.Verdict == checker.Violation {
			j.Violations = append(j.Violations, Finding{Checker: r.Checker, Message: r.Message, Evidence: r.Evidence})
		}
	}
	return j
}

// WriteJSON writes v as indented JSON and a newline.
func WriteJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// TraceText writes the run's trace, one canonical line per event.
func TraceText(w io.Writer, t *sim.Trace) {
	for i := 0; i < t.Len(); i++ {
		fmt.Fprintln(w, t.Format(i))
	}
}
