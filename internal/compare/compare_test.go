package compare

import (
	"reflect"
	"testing"
)

// The grid's rows do not depend on how many worlds run at once.
func TestRowsAreTheSameForAnyWorkerCount(t *testing.T) {
	o := Options{Protocols: []string{"3pc", "paxoscommit"}, Classes: []string{"none", "mixed"}, Seeds: 4}
	o.Workers = 1
	a, err := Run(o)
	if err != nil {
		t.Fatal(err)
	}
	o.Workers = 3
	b, err := Run(o)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("1 worker:\n%+v\n3 workers:\n%+v", a, b)
	}
	if a[0].DecidedFraction != 1 || a[0].MessagesPerTxn <= 0 || a[0].SafetyViolations != 0 {
		t.Fatalf("fault-free 3pc row looks wrong: %+v", a[0])
	}
}
