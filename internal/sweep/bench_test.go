package sweep

import (
	"testing"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/scenarios"
)

// BenchmarkSweep2PCBankFaults10k is the target: 10,000 seeds of
// 2pc-bank-faults on every core. Run it with -benchtime 1x.
func BenchmarkSweep2PCBankFaults10k(b *testing.B) {
	spec, err := scenarios.Get("2pc-bank-faults")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		res, err := Sweep(spec, Options{From: 1, To: 10000})
		if err != nil {
			b.Fatal(err)
		}
		if res.Counts[checker.Violation] != 0 {
			b.Fatalf("%d violations", res.Counts[checker.Violation])
		}
	}
	b.ReportMetric(float64(10000*b.N)/b.Elapsed().Seconds(), "runs/s")
}

// BenchmarkRun2PCBankFaults is one untraced run, as a sweep does it.
func BenchmarkRun2PCBankFaults(b *testing.B) {
	spec, err := scenarios.Get("2pc-bank-faults")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	events := 0
	for i := 0; i < b.N; i++ {
		out, err := scenarios.Run(spec, scenarios.Options{Seed: uint64(i + 1), NoTrace: true})
		if err != nil {
			b.Fatal(err)
		}
		events += out.Events
	}
	b.ReportMetric(float64(events)/float64(b.N), "events/run")
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}
