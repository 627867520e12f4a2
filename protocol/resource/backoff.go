package resource

import (
	"math/rand/v2"
	"time"
)

// Jitter draws a delay in [d/2, 3d/2] from a node's own stream, so clients
// that collided once do not retry in lockstep.
func Jitter(r *rand.Rand, d time.Duration) time.Duration {
	return d/2 + time.Duration(r.Int64N(int64(d)+1))
}

// Backoff is the jittered delay before try number tries (from 1) after a
// refusal: base doubled per failed try, capped at max. Every lock client
// backs off this way.
func Backoff(r *rand.Rand, base, max time.Duration, tries int) time.Duration {
	d := base << min(tries-1, 16)
	return Jitter(r, min(d, max))
}
