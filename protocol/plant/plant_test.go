package plant

import (
	"reflect"
	"strings"
	"testing"
)

var catalog = Catalog{
	{Name: "commit-on-partial-votes", Description: "commits without every vote"},
	{Name: "presume-abort-on-restart", Description: "forgets prepared records"},
}

func TestEnableSwitchesOnlyTheNamedBugAndLeavesTheOriginal(t *testing.T) {
	var zero Set
	s, err := catalog.Enable(zero, "presume-abort-on-restart")
	if err != nil {
		t.Fatal(err)
	}
	if !s.On("presume-abort-on-restart") || s.On("commit-on-partial-votes") {
		t.Fatalf("enabled %v, want only presume-abort-on-restart", s.Names())
	}
	if !zero.Empty() || zero.On("presume-abort-on-restart") {
		t.Fatalf("the original set changed: %v", zero.Names())
	}
	both, err := catalog.Enable(s, "commit-on-partial-votes")
	if err != nil {
		t.Fatal(err)
	}
	if got := both.Names(); !reflect.DeepEqual(got, []string{"commit-on-partial-votes", "presume-abort-on-restart"}) {
		t.Fatalf("names %v", got)
	}
	if s.On("commit-on-partial-votes") {
		t.Fatal("enabling on a copy changed the set it was made from")
	}
	again, _ := catalog.Enable(both, "commit-on-partial-votes")
	if len(again.Names()) != 2 {
		t.Fatalf("enabling twice listed a bug twice: %v", again.Names())
	}
}

func TestUnknownBugIsRefusedNamingTheKnownOnesAndTheClosest(t *testing.T) {
	s, _ := catalog.Of("commit-on-partial-votes")
	got, err := catalog.Enable(s, "presume-abort-on-restrat")
	if err == nil {
		t.Fatal("an unknown bug was accepted")
	}
	for _, want := range []string{`"presume-abort-on-restrat"`, "have: commit-on-partial-votes, presume-abort-on-restart", `did you mean "presume-abort-on-restart"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %s", err, want)
		}
	}
	if !reflect.DeepEqual(got.Names(), s.Names()) {
		t.Errorf("a refused name changed the set: %v", got.Names())
	}
	if _, err := catalog.Enable(Set{}, "commit-on-votes"); err == nil || !strings.Contains(err.Error(), `did you mean "commit-on-partial-votes"`) {
		t.Errorf("commit-on-votes: %v", err)
	}
	if _, err := (Catalog{}).Enable(Set{}, "x"); err == nil || !strings.Contains(err.Error(), "has none") {
		t.Errorf("empty catalog: %v", err)
	}
	if _, err := catalog.Of("commit-on-partial-votes", "nope"); err == nil {
		t.Error("Of accepted an unknown name")
	}
}

func TestNamesKeepCatalogOrder(t *testing.T) {
	c := Catalog{{Name: "b"}, {Name: "a"}}
	if got := c.Names(); !reflect.DeepEqual(got, []string{"b", "a"}) {
		t.Fatalf("Names %v, want catalog order", got)
	}
}

type cfg struct{ bugs Set }

func (cfg) Planted() Catalog     { return catalog }
func (c cfg) Enabled() Set       { return c.bugs }
func (c cfg) WithBugs(s Set) cfg { c.bugs = s; return c }

func TestWithSwitchesABugOnACopyOfTheConfiguration(t *testing.T) {
	var base cfg
	on, err := With(base, "commit-on-partial-votes")
	if err != nil {
		t.Fatal(err)
	}
	if !on.Enabled().On("commit-on-partial-votes") || base.Enabled().On("commit-on-partial-votes") {
		t.Fatalf("With: got %v, base %v", on.Enabled().Names(), base.Enabled().Names())
	}
	if _, err := With(on, "nope"); err == nil || !strings.Contains(err.Error(), "have: commit-on-partial-votes") {
		t.Fatalf("With accepted or misreported an unknown bug: %v", err)
	}
}
