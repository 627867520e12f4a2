package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestProgressETAIsTheAverageRateSoFar(t *testing.T) {
	require.Equal(t, "sweep: 50/200 (25%) in 10s, about 30s left", progressLine("sweep", 50, 200, 10*time.Second))
	// A fast first second does not make the estimate: only done/elapsed.
	require.Equal(t, "x: 10/20 (50%) in 1m40s, about 1m40s left", progressLine("x", 10, 20, 100*time.Second))
	require.Equal(t, "x: 0/20 (0%) in 0s", progressLine("x", 0, 20, 0))
}

func TestProgressOnANonTerminalIsAPlainLineEveryInterval(t *testing.T) {
	var b bytes.Buffer
	p := newProgress(&b, "sweep")
	require.False(t, p.tty)
	p.every = time.Hour
	for i := 1; i < 100; i++ {
		p.Update(i, 100)
	}
	require.Empty(t, b.String(), "nothing before the interval has passed")
	p.every = 0
	p.Update(100, 200)
	require.Regexp(t, `^sweep: 100/200 \(50%\) in \d+s, about \d+s left\n$`, b.String())
	require.NotContains(t, b.String(), "\r", "no terminal control on a pipe")
	p.Finish()
	p.Update(150, 200)
	require.Equal(t, 1, strings.Count(b.String(), "\n"), "silent once finished")
}

// argsEnv carries simrun's arguments (JSON) to this test binary started
// again as a child process, which then acts as simrun: the CLI tests that
// need a process of their own (a signal, stderr a pipe) need no build, and
// leave nothing in the temp dir.
const argsEnv = "FAULTLINE_SIMRUN_ARGS"

// TestActAsSimrun is the child's body; it does nothing in a normal run.
func TestActAsSimrun(t *testing.T) {
	js, ok := os.LookupEnv(argsEnv)
	if !ok {
		t.Skip("only run as a child of the CLI process tests")
	}
	var args []string
	if err := json.Unmarshal([]byte(js), &args); err != nil {
		t.Fatal(err)
	}
	os.Exit(run(args, os.Stdout, os.Stderr))
}

// simrunCommand is simrun with args, as a child process.
func simrunCommand(t *testing.T, args ...string) *exec.Cmd {
	js, err := json.Marshal(args)
	require.NoError(t, err)
	cmd := exec.Command(os.Args[0], "-test.run=^TestActAsSimrun$")
	cmd.Env = append(os.Environ(), argsEnv+"="+string(js))
	return cmd
}

// interruptAfterProgress starts simrun with args, waits for its first
// progress line on stderr (a pipe, not a terminal), sends SIGINT, and
// returns the exit status, stdout and stderr.
func interruptAfterProgress(t *testing.T, progressLabel string, args ...string) (int, string, string) {
	cmd := simrunCommand(t, args...)
	cmd.Env = append(cmd.Env, "FAULTLINE_PROGRESS_EVERY=300ms")
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	errPipe, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	var stderr bytes.Buffer
	seen := make(chan struct{})
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(errPipe)
		once := sync.Once{}
		for sc.Scan() {
			stderr.WriteString(sc.Text() + "\n")
			if strings.HasPrefix(sc.Text(), progressLabel+": ") {
				once.Do(func() { close(seen) })
			}
		}
		_, _ = io.Copy(&stderr, errPipe)
	}()
	select {
	case <-seen:
	case <-time.After(60 * time.Second):
		t.Fatalf("no progress line within 60s; stderr so far: %s", stderr.String())
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	done := make(chan error, 1)
	go func() { <-copied; done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("simrun did not stop within 60s of SIGINT")
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	return code, stdout.String(), stderr.String()
}

var progressRE = `: \d+/\d+ \(\d+%\) in \d+s(, about [0-9hms.]+ left)?\n`

func TestSweepCtrlCPrintsThePartialResultAndExits130(t *testing.T) {
	code, out, errOut := interruptAfterProgress(t, "3pc-faults", "sweep", "3pc-faults", "--seeds", "1-1000000", "--workers", "1")
	require.Equal(t, 130, code, "stdout: %s\nstderr: %s", out, errOut)
	require.Regexp(t, "3pc-faults"+progressRE, errOut, "a plain progress line on a non-terminal")
	m := regexp.MustCompile(`interrupted: seeds 1-(\d+) covered \((\d+) of the 1000000 asked`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	covered, _ := strconv.Atoi(m[1])
	require.Positive(t, covered)
	require.Less(t, covered, 1000000)
	require.Contains(t, out, "seeds     1-"+m[1]+" ("+m[1]+" runs", "the partial result is for the covered seeds")
	require.Regexp(t, `verdicts  ok \d+, blocked \d+, violation \d+`, out)
}

func TestCompareCtrlCPrintsThePartialTableAndExits130(t *testing.T) {
	code, out, errOut := interruptAfterProgress(t, "compare", "compare", "--seeds", "1-100000", "--workers", "1", "--protocols", "2pc")
	require.Equal(t, 130, code, "stdout: %s\nstderr: %s", out, errOut)
	require.Regexp(t, "compare"+progressRE, errOut)
	m := regexp.MustCompile(`interrupted: seeds 1-(\d+) covered for every protocol and fault class \(of the 100000 asked\)`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	require.Contains(t, out, "comparison over seeds 1-"+m[1]+" ")
}

func TestCrashpointsCtrlCPrintsThePointsRunAndExits130(t *testing.T) {
	code, out, errOut := interruptAfterProgress(t, "3pc-bank crash points", "crashpoints", "3pc-bank", "--per-kind", "1000")
	require.Equal(t, 130, code, "stdout: %s\nstderr: %s", out, errOut)
	require.Regexp(t, "3pc-bank crash points"+progressRE, errOut)
	require.Regexp(t, `points    \d+ crash points \(interrupted: the first \d+ run\)`, out)
}
