package fields

import (
	"math"
	"testing"
	"time"
)

func TestCheckKeepsTheFirstComplaintNamingTheField(t *testing.T) {
	ok := &Check{Of: "x"}
	ok.Positive("a", time.Second).NotNegative("b", 0).NotBelow("c", 2, "d", 2).Count("e", 0).AtLeast("f", 3, 3).Probability("g", 1)
	if err := ok.Err(); err != nil {
		t.Fatalf("good fields refused: %v", err)
	}
	cases := map[string]func(*Check){
		"x: a must be positive, got 0s":          func(c *Check) { c.Positive("a", 0) },
		"x: b -1ns is negative":                  func(c *Check) { c.NotNegative("b", -1) },
		"x: c 1ns is below d 2ns":                func(c *Check) { c.NotBelow("c", 1, "d", 2) },
		"x: e -1 is negative":                    func(c *Check) { c.Count("e", -1) },
		"x: f must be at least 2, got 1":         func(c *Check) { c.AtLeast("f", 1, 2) },
		"x: g 1.5 is not a probability (0 to 1)": func(c *Check) { c.Probability("g", 1.5) },
		"x: g NaN is not a probability (0 to 1)": func(c *Check) { c.Probability("g", math.NaN()) },
		"x: first 1":                             func(c *Check) { c.That(false, "first %d", 1).That(false, "second") },
		"x: h must be positive, got -1s":         func(c *Check) { c.AtLeast("ok", 1, 1).Positive("h", -time.Second).Count("i", -1) },
	}
	for want, spoil := range cases {
		c := &Check{Of: "x"}
		spoil(c)
		if err := c.Err(); err == nil || err.Error() != want {
			t.Errorf("got %v, want %q", err, want)
		}
	}
	bare := &Check{}
	if err := bare.Count("n", -2).Err(); err == nil || err.Error() != "n -2 is negative" {
		t.Errorf("without Of: got %v", err)
	}
}
