package scenarios

import (
	"fmt"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/internal/strictjson"
)

// RunFile is a saved run: everything needed to replay it — scenario, seed,
// planted bug and the fault schedule as run — and what it gave, so a replay
// can prove it is bit-identical (same trace hash) or say that it is not.
//
// ScenarioFile is the scenario itself, resolved (EncodeSpec: every
// parameter, the topology, workload, network, checkers and limits written
// out), so a replay does not depend on the built-in scenario or on any
// default staying as it was. It is empty only for a system with no file
// form; such a run is replayed from the registered scenario of its name.
type RunFile struct {
	Scenario     string          `json:"scenario"`
	ScenarioFile string          `json:"scenario_file,omitempty"`
	Seed         uint64          `json:"seed"`
	Bug          string          `json:"bug,omitempty"`
	Faults       faults.Schedule `json:"faults"`
	TraceHash    string          `json:"trace_hash"`
	Verdict      checker.Verdict `json:"verdict"`
}

// Record makes the run file of an outcome.
func Record(o *Outcome) RunFile {
	f := RunFile{Scenario: o.Scenario, Seed: o.Seed, Bug: o.Bug, Faults: o.Schedule, TraceHash: o.TraceHash, Verdict: o.Verdict}
	if o.spec.System != nil {
		if b, err := EncodeSpec(o.spec); err == nil {
			f.ScenarioFile = string(b)
		}
	}
	return f
}

// Marshal is the file's JSON form.
func (f RunFile) Marshal() []byte { return strictjson.Indent(f) }

// ParseRunFile reads a run file, refusing unknown fields and missing parts.
func ParseRunFile(data []byte) (RunFile, error) {
	var f RunFile
	if err := strictjson.Decode(data, &f); err != nil {
		return RunFile{}, fmt.Errorf("run file: %w", err)
	}
	switch {
	case f.Scenario == "":
		return RunFile{}, fmt.Errorf("run file: \"scenario\" is missing")
	case f.TraceHash == "":
		return RunFile{}, fmt.Errorf("run file: \"trace_hash\" is missing")
	}
	if f.ScenarioFile != "" {
		if _, err := f.Spec(); err != nil {
			return RunFile{}, err
		}
	}
	return f, nil
}

// Replay runs a saved run again with its own fault schedule. linTimeout
// bounds each linearizability search (0: the default); it changes
// verdicts that ran out of time, never the trace.
func Replay(f RunFile, linTimeout time.Duration) (*Outcome, error) {
	s, err := f.Spec()
	if err != nil {
		return nil, err
	}
	plan := f.Faults
	return Run(s, Options{Seed: f.Seed, Bug: f.Bug, Schedule: &plan, LinTimeout: linTimeout})
}

// Spec is the scenario of a saved run: its own resolved scenario file, or
// for an older file without one the registered scenario of its name.
func (f RunFile) Spec() (Spec, error) {
	if f.ScenarioFile == "" {
		return Get(f.Scenario)
	}
	s, err := Parse("scenario_file", []byte(f.ScenarioFile))
	if err != nil {
		return Spec{}, fmt.Errorf("run file: %w", err)
	}
	s.Name = f.Scenario
	return s, nil
}
