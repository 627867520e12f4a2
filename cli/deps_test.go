package cli

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The simrun binary must not link package testing (test helpers belong in
// _test files or in packages only tests import, like realservertest).
func TestSimrunDoesNotLinkTesting(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	for _, p := range strings.Fields(string(out)) {
		require.NotEqual(t, "testing", p, "simrun links package testing")
	}
}
