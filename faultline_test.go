package faultline_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/faultline-sim/faultline"
	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/stretchr/testify/require"
)

func TestLoadTellsNamesFromPaths(t *testing.T) {
	_, err := faultline.Load("no-such-scenario")
	require.ErrorContains(t, err, `unknown scenario "no-such-scenario"`)

	_, err = faultline.Load("missing.yaml")
	require.ErrorContains(t, err, "missing.yaml")
	require.ErrorIs(t, err, os.ErrNotExist)

	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("name: x\nexpect: ok\nsystem: {protocol: 2pc}\nlimits: {max-time: 1s}\nparticipants: 3\n"), 0o644))
	_, err = faultline.Load(bad)
	var fe *scenarios.FileError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, 5, fe.Line)

	// A built-in by path runs as it does by name; only its name differs.
	file, ok := scenarios.BuiltinFile("lockmgr-crash")
	require.True(t, ok)
	path := filepath.Join(dir, "lockmgr-crash.yaml")
	require.NoError(t, os.WriteFile(path, file, 0o644))
	byPath, err := faultline.Load(path)
	require.NoError(t, err)
	require.Equal(t, path, byPath.Name)
	byName, err := faultline.Load("lockmgr-crash")
	require.NoError(t, err)
	a, err := faultline.Run(byPath, faultline.RunOptions{Seed: 2})
	require.NoError(t, err)
	b, err := faultline.Run(byName, faultline.RunOptions{Seed: 2})
	require.NoError(t, err)
	require.Equal(t, b.TraceHash, a.TraceHash)
}

func TestReplaySaysWhenItDiverges(t *testing.T) {
	s, err := faultline.Load("2pc-coordinator-crash")
	require.NoError(t, err)
	out, err := faultline.Run(s, faultline.RunOptions{Seed: 4})
	require.NoError(t, err)
	saved := faultline.SaveRun(out)
	_, err = faultline.Replay(saved)
	require.NoError(t, err)

	tampered := bytes.Replace(saved, []byte(out.TraceHash), []byte("0000000000000000"), 1)
	again, err := faultline.Replay(tampered)
	require.True(t, errors.Is(err, faultline.ErrDiverged), "%v", err)
	require.Equal(t, out.TraceHash, again.TraceHash)

	_, err = faultline.Replay([]byte(`{"scenario": "x"}`))
	require.ErrorContains(t, err, "trace_hash")
}

func TestShrinkRefusesARunWithoutViolation(t *testing.T) {
	s, err := faultline.Load("2pc-bank")
	require.NoError(t, err)
	_, err = faultline.Shrink(s, faultline.ShrinkOptions{Seed: 1})
	require.ErrorContains(t, err, "no violation to shrink")
}

func TestShrinkPassesTheSearchBoundDown(t *testing.T) {
	s, err := faultline.Load("redis-lock-pause")
	require.NoError(t, err)
	res, err := faultline.Shrink(s, faultline.ShrinkOptions{Seed: 1, LinTimeout: time.Nanosecond})
	require.NoError(t, err)
	var lin *checker.Result
	for i, r := range res.Outcome.Results {
		if r.Checker == "redis-linear" {
			lin = &res.Outcome.Results[i]
		}
	}
	require.NotNil(t, lin)
	require.Equal(t, faultline.Unknown, lin.Verdict, lin.Message)
}
