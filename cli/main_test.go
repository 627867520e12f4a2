package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline-sim/faultline/internal/sweep"
	"github.com/stretchr/testify/require"
)

func simrun(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

// fileIn writes body to the file name in dir and returns its path.
func fileIn(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	return p
}

// triggerFile writes a fault file whose one trigger crashes the
// coordinator when a fact of kind on has attribute where true.
func triggerFile(t *testing.T, on, where string) string {
	t.Helper()
	return fileIn(t, t.TempDir(), "trigger.json", `{"actions":[],"triggers":[{"on":"`+on+`","node":"coordinator","where":{"`+where+`":"true"},"do":[{"kind":"crash","node":"coordinator"}]}]}`)
}

func TestListShowsEveryScenarioWithItsExpectedVerdict(t *testing.T) {
	code, out, _ := simrun("list")
	require.Equal(t, 0, code)
	for _, want := range []string{"2pc-bank ", "2pc-bank-faults", "2pc-coordinator-crash ", "expect blocked", "expect ok"} {
		require.Contains(t, out, want)
	}
}

func TestRunCoordinatorCrashIsBlockedNotAViolation(t *testing.T) {
	code, out, errOut := simrun("run", "2pc-coordinator-crash", "--seed", "1")
	require.Equal(t, 0, code, errOut)
	for _, want := range []string{"verdict    blocked (as expected)", "blocked participants", "uncertain since", "holding acct-", "trace hash ", "atomicity     ok"} {
		require.Contains(t, out, want)
	}
}

func TestRunJSONHasTheDocumentedFields(t *testing.T) {
	code, out, _ := simrun("run", "2pc-coordinator-crash", "--seed", "1", "--json")
	require.Equal(t, 0, code)
	var j map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &j))
	for _, k := range []string{"scenario", "seed", "verdict", "violations", "blocked", "events", "sim_time_ns", "trace_hash"} {
		require.Contains(t, j, k)
	}
	require.Equal(t, "blocked", j["verdict"])
	require.Len(t, j["blocked"], 2)
	require.Empty(t, j["violations"])
}

func TestRunWithAPlantedBugExitsOneWithAReproduceCommand(t *testing.T) {
	code, out, _ := simrun("run", "2pc-bank-faults", "--seed", "1", "--bug", "commit-on-partial-votes")
	require.Equal(t, 1, code)
	require.Contains(t, out, "atomicity     violation")
	require.Contains(t, out, "reproduce  simrun run 2pc-bank-faults --seed 1 --bug commit-on-partial-votes")
}

func TestSameSeedSameTraceHashFromTheCLI(t *testing.T) {
	hash := func(args ...string) string {
		_, out, _ := simrun(append([]string{"run", "--json"}, args...)...)
		var j struct {
			TraceHash string `json:"trace_hash"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &j))
		return j.TraceHash
	}
	a := hash("2pc-bank-faults", "--seed", "5")
	require.Equal(t, a, hash("2pc-bank-faults", "--seed", "5"))
	require.NotEqual(t, a, hash("2pc-bank-faults", "--seed", "6"))
}

func TestSavedFaultScheduleReplaysTheSameRun(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "faults.json")
	code, first, _ := simrun("run", "2pc-bank-faults", "--seed", "3", "--save-faults", file)
	require.Equal(t, 0, code)
	code, again, _ := simrun("run", "2pc-bank-faults", "--seed", "3", "--faults", file)
	require.Equal(t, 0, code)
	require.Equal(t, first, again)
}

func TestSweepIsIdenticalForAnyWorkerCount(t *testing.T) {
	strip := func(s string) map[string]any {
		var j map[string]any
		require.NoError(t, json.Unmarshal([]byte(s), &j))
		delete(j, "elapsed_seconds")
		return j
	}
	code1, one, _ := simrun("sweep", "2pc-bank-faults", "--seeds", "1-30", "--workers", "1", "--json", "--bug", "presume-abort-on-restart")
	code2, two, _ := simrun("sweep", "2pc-bank-faults", "--seeds", "1-30", "--workers", "2", "--json", "--bug", "presume-abort-on-restart")
	require.Equal(t, code1, code2)
	require.Equal(t, strip(one), strip(two))
	j := strip(one)
	for _, k := range []string{"runs", "ok", "blocked", "violation", "failing_seeds"} {
		require.Contains(t, j, k)
	}
	require.EqualValues(t, 30, j["runs"])
	require.Positive(t, j["violation"], "the planted bug is caught")
}

func TestSweepTextListsReproduceCommands(t *testing.T) {
	code, out, _ := simrun("sweep", "2pc-bank-faults", "--seeds", "1-20", "--bug", "commit-on-partial-votes")
	require.Equal(t, 1, code)
	require.Contains(t, out, "first failing seeds")
	require.Contains(t, out, "simrun run 2pc-bank-faults --seed ")
	require.Contains(t, out, "[replays: ")
}

// An unknown is not a pass: the summary names the first unknown seeds and
// why the first could not be judged. Seed 2130 of 2pc-bank-faults crashes
// the coordinator before any transaction begins.
func TestSweepTextSaysWhyARunIsUnknown(t *testing.T) {
	code, out, _ := simrun("sweep", "2pc-bank-faults", "--seeds", "2125-2135")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "unknown 1 (scenario expects ok)")
	require.Contains(t, out, "first unknown seeds: [2130] (seed 2130: atomicity: no evidence: the run recorded none of the facts it reads")
}

// Bad input: a one-line error naming the problem, exit status 2.
func TestBadInputExitsTwoWithOneLine(t *testing.T) {
	bad := fileIn(t, t.TempDir(), "bad.json", `{"actions":[{"kind":"crash","node":"nobody"}]}`)
	jump := fileIn(t, t.TempDir(), "jump.json", `{"actions":[{"kind":"clock-jump","node":"coordinator"}]}`)
	onTypo, whereTypo := triggerFile(t, "votes-inn", "all-yes"), triggerFile(t, "votes-in", "all_yes")
	cases := map[string][]string{
		`unknown scenario "nope"`:                                                 {"run", "nope", "--seed", "1"},
		"--seed is required":                                                      {"run", "2pc-bank"},
		`invalid argument "x"`:                                                    {"run", "2pc-bank", "--seed", "x"},
		"unknown flag: --frobnicate":                                              {"run", "2pc-bank", "--seed", "1", "--frobnicate"},
		"missing scenario name":                                                   {"run", "--seed", "1"},
		"start 9 is after end 1":                                                  {"sweep", "2pc-bank", "--seeds", "9-1"},
		"--seeds is required":                                                     {"sweep", "2pc-bank"},
		"sweep: --workers must be at least 1, got -1":                             {"sweep", "2pc-bank", "--seeds", "1-2", "--workers", "-1"},
		"sweep: --workers must be at least 1, got 0":                              {"sweep", "2pc-bank", "--seeds", "1-2", "--workers", "0"},
		"compare: --workers must be at least 1, got 0":                            {"compare", "--workers", "0"},
		"crashpoints: --per-kind must be at least 1, got 0":                       {"crashpoints", "2pc-bank", "--per-kind", "0"},
		"shrink: --max-runs must be at least 1, got 0":                            {"shrink", "2pc-bank-faults", "--seed", "1", "--max-runs", "0"},
		"run: --lin-timeout must be positive, got 0s":                             {"run", "2pc-bank", "--seed", "1", "--lin-timeout", "0"},
		"check: --lin-timeout must be positive, got 0s":                           {"check", "x.jsonl", "--model", "lock", "--lin-timeout", "0"},
		`crashpoints: --nodes "coordinator,,participant-1": an empty item`:        {"crashpoints", "2pc-bank", "--nodes", "coordinator,,participant-1"},
		`crashpoints: --nodes "coordinator,coordinator": coordinator given twice`: {"crashpoints", "2pc-bank", "--nodes", "coordinator,coordinator"},
		`compare: --protocols "2pc,2pc": 2pc given twice`:                         {"compare", "--protocols", "2pc,2pc"},
		`compare: --protocols: unknown name "4pc"`:                                {"compare", "--protocols", "4pc"},
		`compare: --fault-classes: unknown name "meteor"`:                         {"compare", "--fault-classes", "meteor"},
		"compare: --faults is a fault schedule file in every command; compare's fault classes are --fault-classes crash": {"compare", "--faults", "crash"},
		"compare: --seeds 300: compare runs seeds 1-N, a range (e.g. --seeds 1-300)":                                     {"compare", "--seeds", "300"},
		`run: --format must be one of text, json, html, got "yaml"`:                                                      {"run", "2pc-bank", "--seed", "1", "--format", "yaml"},
		"run: --json and --format html disagree":                                                                         {"run", "2pc-bank", "--seed", "1", "--json", "--format", "html"},
		"--lin-timeout must be positive":                                                                                 {"sweep", "2pc-bank", "--seeds", "1-2", "--lin-timeout", "-1s"},
		`unknown scenario "nope" (simrun list shows them all)`:                                                           {"show", "nope"},
		`unknown command "fly"`:                                                                                          {"fly"},
		`no planted bug "nope"`:                                                                                          {"run", "2pc-bank", "--seed", "1", "--bug", "nope"},
		"no such file or directory":                                                                                      {"run", "2pc-bank", "--seed", "1", "--faults", filepath.Join(t.TempDir(), "missing.json")},
		`run: ` + bad + `: scenario 2pc-bank: action 1: crash: unknown node "nobody"`:                                    {"run", "2pc-bank", "--seed", "1", "--faults", bad},
		`run: ` + jump + `: scenario 2pc-bank: action 1: clock-jump coordinator: duration is missing`:                    {"run", "2pc-bank", "--seed", "1", "--faults", jump},
		`trigger.json: fault schedule: trigger 1: "on": unknown fact kind "votes-inn" (did you mean "votes-in"?`:         {"run", "2pc-bank", "--seed", "1", "--faults", onTypo},
		`"where": fact kind votes-in has no attribute "all_yes" (did you mean "all-yes"? its attributes: txn, all-yes)`:  {"run", "2pc-bank", "--seed", "1", "--faults", whereTypo},
		`unknown scenario "nope" (simrun list sh`:                                                                        {"sweep", "nope", "--seeds", "1-2"},
	}
	for want, args := range cases {
		code, out, errOut := simrun(args...)
		require.Equal(t, 2, code, "%v: %s", args, errOut)
		require.Empty(t, out, "%v", args)
		require.Contains(t, errOut, want, "%v", args)
		require.Equal(t, 1, strings.Count(errOut, "\n"), "one line for %v: %q", args, errOut)
		require.True(t, strings.HasPrefix(errOut, "simrun: "), "%v: %q", args, errOut)
		require.NotContains(t, errOut, "simrun: simrun", "%v", args)
	}
}

func TestEverySubcommandHasItsOwnHelp(t *testing.T) {
	for _, sub := range []string{"list", "run", "sweep", "replay", "shrink", "crashpoints"} {
		code, out, _ := simrun(sub, "--help")
		require.Equal(t, 0, code)
		require.Contains(t, out, "Usage:")
		require.Contains(t, out, "simrun "+sub)
	}
}

func TestReplayIsBitIdenticalOrSaysItIsNot(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "run.json")
	code, _, _ := simrun("run", "2pc-bank-faults", "--seed", "4", "--bug", "commit-on-partial-votes", "--save", file)
	require.Equal(t, 1, code)
	code, out, errOut := simrun("replay", file)
	require.Equal(t, 1, code, errOut)
	require.Contains(t, out, "identical to the saved run")

	data, err := os.ReadFile(file)
	require.NoError(t, err)
	tampered := fileIn(t, dir, "tampered.json", strings.Replace(string(data), `"seed": 4`, `"seed": 5`, 1))
	code, _, errOut = simrun("replay", tampered)
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "diverged: saved trace hash")

	bad := fileIn(t, dir, "bad.json", `{"scenario": "2pc-bank", "sed": 1}`)
	code, _, errOut = simrun("replay", bad)
	require.Equal(t, 2, code)
	require.Contains(t, errOut, `unknown field "sed"`)
	require.Equal(t, 1, strings.Count(errOut, "\n"))
}

func TestShrinkFindsTheFewFaultsThatMatter(t *testing.T) {
	file := filepath.Join(t.TempDir(), "min.json")
	code, out, errOut := simrun("shrink", "3pc-faults", "--seed", "83", "--save", file)
	require.Equal(t, 1, code, errOut)
	require.Contains(t, out, "to 1 in")
	require.Contains(t, out, "minimal fault schedule")
	code, out, _ = simrun("replay", file)
	require.Equal(t, 1, code)
	require.Contains(t, out, "identical to the saved run")

	code, _, errOut = simrun("shrink", "2pc-bank", "--seed", "1")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "no violation to shrink")
}

func TestCrashPointsCommand(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := simrun("crashpoints", "2pc-bank", "--bug", "presume-abort-on-restart", "--restart-after", "30ms", "--per-kind", "5", "--save-dir", dir)
	require.Equal(t, 1, code, errOut)
	require.Contains(t, out, "crash points run, each crashed node restarted after 30ms")
	require.Regexp(t, `boundaries \d+ effect boundaries, \d+ distinct`, out)
	require.Contains(t, out, "simrun replay "+filepath.Join(dir, "crashpoint-1.json"))
	code, out, _ = simrun("replay", filepath.Join(dir, "crashpoint-1.json"))
	require.Equal(t, 1, code)
	require.Contains(t, out, "identical to the saved run")

	code, _, _ = simrun("crashpoints", "2pc-bank", "--per-kind", "3")
	require.Equal(t, 0, code)
	code, _, errOut = simrun("crashpoints", "2pc-bank", "--nodes", "nobody")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, `no node "nobody"`)
}

// --chrome-trace and --html work on run, replay and shrink, and a bad file
// is a one-line error with exit 2.
func TestChromeTraceAndHTMLOnRunReplayAndShrink(t *testing.T) {
	dir := t.TempDir()
	runFile := filepath.Join(dir, "run.json")
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"run", "2pc-coordinator-crash", "--seed", "1", "--save", runFile}, 0},
		{[]string{"replay", runFile}, 0},
		{[]string{"shrink", "3pc-faults", "--seed", "83"}, 1},
	} {
		trace, page := filepath.Join(dir, c.args[0]+".trace.json"), filepath.Join(dir, c.args[0]+".html")
		code, _, errOut := simrun(append(c.args, "--chrome-trace", trace, "--html", page)...)
		require.Equal(t, c.code, code, "%v: %s", c.args, errOut)
		data, err := os.ReadFile(trace)
		require.NoError(t, err)
		var doc struct {
			TraceEvents []map[string]any `json:"traceEvents"`
		}
		require.NoError(t, json.Unmarshal(data, &doc), c.args[0])
		require.NotEmpty(t, doc.TraceEvents)
		html, err := os.ReadFile(page)
		require.NoError(t, err)
		require.Contains(t, string(html), `<script id="run-data"`)
	}
	code, _, errOut := simrun("run", "2pc-bank", "--seed", "1", "--chrome-trace", filepath.Join(dir, "no", "such", "dir", "t.json"))
	require.Equal(t, 2, code)
	require.Equal(t, 0, strings.Count(strings.TrimSpace(errOut), "\n"), errOut)
	require.Contains(t, errOut, "--chrome-trace")
}

func TestSweepCheckDeterminism(t *testing.T) {
	code, out, _ := simrun("sweep", "2pc-bank", "--seeds", "1-20", "--check-determinism", "3")
	require.Equal(t, 0, code)
	require.Contains(t, out, "determinism: 3 seeds run again with their trace stored, same trace hashes as in the sweep")

	code, out, _ = simrun("sweep", "2pc-bank", "--seeds", "1-20", "--check-determinism", "3", "--json")
	require.Equal(t, 0, code)
	var j struct {
		Reruns []sweep.Rerun `json:"determinism_reruns"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &j))
	require.Len(t, j.Reruns, 3)
	for _, x := range j.Reruns {
		require.Equal(t, x.SweepHash, x.RerunHash)
		require.Len(t, x.SweepHash, 16)
	}

	code, _, errOut := simrun("sweep", "2pc-bank", "--seeds", "1-2", "--check-determinism", "-1")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "--check-determinism must be at least 1")
}

// A differing rerun is exit status 1, naming the seed and how to run it.
// (The sweep package's test plants a real nondeterminism and shows the
// rerun catches it; this is the command's side.)
func TestDifferingRerunExitsOne(t *testing.T) {
	res := &sweep.Result{Scenario: "2pc-bank", Reruns: []sweep.Rerun{
		{Seed: 4, SweepHash: "aaaa", RerunHash: "aaaa"}, {Seed: 9, SweepHash: "bbbb", RerunHash: "cccc"}}}
	var out, errOut bytes.Buffer
	err := reportReruns(&out, &errOut, res, false)
	require.Equal(t, exitCode(1), err)
	require.Contains(t, errOut.String(), "seed 9 had trace hash bbbb in the sweep and cccc when run again")
	require.Contains(t, errOut.String(), "simrun run 2pc-bank --seed 9")
}

func TestSweepRowsHaveTraceHashes(t *testing.T) {
	file := filepath.Join(t.TempDir(), "rows.jsonl")
	code, _, _ := simrun("sweep", "2pc-bank", "--seeds", "1-5", "--rows", file)
	require.Equal(t, 0, code)
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	hashes := map[string]bool{}
	for sc := bufio.NewScanner(f); sc.Scan(); {
		var row struct {
			Seed      uint64 `json:"seed"`
			TraceHash string `json:"trace_hash"`
		}
		require.NoError(t, json.NewDecoder(strings.NewReader(sc.Text())).Decode(&row))
		require.Len(t, row.TraceHash, 16, "seed %d", row.Seed)
		hashes[row.TraceHash] = true
	}
	require.Len(t, hashes, 5, "five seeds, five runs")
	_, out, _ := simrun("run", "2pc-bank", "--seed", "3", "--json")
	var run struct {
		TraceHash string `json:"trace_hash"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &run))
	require.True(t, hashes[run.TraceHash], "the row of seed 3 has the run's hash")
}
