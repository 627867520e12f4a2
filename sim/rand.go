package sim

import "math/rand/v2"

// Stream returns the random stream for one purpose, derived from the world's
// seed and the purpose's name only. Asking for the same purpose twice gives
// two generators with the same sequence, so callers keep the one they get.
func (w *World) Stream(purpose string) *rand.Rand {
	return NewStream(w.cfg.Seed, purpose)
}

// NewStream derives a generator from a root seed and a purpose name. It is
// exported so that code outside a World (workload and fault generators run
// before the world exists) draws from the same family of streams.
func NewStream(seed uint64, purpose string) *rand.Rand {
	h := uint64(14695981039346656037)
	for i := 0; i < len(purpose); i++ {
		h ^= uint64(purpose[i])
		h *= 1099511628211
	}
	s1 := splitmix(seed ^ h)
	s2 := splitmix(s1 ^ 0x9e3779b97f4a7c15)
	return rand.New(rand.NewPCG(s1, s2))
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
