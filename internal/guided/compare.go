package guided

import (
	"fmt"
	"slices"

	"github.com/faultline-sim/faultline/internal/catalog"
	"github.com/faultline-sim/faultline/scenarios"
)

// Strategy is a way of choosing each run's faults.
type Strategy string

const (
	Random Strategy = "random" // seeds 1, 2, ...; every fault kind on at its rate
	Swarm  Strategy = "swarm"  // seeds 1, 2, ...; each seed first picks its fault kinds and rates
	Guided Strategy = "guided" // Search
)

// Strategies in report order.
var Strategies = []Strategy{Random, Swarm, Guided}

// Row is one planted bug's runs to first detection per strategy: the
// median over the trials, a trial that found nothing within the budget
// counting as budget+1.
type Row struct {
	Protocol, Bug, Scenario string
	Runs                    map[Strategy]float64
}

// RunsToDetect spends at most budget runs of strategy s on spec with bug
// on and returns how many it took to detect it (0: none did). Trial t
// starts at seed t*budget+1 (and guided search's own seed t), so trials
// never share a seed.
func RunsToDetect(spec scenarios.Spec, bug string, s Strategy, budget int, trial uint64) (int, error) {
	first := trial*uint64(budget) + 1
	switch s {
	case Guided:
		res, err := Search(spec, Options{Bug: bug, Budget: budget, Seed: trial, FirstSeed: first})
		if err != nil || !res.Found {
			return 0, err
		}
		return res.Runs, nil
	case Random, Swarm:
		n := *spec.Nemesis
		n.Swarm = s == Swarm
		spec.Nemesis = &n
		for i := 0; i < budget; i++ {
			out, err := scenarios.Run(spec, scenarios.Options{Seed: first + uint64(i), Bug: bug, NoTrace: true})
			if err != nil {
				return 0, err
			}
			if Detects(out) {
				return i + 1, nil
			}
		}
		return 0, nil
	}
	return 0, fmt.Errorf("guided: unknown strategy %q", s)
}

// Compare measures every catalog bug whose means is a random-fault sweep
// under each strategy, with at most budget runs per trial.
func Compare(budget, trials int) ([]Row, error) {
	var rows []Row
	done := map[string]bool{}
	for _, e := range catalog.All() {
		if e.Means.Kind != catalog.Runs || done[e.Protocol+"/"+e.Bug] {
			continue
		}
		spec, err := scenarios.Get(e.Means.Scenario)
		if err != nil {
			return nil, err
		}
		if spec.Nemesis == nil {
			continue // a scripted scenario: nothing random to search
		}
		if e.Means.Unsynced != "" {
			spec.Faults.Unsynced = e.Means.Unsynced
		}
		done[e.Protocol+"/"+e.Bug] = true
		row := Row{Protocol: e.Protocol, Bug: e.Bug, Scenario: e.Means.Scenario, Runs: map[Strategy]float64{}}
		for _, s := range Strategies {
			var xs []float64
			for t := 0; t < trials; t++ {
				n, err := RunsToDetect(spec, e.Bug, s, budget, uint64(t))
				if err != nil {
					return nil, err
				}
				if n == 0 {
					n = budget + 1
				}
				xs = append(xs, float64(n))
			}
			row.Runs[s] = median(xs)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// Median is the median over rows of a strategy's runs to detection, of
// the rows keep accepts (nil: all).
func Median(rows []Row, s Strategy, keep func(Row) bool) float64 {
	var xs []float64
	for _, r := range rows {
		if keep == nil || keep(r) {
			xs = append(xs, r.Runs[s])
		}
	}
	return median(xs)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	xs = slices.Clone(xs)
	slices.Sort(xs)
	if len(xs)%2 == 1 {
		return xs[len(xs)/2]
	}
	return (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
}
