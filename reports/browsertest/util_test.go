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
