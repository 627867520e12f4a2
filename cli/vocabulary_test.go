package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// A program of one's own names itself in help, errors and reproduce lines.
func TestAProgramOfOnesOwnNamesItself(t *testing.T) {
	var out, errs bytes.Buffer
	code := Run([]string{"run", "2pc-bank-faults", "--seed", "1", "--bug", "commit-on-partial-votes"}, &out, &errs, Name("mylock"))
	require.Equal(t, 1, code)
	require.Contains(t, out.String(), "reproduce  mylock run 2pc-bank-faults --seed 1 --bug commit-on-partial-votes\n")
	require.NotContains(t, out.String(), "simrun")

	out.Reset()
	code = Run([]string{"sweep", "2pc-bank-faults", "--seeds", "1-3", "--bug", "commit-on-partial-votes"}, &out, &errs, Name("mylock"))
	require.Equal(t, 1, code)
	require.Contains(t, out.String(), "  mylock run 2pc-bank-faults --seed 1 --bug commit-on-partial-votes ")
	require.Contains(t, out.String(), "shrink the first to its essential faults: mylock shrink 2pc-bank-faults --seed 1 --bug commit-on-partial-votes")

	out.Reset()
	require.Equal(t, 0, Run([]string{"run", "--help"}, &out, &errs, Name("mylock")))
	require.Contains(t, out.String(), "mylock run SCENARIO --seed N")
	require.Contains(t, out.String(), "for mylock replay")
	require.NotContains(t, out.String(), "simrun")

	errs.Reset()
	require.Equal(t, 2, Run([]string{"run", "nope", "--seed", "1"}, &out, &errs, Name("mylock")))
	require.Equal(t, "mylock: unknown scenario \"nope\" (mylock list shows them all)\n", errs.String())
}

func TestVersion(t *testing.T) {
	code, out, _ := simrun("--version")
	require.Equal(t, 0, code)
	require.Regexp(t, `^simrun version \S+`, out)
	var b, e bytes.Buffer
	require.Equal(t, 0, Run([]string{"--version"}, &b, &e, Name("mylock"), Version("1.2.3")))
	require.Equal(t, "mylock version 1.2.3\n", b.String())
}

// complete asks cobra's completion machinery what it offers after args.
func complete(t *testing.T, args ...string) []string {
	code, out, errs := simrun(append([]string{"__complete"}, args...)...)
	require.Equal(t, 0, code, errs)
	var names []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.HasPrefix(l, ":") {
			names = append(names, strings.SplitN(l, "\t", 2)[0])
		}
	}
	return names
}

func TestShellCompletion(t *testing.T) {
	require.Contains(t, complete(t, "run", "2pc-coord"), "2pc-coordinator-crash")
	require.Contains(t, complete(t, "sweep", ""), "leasebox-faults")
	bugs := complete(t, "run", "2pc-bank", "--bug", "")
	require.Subset(t, bugs, []string{"commit-on-partial-votes", "presume-abort-on-restart"})
	require.NotContains(t, bugs, "volatile-leases")                           // 2PC's bugs only
	require.Contains(t, complete(t, "sweep", "--bug", ""), "volatile-leases") // no scenario yet: every bug
	require.Subset(t, complete(t, "compare", "--protocols", ""), []string{"2pc", "3pc", "paxoscommit"})
	require.Subset(t, complete(t, "compare", "--fault-classes", ""), []string{"none", "coordinator-crash", "partition"})
	require.Equal(t, []string{"lock", "register"}, complete(t, "check", "--model", ""))
	require.Equal(t, []string{"text", "json", "html"}, complete(t, "run", "--format", ""))
	code, out, _ := simrun("completion", "bash")
	require.Equal(t, 0, code)
	require.Contains(t, out, "__start_simrun")
}

func TestListJSONHasBugsWithDescriptions(t *testing.T) {
	code, out, _ := simrun("list", "--json")
	require.Equal(t, 0, code)
	var j struct {
		Scenarios []scenarioJSON `json:"scenarios"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &j))
	for _, s := range j.Scenarios {
		require.NotEmpty(t, s.Description, s.Name)
		require.Len(t, s.Bugs, len(s.PlantedBugs), s.Name)
		for i, b := range s.Bugs {
			require.Equal(t, s.PlantedBugs[i], b.Name)
			require.NotEmpty(t, b.Description, "%s: %s", s.Name, b.Name)
		}
	}
	code, same, _ := simrun("list", "--format", "json")
	require.Equal(t, 0, code)
	require.Equal(t, out, same)
}

func TestCheckJSONAndStdin(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "check", "register-illegal.jsonl"))
	require.NoError(t, err)
	root := New(Name("simrun"))
	var out, errs bytes.Buffer
	root.SetIn(bytes.NewReader(data))
	root.SetOut(&out)
	root.SetErr(&errs)
	root.SetArgs([]string{"check", "-", "--model", "register", "--json"})
	require.Equal(t, exitCode(1), root.Execute())
	var j checkJSON
	require.NoError(t, json.Unmarshal(out.Bytes(), &j), out.String())
	require.Equal(t, "violation", string(j.Verdict))
	require.NotEmpty(t, j.Failures)
	require.Empty(t, j.Visualizations, "no picture unless asked")

	// A bad line read from stdin is named by "stdin" and its line.
	root = New(Name("simrun"))
	root.SetIn(strings.NewReader("{\"client\": 1, \"op\": \"write\", \"value\": 1, \"call\": 0, \"return\": 1}\n{\"client\": \"x\"}\n"))
	root.SetOut(&out)
	root.SetErr(&errs)
	root.SetArgs([]string{"check", "-", "--model", "register"})
	err = root.Execute()
	require.ErrorContains(t, err, "stdin:2")
}

// A violating run, sweep or check writes porcupine's pictures only when
// asked, and then says where.
func TestNoFilesNobodyAskedFor(t *testing.T) {
	history, err := filepath.Abs(filepath.Join("testdata", "check", "register-illegal.jsonl"))
	require.NoError(t, err)
	t.Chdir(t.TempDir())
	code, out, _ := simrun("run", "optimistic-inventory", "--seed", "1", "--bug", "ignore-version")
	require.Equal(t, 1, code)
	require.NotContains(t, out, "visualization")
	code, _, _ = simrun("sweep", "optimistic-inventory", "--seeds", "1-2", "--bug", "ignore-version")
	require.Equal(t, 1, code)
	code, _, _ = simrun("check", history, "--model", "register")
	require.Equal(t, 1, code)
	left, err := filepath.Glob("*")
	require.NoError(t, err)
	require.Empty(t, left)

	html := filepath.Join("pics", "h.html")
	code, out, _ = simrun("check", history, "--model", "register", "--html", html)
	require.Equal(t, 1, code)
	require.Contains(t, out, "visualization: "+html)
	require.FileExists(t, html)
}

func TestJSONWithTraceHasTheTrace(t *testing.T) {
	code, out, _ := simrun("run", "2pc-coordinator-crash", "--seed", "1", "--json", "--trace")
	require.Equal(t, 0, code)
	var j struct {
		TraceHash string   `json:"trace_hash"`
		Trace     []string `json:"trace"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &j))
	require.NotEmpty(t, j.Trace)
	_, text, _ := simrun("run", "2pc-coordinator-crash", "--seed", "1", "--trace")
	require.True(t, strings.HasPrefix(text, strings.Join(j.Trace, "\n")+"\n"), "the JSON trace is the text trace")

	code, out, _ = simrun("run", "2pc-coordinator-crash", "--seed", "1", "--json")
	require.Equal(t, 0, code)
	require.NotContains(t, out, `"trace":`)
}

func TestShrinkJSON(t *testing.T) {
	dir := t.TempDir()
	saved := filepath.Join(dir, "min.json")
	code, out, _ := simrun("shrink", "3pc-faults", "--seed", "83", "--json", "--save", saved)
	require.Equal(t, 1, code)
	var j struct {
		Run struct {
			Verdict string `json:"verdict"`
		} `json:"run"`
		Original int             `json:"original_faults"`
		Minimal  int             `json:"minimal_faults"`
		Runs     int             `json:"runs"`
		Checkers []string        `json:"checkers"`
		Schedule json.RawMessage `json:"minimal_schedule"`
		Saved    string          `json:"saved"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &j), out)
	require.Equal(t, "violation", j.Run.Verdict)
	require.Equal(t, 20, j.Original)
	require.Equal(t, 1, j.Minimal)
	require.Equal(t, 9, j.Runs)
	require.Equal(t, saved, j.Saved)
	require.FileExists(t, saved)
}

func TestSaveDirIsCreated(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "dir")
	code, out, errs := simrun("crashpoints", "2pc-bank", "--bug", "presume-abort-on-restart", "--restart-after", "30ms", "--per-kind", "2", "--save-dir", dir)
	require.Equal(t, 1, code, errs)
	require.Contains(t, out, "replay "+filepath.Join(dir, "crashpoint-1.json"))
	require.FileExists(t, filepath.Join(dir, "crashpoint-1.json"))
}

func TestFormatHTMLWritesThePageToStdout(t *testing.T) {
	code, out, _ := simrun("run", "2pc-coordinator-crash", "--seed", "1", "--format", "html")
	require.Equal(t, 0, code)
	require.True(t, strings.HasPrefix(out, "<!DOCTYPE html>"), out[:min(80, len(out))])
	code, out, _ = simrun("sweep", "2pc-bank", "--seeds", "1-2", "--format", "html")
	require.Equal(t, 0, code)
	require.True(t, strings.HasPrefix(out, "<!DOCTYPE html>"), out[:min(80, len(out))])
}

// --lin-timeout reaches the runs of every command that judges one.
func TestLinTimeoutEverywhere(t *testing.T) {
	saved := filepath.Join(t.TempDir(), "lm.json")
	code, _, _ := simrun("run", "lockmgr-contention", "--seed", "1", "--save", saved)
	require.Equal(t, 0, code)
	_, out, _ := simrun("replay", saved, "--lin-timeout", "1ns")
	require.Contains(t, out, "lock-linear   unknown   lock history: search timed out after 1ns")
	require.Contains(t, out, "identical to the saved run")
	_, out, _ = simrun("crashpoints", "lockmgr-contention", "--per-kind", "1", "--lin-timeout", "1ns", "--json")
	var cp struct{ OK, Unknown int }
	require.NoError(t, json.Unmarshal([]byte(out), &cp))
	// Without the bound no point is unknown; with 1ns most are. Not all:
	// a search small enough may finish before porcupine looks at its clock.
	require.Positive(t, cp.Unknown)
	for _, args := range [][]string{
		{"replay", saved, "--lin-timeout", "0"},
		{"shrink", "redlock-faults", "--seed", "1", "--lin-timeout", "0"},
		{"crashpoints", "lockmgr-contention", "--lin-timeout", "-1s"},
	} {
		code, _, errs := simrun(args...)
		require.Equal(t, 2, code, "%v", args)
		require.Contains(t, errs, "--lin-timeout must be positive", "%v", args)
	}
}

// A count that is off unless given refuses zero when given.
func TestOptionalCountsRefuseZero(t *testing.T) {
	for _, args := range [][]string{
		{"sweep", "2pc-bank", "--seeds", "1-2", "--check-determinism", "0"},
		{"bugs", "--check", "--limit", "0"},
		{"coverage", "2pc-bank", "--seeds", "1-2", "--universe-seeds", "0"},
		{"search", "2pc-bank", "--bug", "commit-on-partial-votes", "--budget", "0"},
	} {
		code, out, errs := simrun(args...)
		require.Equal(t, 2, code, "%v: %s", args, out)
		require.Contains(t, errs, "must be at least 1, got 0", "%v", args)
	}
}
