package txn

import (
	"strings"
	"testing"
	"time"
)

type testConfig struct {
	Common
	ResendInterval time.Duration
	Backoff        time.Duration `commit:"optional"`
	Rounds         int           // not a duration: not checked
}

func good() testConfig {
	return testConfig{Common: Common{VoteTimeout: time.Millisecond, UnilateralAbort: 0.5}, ResendInterval: time.Millisecond}
}

func TestValidateConfigNamesTheBadField(t *testing.T) {
	if err := ValidateConfig("x", good()); err != nil {
		t.Fatalf("a good configuration was refused: %v", err)
	}
	cases := map[string]func(*testConfig){
		"x: VoteTimeout must be positive, got 0s":              func(c *testConfig) { c.VoteTimeout = 0 },
		"x: ResendInterval must be positive, got -1ms":         func(c *testConfig) { c.ResendInterval = -time.Millisecond },
		"x: UnilateralAbort 1.5 is not a probability (0 to 1)": func(c *testConfig) { c.UnilateralAbort = 1.5 },
		"x: UnilateralAbort -0.1 is not a probability":         func(c *testConfig) { c.UnilateralAbort = -0.1 },
		"x: Backoff must be positive, got -1ns":                func(c *testConfig) { c.Backoff = -1 },
	}
	for want, spoil := range cases {
		c := good()
		spoil(&c)
		err := ValidateConfig("x", c)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want %q", err, want)
		}
	}
	if err := ValidateConfig("x", 3); err == nil {
		t.Error("a non-struct configuration was accepted")
	}
}
