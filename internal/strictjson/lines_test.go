package strictjson

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLinesSkipsBlankLinesAndNumbersTheRest(t *testing.T) {
	var got []string
	var nums []int
	n, err := Lines(strings.NewReader("{\"name\": \"a\"}\n\n  \n\t{\"name\": \"b\"} \n"), 1<<10, func(n int, line []byte) error {
		got, nums = append(got, string(line)), append(nums, n)
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, []string{`{"name": "a"}`, `{"name": "b"}`}, got)
	require.Equal(t, []int{1, 4}, nums)
	require.Equal(t, 4, n)
}

func TestLinesStopsAtTheFirstErrorNamingItsLine(t *testing.T) {
	bad := errors.New("bad")
	calls := 0
	n, err := Lines(strings.NewReader("a\n\nb\nc\n"), 1<<10, func(n int, line []byte) error {
		calls++
		if string(line) == "b" {
			return bad
		}
		return nil
	})
	require.ErrorIs(t, err, bad)
	require.Equal(t, 3, n)
	require.Equal(t, 2, calls)
}

func TestLinesRefusesALineLongerThanMax(t *testing.T) {
	n, err := Lines(strings.NewReader("short\n"+strings.Repeat("x", 100)+"\n"), 16, func(int, []byte) error { return nil })
	require.EqualError(t, err, "line longer than 16 bytes")
	require.Equal(t, 2, n)
}
