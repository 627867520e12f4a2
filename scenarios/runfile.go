package scenarios

import (
	"fmt"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/internal/strictjson"
)

// RunFile is a saved run: everything needed to replay it — scenario, seed,
// planted bug and the fault schedule as run — and what it gave, so a replay
// can prove it is bit-identical (same trace hash) or say that it is not.
type RunFile struct {
	Scenario  string          `json:"scenario"`
	Seed      uint64          `json:"seed"`
	Bug       string          `json:"bug,omitempty"`
	Faults    faults.Schedule `json:"faults"`
	TraceHash string          `json:"trace_hash"`
	Verdict   checker.Verdict `json:"verdict"`
}

// Record makes the run file of an outcome.
func Record(o *Outcome) RunFile {
	return RunFile{Scenario: o.Scenario, Seed: o.Seed, Bug: o.Bug, Faults: o.Schedule, TraceHash: o.TraceHash, Verdict: o.Verdict}
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
	return f, nil
}

// Replay runs a saved run again with its own fault schedule.
func Replay(f RunFile) (*Outcome, error) {
	s, err := Get(f.Scenario)
	if err != nil {
		return nil, err
	}
	plan := f.Faults
	return Run(s, Options{Seed: f.Seed, Bug: f.Bug, Schedule: &plan})
}
