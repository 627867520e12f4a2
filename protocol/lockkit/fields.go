package lockkit

import (
	"fmt"
	"time"
)

// Fields checks a configuration's fields in order and keeps the first
// complaint, which names the protocol and the field: what every lock
// protocol's Validate is made of.
type Fields struct {
	Proto string
	err   error
}

// Check records the complaint if ok is false.
func (f *Fields) Check(ok bool, format string, args ...any) *Fields {
	if !ok && f.err == nil {
		f.err = fmt.Errorf(f.Proto+": "+format, args...)
	}
	return f
}

// Positive: the duration must be above zero.
func (f *Fields) Positive(name string, d time.Duration) *Fields {
	return f.Check(d > 0, "%s must be positive, got %v", name, d)
}

// NotNegative: the duration must not be below zero.
func (f *Fields) NotNegative(name string, d time.Duration) *Fields {
	return f.Check(d >= 0, "%s %v is negative", name, d)
}

// Count: the number must not be below zero.
func (f *Fields) Count(name string, n int) *Fields {
	return f.Check(n >= 0, "%s %d is negative", name, n)
}

// Backoff: a positive base and a cap no smaller than it.
func (f *Fields) Backoff(base, max time.Duration) *Fields {
	f.Positive("backoff base", base)
	return f.Check(max >= base, "backoff max %v is below backoff base %v", max, base)
}

// Err is the first complaint, or nil.
func (f *Fields) Err() error { return f.err }
