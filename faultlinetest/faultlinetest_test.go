package faultlinetest

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/internal/faket"
	"github.com/faultline-sim/faultline/internal/scenariotest"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/stretchr/testify/require"
)

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
	ft := &faket.T{TestName: "TestX"}
	Seeds(ft, scenariotest.Get(t, "2pc-bank-faults"), 1, 5, Options{Bug: "commit-on-partial-votes", RunDir: t.TempDir()})
	require.True(t, ft.Failed())
	require.Len(t, ft.Errors, 1)
	msg := ft.Errors[0]
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
	ft := &faket.T{TestName: "TestX"}
	Seeds(ft, scenariotest.Get(t, "2pc-bank-faults"), 1, 5, Options{})
	require.False(t, ft.Failed(), "%v", ft.Errors)
	require.Equal(t, []string{"faultlinetest: 2pc-bank-faults: seeds 1-5, no safety violation"}, ft.Logs)
}

func TestFaultsFindsAPlantedBugUnderDrawnFaults(t *testing.T) {
	require.NoError(t, flag.Set("rapid.nofailfile", "true"))
	// About 1.6% of drawn schedules hit the bug: 100 draws missed it in
	// one run of five, 1,000 leave a chance of about 1e-7. rapid stops at
	// the first failure, so the usual cost is some 60 draws.
	old := flag.Lookup("rapid.checks").Value.String()
	require.NoError(t, flag.Set("rapid.checks", "1000"))
	t.Cleanup(func() { _ = flag.Set("rapid.checks", old) })
	ft := &faket.T{TestName: "TestX"}
	s := scenariotest.Get(t, "2pc-bank")
	sys := s.System.(scenarios.CommitBank)
	sys.Bank.Transfers = 20 // fewer transfers, quicker runs while rapid shrinks
	s.System = sys
	Faults(ft, s, Options{Bug: "presume-abort-on-restart", RunDir: t.TempDir()})
	require.True(t, ft.Failed())
	all := strings.Join(ft.Errors, "\n")
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
	ft := &faket.T{TestName: "TestX"}
	Faults(ft, scenariotest.Get(t, "2pc-coordinator-crash-restart"), Options{})
	require.False(t, ft.Failed(), "%v", ft.Errors)
	require.Len(t, ft.Logs, 1)
	require.Contains(t, ft.Logs[0], "[rapid] OK, passed 100 tests")
}

func TestLoadReadsAFileOrFailsWithItsLine(t *testing.T) {
	path := filepath.Join("..", "scenarios", "builtin", "2pc-bank.yaml")
	ft := &faket.T{TestName: "TestX"}
	s := Load(ft, path)
	require.False(t, ft.Failed(), "%v", ft.Errors)
	require.Equal(t, path, s.Name)
	Seeds(ft, s, 1, 2, Options{})
	require.False(t, ft.Failed(), "%v", ft.Errors)

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(bad, []byte(strings.Replace(string(data), "transfers: 100", "transfers: many", 1)), 0o644))
	Load(ft, bad)
	require.True(t, ft.Failed())
	require.Contains(t, ft.Errors[0], bad+":")
	require.Contains(t, ft.Errors[0], ": workload.transfers: want a whole number")
}
