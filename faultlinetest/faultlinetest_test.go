package faultlinetest

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/stretchr/testify/require"
)

// fakeT records what a check tells its test, so a test can assert on a
// failure without failing itself.
type fakeT struct {
	name   string
	failed bool
	errors []string
	logs   []string
}

func (f *fakeT) Helper()      {}
func (f *fakeT) Name() string { return f.name }
func (f *fakeT) Logf(format string, args ...any) {
	f.logs = append(f.logs, fmt.Sprintf(format, args...))
}
func (f *fakeT) Log(args ...any)      { f.logs = append(f.logs, fmt.Sprint(args...)) }
func (f *fakeT) Skipf(string, ...any) { panic("skip") }
func (f *fakeT) Skip(...any)          { panic("skip") }
func (f *fakeT) SkipNow()             { panic("skip") }
func (f *fakeT) Errorf(format string, args ...any) {
	f.failed = true
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}
func (f *fakeT) Error(args ...any)                 { f.Errorf("%s", fmt.Sprint(args...)) }
func (f *fakeT) Fatalf(format string, args ...any) { f.Errorf(format, args...) }
func (f *fakeT) Fatal(args ...any)                 { f.Error(args...) }
func (f *fakeT) FailNow()                          { f.failed = true }
func (f *fakeT) Fail()                             { f.failed = true }
func (f *fakeT) Failed() bool                      { return f.failed }

func get(t *testing.T, name string) scenarios.Spec {
	s, err := scenarios.Get(name)
	require.NoError(t, err)
	return s
}

var replayLine = regexp.MustCompile(`replay     simrun replay (\S+)`)

// The replay line's run file replays the failing run bit for bit.
func replaysIdentically(t *testing.T, msg string) {
	m := replayLine.FindStringSubmatch(msg)
	require.NotNil(t, m, msg)
	data, err := os.ReadFile(m[1])
	require.NoError(t, err)
	f, err := scenarios.ParseRunFile(data)
	require.NoError(t, err)
	out, err := scenarios.Replay(f, 0)
	require.NoError(t, err)
	require.Equal(t, f.TraceHash, out.TraceHash)
	require.Equal(t, checker.Violation, out.Verdict)
}

func TestSeedsFailsOnAPlantedBugWithTheWholeStory(t *testing.T) {
	ft := &fakeT{name: "TestX"}
	Seeds(ft, get(t, "2pc-bank-faults"), 1, 5, Options{Bug: "commit-on-partial-votes", RunDir: t.TempDir()})
	require.True(t, ft.failed)
	require.Len(t, ft.errors, 1)
	msg := ft.errors[0]
	for _, want := range []string{
		"faultline: 2pc-bank-faults seed 1 (planted bug commit-on-partial-votes): violation",
		"fault schedule, shrunk from ",
		"atomicity     violation",
		"replay     simrun replay ",
	} {
		require.Contains(t, msg, want)
	}
	shrunk := regexp.MustCompile(`shrunk from (\d+) to (\d+) faults`).FindStringSubmatch(msg)
	require.NotNil(t, shrunk)
	require.NotEqual(t, shrunk[1], shrunk[2], "shrinking removed faults")
	replaysIdentically(t, msg)
}

func TestSeedsPassesACorrectProtocol(t *testing.T) {
	ft := &fakeT{name: "TestX"}
	Seeds(ft, get(t, "2pc-bank-faults"), 1, 5, Options{})
	require.False(t, ft.failed, "%v", ft.errors)
	require.Equal(t, []string{"faultlinetest: 2pc-bank-faults: seeds 1-5, no safety violation"}, ft.logs)
}

func TestFaultsFindsAPlantedBugUnderDrawnFaults(t *testing.T) {
	require.NoError(t, flag.Set("rapid.nofailfile", "true"))
	ft := &fakeT{name: "TestX"}
	s := get(t, "2pc-bank")
	sys := s.System.(scenarios.CommitBank)
	sys.Bank.Transfers = 20 // fewer transfers, quicker runs while rapid shrinks
	s.System = sys
	Faults(ft, s, Options{Bug: "presume-abort-on-restart", RunDir: t.TempDir()})
	require.True(t, ft.failed)
	all := strings.Join(ft.errors, "\n")
	require.Contains(t, all, "[rapid] failed after")
	require.Contains(t, all, "faultline: 2pc-bank seed ")
	require.Contains(t, all, "(planted bug presume-abort-on-restart): violation")
	require.Contains(t, all, "crash participant-")
	replaysIdentically(t, all)
}

func TestFaultsPassesACorrectProtocol(t *testing.T) {
	if testing.Short() {
		t.Skip("100 drawn schedules")
	}
	ft := &fakeT{name: "TestX"}
	Faults(ft, get(t, "2pc-coordinator-crash-restart"), Options{})
	require.False(t, ft.failed, "%v", ft.errors)
	require.Len(t, ft.logs, 1)
	require.Contains(t, ft.logs[0], "[rapid] OK, passed 100 tests")
}

func TestLoadReadsAFileOrFailsWithItsLine(t *testing.T) {
	path := filepath.Join("..", "scenarios", "builtin", "2pc-bank.yaml")
	ft := &fakeT{name: "TestX"}
	s := Load(ft, path)
	require.False(t, ft.failed, "%v", ft.errors)
	require.Equal(t, path, s.Name)
	Seeds(ft, s, 1, 2, Options{})
	require.False(t, ft.failed, "%v", ft.errors)

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(bad, []byte(strings.Replace(string(data), "transfers: 100", "transfers: many", 1)), 0o644))
	Load(ft, bad)
	require.True(t, ft.failed)
	require.Contains(t, ft.errors[0], bad+":")
	require.Contains(t, ft.errors[0], ": workload.transfers: want a whole number")
}
