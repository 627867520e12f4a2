package cli

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/faultline-sim/faultline/realserver"
	"github.com/faultline-sim/faultline/realserver/realservertest"
	"github.com/stretchr/testify/require"
)

// needRedis skips outside CI when redis-server is missing, and fails in CI.
func needRedis(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		realservertest.Require(t, fmt.Errorf("redis-server %w", realserver.ErrMissing))
	}
}

func TestLiveListShowsTheScenariosWithTheirVerdicts(t *testing.T) {
	code, out, _ := simrun("live", "list")
	require.Equal(t, 0, code)
	for _, want := range []string{"live-redis-pause ", "live-redlock-pause", "live-redis-failover", "live-zk-session-expiry", "live-redis-fenced", "live-zk-fenced", "expect violation", "expect ok"} {
		require.Contains(t, out, want)
	}
}

// A violation exits 1, and the JSON has every key simrun run --json has.
func TestLiveRunExitsOneAndItsJSONHasRunsKeys(t *testing.T) {
	needRedis(t)
	code, out, errOut := simrun("live", "live-redis-pause", "--seed", "3", "--json")
	require.Equal(t, 1, code, errOut)
	var live map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &live))
	code, out, _ = simrun("run", "redis-lock-pause", "--seed", "1", "--json")
	require.Equal(t, 1, code)
	var sim map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &sim))
	for k := range sim {
		require.Contains(t, live, k)
	}
	require.Equal(t, "violation", live["verdict"])
	require.Equal(t, "simrun live live-redis-pause --seed 3", live["reproduce"])
	info := live["live"].(map[string]any)
	require.Equal(t, false, info["deterministic"])
	require.Contains(t, info["stands_in"], "clock jump")
}

// The plan is printed, saved, and runs again; the history file is read by
// simrun check with the verdict the live run's own lock checker gave.
func TestLivePlanSavedAndRerunAndHistoryChecked(t *testing.T) {
	needRedis(t)
	dir := t.TempDir()
	plan, hist := filepath.Join(dir, "plan.json"), filepath.Join(dir, "h.jsonl")
	code, out, errOut := simrun("live", "live-redis-fenced", "--seed", "4", "--save-plan", plan, "--history", hist)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "in job 1: pause client c1")
	require.Contains(t, out, "lock-linear   ok")
	require.Contains(t, out, "verdict    ok (as expected)")
	require.Contains(t, out, "not deterministic")
	code, _, errOut = simrun("check", "--model", "lock", hist)
	require.Equal(t, 0, code, errOut)
	facts, err := os.ReadFile(hist + ".facts")
	require.NoError(t, err)
	require.Contains(t, string(facts), "storage-write lock from=c1")

	code, out, errOut = simrun("live", "live-redis-fenced", "--plan", plan)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "run again  simrun live live-redis-fenced --plan "+plan)
}

func TestLiveBadInputExitsTwoWithOneLine(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"scenario": "live-redis-pause", "seed": 1, "clients": [{"name": "c1", "start_ms": 0, "jobs": 0, "work_ms": 1}], "steps": []}`), 0o644))
	other := filepath.Join(dir, "other.json")
	code, _, _ := simrun("live", "live-zk-fenced", "--save-plan", other, "--use", "zk=127.0.0.1:1")
	require.Equal(t, 2, code)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"live", "live-nope"}, `unknown live scenario "live-nope"`},
		{[]string{"live", "live-redis-pause", "--plan", bad}, "clients[0].jobs 0"},
		{[]string{"live", "live-redis-pause", "--plan", other}, "the plan is for live-zk-fenced"},
		{[]string{"live", "live-redis-pause", "--plan", bad, "--seed", "2"}, "exclude each other"},
		{[]string{"live", "live-redis-pause", "--use", "redis=127.0.0.1:1"}, "server redis: unreachable at 127.0.0.1:1"},
		{[]string{"live", "live-redis-pause", "--use", "redis-9=127.0.0.1:1"}, `server "redis-9": live-redis-pause has no such server`},
	} {
		code, _, errOut := simrun(c.args...)
		require.Equal(t, 2, code, "%v", c.args)
		require.Contains(t, errOut, c.want)
		require.Equal(t, 1, strings.Count(errOut, "\n"), "one line: %q", errOut)
	}
	// A port in use is named.
	needRedis(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	code, _, errOut := simrun("live", "live-redis-pause", "--port", strconv.Itoa(port))
	require.Equal(t, 2, code)
	require.Contains(t, errOut, fmt.Sprintf("server redis: 127.0.0.1:%d: port in use", port))
	require.Equal(t, 1, strings.Count(errOut, "\n"))

	// A missing binary is named.
	t.Setenv("PATH", dir)
	code, _, errOut = simrun("live", "live-redis-pause")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "redis-server not installed")
	require.Equal(t, 1, strings.Count(errOut, "\n"))
}

func TestLiveHelpNamesEveryFlag(t *testing.T) {
	code, out, _ := simrun("live", "--help")
	require.Equal(t, 0, code)
	var flags []string
	for _, f := range []string{"--seed", "--json", "--plan", "--save-plan", "--history", "--trace", "--port", "--use", "--lin-timeout"} {
		if !strings.Contains(out, f) {
			flags = append(flags, f)
		}
	}
	sort.Strings(flags)
	require.Empty(t, flags)
}
