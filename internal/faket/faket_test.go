package faket

import (
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

var _ rapid.TB = (*T)(nil) // rapid.Check can report to it

func TestRecordsInsteadOfFailing(t *testing.T) {
	f := &T{TestName: "TestX"}
	f.Log("a", 1)
	require.False(t, f.Failed())
	f.Fatalf("bad %d", 2)
	f.Error("worse")
	require.True(t, f.Failed())
	require.Equal(t, []string{"bad 2", "worse"}, f.Errors)
	require.Equal(t, []string{"a1"}, f.Logs)
	require.Equal(t, "TestX", f.Name())
}
