package lockkit

import (
	"math/rand/v2"
	"time"
)

// Jitter draws a delay in [d/2, 3d/2] from a node's own stream, so clients
// that collided once do not retry in lockstep.
func Jitter(r *rand.Rand, d time.Duration) time.Duration {
	return d/2 + time.Duration(r.Int64N(int64(d)+1))
}

// Backoff is how long a client waits before retrying a job that failed
// for the tries-th time in a row (from 1), drawn from the client's stream.
type Backoff func(r *rand.Rand, tries int) time.Duration

// Doubling is the jittered delay that starts at base and doubles per
// failed try, capped at max: the lock manager's and the ZooKeeper
// recipe's back-off.
func Doubling(base, max time.Duration) Backoff {
	return func(r *rand.Rand, tries int) time.Duration {
		d := base << min(tries-1, 16)
		return Jitter(r, min(d, max))
	}
}

// Jittered is a delay in [d/2, 3d/2] whatever the number of tries.
func Jittered(d time.Duration) Backoff {
	return func(r *rand.Rand, _ int) time.Duration { return Jitter(r, d) }
}

// Uniform is a delay in [0, d] whatever the number of tries: Redlock's
// "retry after a random delay".
func Uniform(d time.Duration) Backoff {
	return func(r *rand.Rand, _ int) time.Duration { return time.Duration(r.Int64N(int64(d) + 1)) }
}
