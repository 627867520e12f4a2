package scenariotest

import (
	"testing"

	"github.com/faultline-sim/faultline/scenarios"
)

// Get returns the registered scenario name; an unknown name fails the
// test, since every caller names a scenario it expects to exist.
func Get(t testing.TB, name string) scenarios.Spec {
	t.Helper()
	s, err := scenarios.Get(name)
	if err != nil {
		t.Fatalf("scenario %q: %v", name, err)
	}
	return s
}

// Run runs one seed of the registered scenario name with its trace.
func Run(t testing.TB, name string, seed uint64) *scenarios.Outcome {
	t.Helper()
	o, err := scenarios.Run(Get(t, name), scenarios.Options{Seed: seed})
	if err != nil {
		t.Fatalf("run %s seed %d: %v", name, seed, err)
	}
	return o
}
