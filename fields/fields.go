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

// Positive: the duration must be above zero.
func (c *Check) Positive(name string, d time.Duration) *Check {
	return c.That(d > 0, "%s must be positive, got %v", name, d)
}

// NotNegative: the duration must not be below zero.
func (c *Check) NotNegative(name string, d time.Duration) *Check {
	return c.That(d >= 0, "%s %v is negative", name, d)
}

// NotBelow: the duration must be at least the one named low.
func (c *Check) NotBelow(name string, d time.Duration, lowName string, low time.Duration) *Check {
	return c.That(d >= low, "%s %v is below %s %v", name, d, lowName, low)
}

// Count: the number must not be below zero.
func (c *Check) Count(name string, n int) *Check {
	return c.That(n >= 0, "%s %d is negative", name, n)
}

// AtLeast: the number must be min or more.
func (c *Check) AtLeast(name string, n, min int) *Check {
	return c.That(n >= min, "%s must be at least %d, got %d", name, min, n)
}

// Probability: the number must be in [0, 1] (NaN is not).
func (c *Check) Probability(name string, p float64) *Check {
	return c.That(p >= 0 && p <= 1, "%s %v is not a probability (0 to 1)", name, p)
}

// Err is the first complaint, or nil.
func (c *Check) Err() error { return c.err }
