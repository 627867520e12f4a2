package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestConvertsFilesIntoADirectory(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "etcd_007.log")
	require.NoError(t, os.WriteFile(in, []byte("INFO  jepsen.util - 3\t:invoke\t:write\t1\nINFO  jepsen.util - 3\t:ok\t:write\t1\n"), 0o644))
	require.NoError(t, run([]string{"-o", dir, in}, nil))
	got, err := os.ReadFile(filepath.Join(dir, "etcd_007.jsonl"))
	require.NoError(t, err)
	require.Equal(t, `{"client":3,"op":"write","value":2,"call":1,"return":2}`+"\n", string(got))

	var out bytes.Buffer
	require.NoError(t, run([]string{in}, &out))
	require.Equal(t, string(got), out.String())
}

func TestBadUsage(t *testing.T) {
	require.ErrorContains(t, run(nil, nil), "no input file")
	require.ErrorContains(t, run([]string{"a.log", "b.log"}, nil), "need -o DIR")
	require.ErrorContains(t, run([]string{"/nonexistent.log"}, nil), "no such file")
}
