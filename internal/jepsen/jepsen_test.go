package jepsen

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every kind of line in porcupine's etcd logs, with tabs and with spaces.
const log = `INFO  jepsen.util - 0	:invoke	:read	nil
INFO  jepsen.util - 1	:invoke	:write	4
INFO  jepsen.core - not an operation
INFO  jepsen.util - 0	:ok	:read	nil
INFO  jepsen.util - 2   :invoke :cas    [4 0]
INFO  jepsen.util - 1	:ok	:write	4
INFO  jepsen.util - 2   :fail   :cas    [4 0]
INFO  jepsen.util - 0	:invoke	:read	nil
INFO  jepsen.util - 0	:fail	:read	:timed-out
INFO  jepsen.util - 1	:invoke	:cas	[4 2]
INFO  jepsen.util - 1	:info	:cas	:timed-out
INFO  jepsen.util - 6	:invoke	:write	3
INFO  jepsen.util - 0	:invoke	:read	nil
INFO  jepsen.util - 0	:ok	:read	3
INFO  jepsen.util - 2	:invoke	:cas	[3 1]
INFO  jepsen.util - 2	:ok	:cas	[3 1]
`

func TestConvertsEveryKindOfLine(t *testing.T) {
	h, err := Parse(strings.NewReader(log), "etcd.log")
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, h.Write(&out))
	// nil -> 0, v -> v+1; line numbers are times; :info and the write
	// still open at the end have no return; a failed read is ok: false.
	want := `{"client":0,"op":"read","value":0,"call":1,"return":4}
{"client":1,"op":"write","value":5,"call":2,"return":6}
{"client":2,"op":"cas","value":1,"expect":5,"ok":false,"call":5,"return":7}
{"client":0,"op":"read","ok":false,"call":8,"return":9}
{"client":1,"op":"cas","value":3,"expect":5,"call":10}
{"client":6,"op":"write","value":4,"call":12}
{"client":0,"op":"read","value":4,"call":13,"return":14}
{"client":2,"op":"cas","value":2,"expect":4,"call":15,"return":16}
`
	require.Equal(t, want, out.String())
}

func TestMalformedLogsNameFileAndLine(t *testing.T) {
	for in, want := range map[string]string{
		"INFO  jepsen.util - 0	:invoke	:read	nil\nINFO  jepsen.util - 0	:invoke	:read	nil\n": "h.log:2: process 0 invokes while its operation of line 1 is open",
		"INFO  jepsen.util - 0	:ok	:read	1\n":                                                "h.log:1: process 0 completes an operation it never invoked",
		"INFO  jepsen.util - 0	:invoke	:write	x\n":                                           "h.log:1: value \"x\" is not nil",
		"INFO  jepsen.util - 0	:invoke	:cas	[1]\n":                                           "h.log:1: cas argument \"[1]\" is not [from to]",
		"INFO  jepsen.util - 0	:invoke	:append	1\n":                                          "h.log:1: not a register operation",
		"INFO  jepsen.util - 0	:invoke	:read	nil\nINFO  jepsen.util - 0	:ok	:write	1\n":      "h.log:2: process 0 completes a write but invoked a read",
	} {
		_, err := Parse(strings.NewReader(in), "h.log")
		require.ErrorContains(t, err, want)
	}
}
