package faults

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/faultline-sim/faultline/sim"
)

// Nemesis generates random fault schedules. Rates are events per simulated
// second over the window [Start, Stop); lengths are means of exponential
// draws. A zero rate turns that fault kind off.
type Nemesis struct {
	Targets []string // nodes that may crash, pause or be partitioned
	Others  []string // nodes that only appear on the far side of partitions and link faults
	Start   Duration
	Stop    Duration

	CrashRate float64
	Downtime  Duration // mean time a crashed node stays down
	// NoRestart is the chance a crashed node stays down until the end of
	// the window (until a heal-all, if the scenario has one).
	NoRestart float64

	PartitionRate   float64
	PartitionLength Duration

	SlowRate   float64 // episodes of extra latency on some links
	SlowLength Duration
	SlowBy     Duration

	LossRate   float64 // episodes of message loss and duplication on some links
	LossLength Duration
	Loss       float64
	Duplicate  float64

	PauseRate   float64
	PauseLength Duration

	ClockRate float64 // clock jumps
	ClockJump Duration

	// MidCrashRate draws mid-crashes: at a random time a target is armed
	// to crash right before its k-th durable write, sync or send from
	// then on, k uniform in [1, MidCrashEffects] (default 6), so the crash
	// lands inside a handler — between a log write and a send, or between
	// two sends — where a timed crash never falls. Restarts follow
	// Downtime and NoRestart as for crashes.
	MidCrashRate    float64
	MidCrashEffects int

	// Unsynced is the storage fault of every schedule drawn (see
	// Schedule.Unsynced): "" keeps unsynced writes, "lose" or "torn" loses
	// them at a crash.
	Unsynced string

	// Base is the network's default link, restored when a slow or lossy
	// episode ends.
	Base LinkSpec

	// Swarm: each schedule first draws which fault kinds are on and scales
	// each rate by a factor in [0.25, 2], as in swarm testing, so a sweep
	// covers quiet and violent runs instead of one average mix.
	Swarm bool
}

// Validate reports an impossible setting.
func (n Nemesis) Validate() error {
	if n.Stop < n.Start {
		return fmt.Errorf("nemesis: stop %v before start %v", n.Stop, n.Start)
	}
	for _, r := range []float64{n.CrashRate, n.PartitionRate, n.SlowRate, n.LossRate, n.PauseRate, n.ClockRate, n.MidCrashRate} {
		if r < 0 {
			return fmt.Errorf("nemesis: negative rate %g", r)
		}
	}
	if n.NoRestart < 0 || n.NoRestart > 1 || n.Loss < 0 || n.Loss > 1 || n.Duplicate < 0 || n.Duplicate > 1 {
		return fmt.Errorf("nemesis: probability out of [0,1]")
	}
	if len(n.Targets) == 0 {
		return fmt.Errorf("nemesis: no target nodes")
	}
	if n.MidCrashEffects < 0 {
		return fmt.Errorf("nemesis: negative mid-crash effects %d", n.MidCrashEffects)
	}
	if _, err := sim.ParseUnsynced(n.Unsynced); err != nil {
		return fmt.Errorf("nemesis: %w", err)
	}
	return nil
}

// Generate draws one schedule from r. The draws depend only on r and the
// settings, so the same fault stream always gives the same schedule.
func (n Nemesis) Generate(r *rand.Rand) Schedule {
	if n.Swarm {
		for _, rate := range []*float64{&n.CrashRate, &n.PartitionRate, &n.SlowRate, &n.LossRate, &n.PauseRate, &n.ClockRate} {
			if r.Float64() < 0.3 {
				*rate = 0
			} else {
				*rate *= 0.25 + 1.75*r.Float64()
			}
		}
	}
	var acts []Action
	everyone := append(append([]string{}, n.Targets...), n.Others...)
	pick := func() string { return n.Targets[r.IntN(len(n.Targets))] }
	exp := func(mean Duration) Duration {
		return Duration(float64(mean) * r.ExpFloat64())
	}
	// episodes walks a Poisson process of the given rate over the window.
	episodes := func(rate float64, f func(at Duration)) {
		if rate <= 0 {
			return
		}
		mean := Duration(float64(time.Second) / rate)
		for t := n.Start + exp(mean); t < n.Stop; t += exp(mean) {
			f(t)
		}
	}
	episodes(n.CrashRate, func(at Duration) {
		node := pick()
		acts = append(acts, Action{At: at, Kind: Crash, Node: node})
		if r.Float64() >= n.NoRestart {
			acts = append(acts, Action{At: at + 1 + exp(n.Downtime), Kind: Restart, Node: node})
		}
	})
	episodes(n.PartitionRate, func(at Duration) {
		end := at + 1 + exp(n.PartitionLength)
		switch r.IntN(3) {
		case 0: // isolate one node
			acts = append(acts, Action{At: at, Kind: Isolate, Node: pick()})
		case 1: // random split of everyone into two sides
			var a, b []string
			for _, x := range everyone {
				if r.IntN(2) == 0 {
					a = append(a, x)
				} else {
					b = append(b, x)
				}
			}
			if len(a) == 0 || len(b) == 0 {
				acts = append(acts, Action{At: at, Kind: Isolate, Node: pick()})
			} else {
				acts = append(acts, Action{At: at, Kind: Partition, Groups: [][]string{a, b}})
			}
		default: // one-way cut from a target to some others
			from := pick()
			var to []string
			for _, x := range everyone {
				if x != from && r.IntN(2) == 0 {
					to = append(to, x)
				}
			}
			if len(to) == 0 {
				acts = append(acts, Action{At: at, Kind: Isolate, Node: from})
			} else {
				acts = append(acts, Action{At: at, Kind: Cut, From: []string{from}, To: to})
			}
		}
		acts = append(acts, Action{At: end, Kind: Heal})
	})
	linkEpisode := func(rate float64, length Duration, spec func() LinkSpec) {
		episodes(rate, func(at Duration) {
			node := pick()
			l := spec()
			acts = append(acts,
				Action{At: at, Kind: SetLink, From: []string{node}, Link: &l},
				Action{At: at, Kind: SetLink, To: []string{node}, Link: &l})
			base := n.Base
			end := at + 1 + exp(length)
			acts = append(acts,
				Action{At: end, Kind: SetLink, From: []string{node}, Link: &base},
				Action{At: end, Kind: SetLink, To: []string{node}, Link: &base})
		})
	}
	linkEpisode(n.SlowRate, n.SlowLength, func() LinkSpec {
		l := n.Base
		l.Latency += exp(n.SlowBy)
		l.Jitter += exp(n.SlowBy)
		return l
	})
	linkEpisode(n.LossRate, n.LossLength, func() LinkSpec {
		l := n.Base
		l.Loss = n.Loss
		l.Duplicate = n.Duplicate
		return l
	})
	episodes(n.PauseRate, func(at Duration) {
		acts = append(acts, Action{At: at, Kind: Pause, Node: pick(), Duration: 1 + exp(n.PauseLength)})
	})
	episodes(n.ClockRate, func(at Duration) {
		j := exp(n.ClockJump)
		if j == 0 {
			j = 1 // a jump of zero is refused by Validate
		}
		if r.IntN(2) == 0 {
			j = -j
		}
		acts = append(acts, Action{At: at, Kind: ClockJump, Node: pick(), Duration: j})
	})
	// Mid-crashes draw last, so a nemesis without them draws the very
	// schedules it drew before they existed.
	if n.MidCrashRate > 0 && n.Swarm {
		if r.Float64() < 0.3 {
			n.MidCrashRate = 0
		} else {
			n.MidCrashRate *= 0.25 + 1.75*r.Float64()
		}
	}
	most := n.MidCrashEffects
	if most == 0 {
		most = 6
	}
	episodes(n.MidCrashRate, func(at Duration) {
		a := Action{At: at, Kind: MidCrash, Node: pick(), Effect: EffectRef(1 + r.IntN(most))}
		if r.Float64() >= n.NoRestart {
			d := 1 + exp(n.Downtime)
			a.RestartAfter = &d
		}
		acts = append(acts, a)
	})
	SortActions(acts)
	return Schedule{Actions: acts, Unsynced: n.Unsynced}
}
