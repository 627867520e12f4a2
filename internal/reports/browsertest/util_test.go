package browsertest

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// remarshal turns a decoded JSON object into a typed one.
func remarshal(t *testing.T, from any, to any) {
	b, err := json.Marshal(from)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, to))
}

// layout is what the common probe reads that every page must keep:
// nothing wider than the viewport.
type layout struct {
	OverflowX  bool
	WideTables float64
}

func (l layout) pageLayout() layout { return l }

// decodePage reads page p's probe into v, a struct embedding layout, and
// checks what every page must satisfy: its script ran without errors and
// nothing overflows the viewport.
func decodePage(t *testing.T, p page, v interface{ pageLayout() layout }) {
	t.Helper()
	require.Empty(t, p.Errors, "script errors")
	remarshal(t, p.Probe, v)
	l := v.pageLayout()
	require.False(t, l.OverflowX, "nothing overflows the viewport to the right")
	require.Zero(t, l.WideTables, "tables wrap within the viewport")
}
