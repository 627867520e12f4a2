package simrunbin

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var build struct {
	dir  string
	once sync.Once
	path string
	err  error
}

// Main is a test package's TestMain: it makes the directory the binary is
// built in, runs the tests and removes the directory.
func Main(m *testing.M) {
	dir, err := os.MkdirTemp("", "simrun-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	build.dir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// Path builds simrun the first time a test asks (tests that do not, run
// without the build) and returns the binary's path.
func Path(t testing.TB) string {
	t.Helper()
	build.once.Do(func() {
		if build.dir == "" {
			build.err = fmt.Errorf("simrunbin: the package's TestMain must call simrunbin.Main")
			return
		}
		build.path = filepath.Join(build.dir, "simrun")
		out, err := exec.Command("go", "build", "-o", build.path, "github.com/faultline-sim/faultline/cmd/simrun").CombinedOutput()
		if err != nil {
			build.err = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if build.err != nil {
		t.Fatal(build.err)
	}
	return build.path
}
