package fields

import (
	"fmt"
	"time"
)

// Check keeps the first complaint about a configuration's fields. Of names
// what is checked ("lockmgr", "bank workload") and prefixes the complaint;
// empty, the complaint stands alone.
type Check struct {
	Of  string
	err error
}

// That records the complaint if ok is false and none was recorded yet.
func (c *Check) That(ok bool, format string, args ...any) *Check {
	if !ok && c.err == nil {
		if c.Of != "" {
			format = c.Of + ": " + format
		}
		c.err = fmt.Errorf(format, args...)
	}
	return c
}

// The helpers below test before calling That, so that a valid field —
// every field of every run of a sweep — boxes no arguments for a message
// it will not print.

// Positive: the duration must be above zero.
func (c *Check) Positive(name string, d time.Duration) *Check {
	if d > 0 {
		return c
	}
	return c.That(false, "%s must be positive, got %v", name, d)
}

// NotNegative: the duration must not be below zero.
func (c *Check) NotNegative(name string, d time.Duration) *Check {
	if d >= 0 {
		return c
	}
	return c.That(false, "%s %v is negative", name, d)
}

// NotBelow: the duration must be at least the one named low.
func (c *Check) NotBelow(name string, d time.Duration, lowName string, low time.Duration) *Check {
	if d >= low {
		return c
	}
	return c.That(false, "%s %v is below %s %v", name, d, lowName, low)
}

// Count: the number must not be below zero.
func (c *Check) Count(name string, n int) *Check {
	if n >= 0 {
		return c
	}
	return c.That(false, "%s %d is negative", name, n)
}

// AtLeast: the number must be min or more.
func (c *Check) AtLeast(name string, n, min int) *Check {
	if n >= min {
		return c
	}
	return c.That(false, "%s must be at least %d, got %d", name, min, n)
}

// Probability: the number must be in [0, 1] (NaN is not).
func (c *Check) Probability(name string, p float64) *Check {
	if p >= 0 && p <= 1 {
		return c
	}
	return c.That(false, "%s %v is not a probability (0 to 1)", name, p)
}

// Err is the first complaint, or nil.
func (c *Check) Err() error { return c.err }
