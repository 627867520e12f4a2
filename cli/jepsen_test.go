package cli

import (
	"bufio"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/history"
)

// jepsenDir holds the real-world sample: etcd register histories
// recorded by Jepsen, converted by tools/jepsenconv, with verdicts.txt
// (see checker/testdata/jepsen/README.md). JEPSEN_DIR points the test and
// the benchmark at another such directory, e.g. the whole corpus.
var jepsenDir = func() string {
	if d := os.Getenv("JEPSEN_DIR"); d != "" {
		return d
	}
	return "../checker/testdata/jepsen"
}()

type jepsenHistory struct {
	name string
	h    history.History
	want checker.Verdict // from porcupine's own tests of these logs
}

// jepsenSample reads every history of the sample as simrun check does
// (history.Parse), with its expected verdict.
func jepsenSample(tb testing.TB) []jepsenHistory {
	tb.Helper()
	f, err := os.Open(filepath.Join(jepsenDir, "verdicts.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []jepsenHistory
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 2 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		path := filepath.Join(jepsenDir, fields[0])
		data, err := os.ReadFile(path)
		if err != nil {
			tb.Fatal(err)
		}
		h, err := history.Parse(path, data, history.Register)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, jepsenHistory{name: fields[0], h: h, want: checker.Verdict(fields[1])})
	}
	if len(out) < 5 {
		tb.Fatalf("the sample has %d histories", len(out))
	}
	return out
}

// plainRegister is the plainest porcupine model of these histories, as in
// porcupine's own etcd test: the state is the value, a pending operation
// takes effect, no partitions, no hash, no descriptions.
var plainRegister = porcupine.Model{
	Init: func() any { return int64(0) },
	Step: func(state, input, _ any) (bool, any) {
		s, op := state.(int64), input.(history.Op)
		switch op.Op {
		case "read":
			return op.Pending || op.Failed || op.Value == s, s
		case "write":
			return op.Pending || !op.Failed, op.Value
		}
		if op.Expect == s {
			return op.Pending || !op.Failed, op.Value
		}
		return op.Pending || op.Failed, s
	},
}

func plainOps(h history.History) []porcupine.Operation {
	out := make([]porcupine.Operation, len(h.Ops))
	for i, op := range h.Ops {
		ret := op.Return
		if op.Pending {
			ret = math.MaxInt64
		}
		out[i] = porcupine.Operation{ClientId: int(op.Client), Input: op, Call: op.Call, Return: ret}
	}
	return out
}

// Each sample history gets porcupine's verdict from simrun check, and
// the plain model agrees.
func TestJepsenSampleVerdicts(t *testing.T) {
	for _, h := range jepsenSample(t) {
		code, out, errs := simrun("check", filepath.Join(jepsenDir, h.name), "--model", "register", "--viz-dir", t.TempDir())
		want := map[checker.Verdict]int{checker.OK: 0, checker.Violation: 1}[h.want]
		if code != want {
			t.Errorf("%s: exit %d, want %d (%s)\n%s%s", h.name, code, want, h.want, out, errs)
		}
		plain := porcupine.CheckOperations(plainRegister, plainOps(h.h))
		if plain != (h.want == checker.OK) {
			t.Errorf("%s: the plain model says linearizable=%v, porcupine's tests %s", h.name, plain, h.want)
		}
	}
}

// BenchmarkJepsenSample checks every sample history with Faultline's
// register model (history.Check, as simrun check does, at its default 10s
// bound, which includes explaining a violation) and with the plain model,
// alternately, and reports both totals and their ratio.
func BenchmarkJepsenSample(b *testing.B) {
	sample := jepsenSample(b)
	var ours, plain time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, h := range sample {
			start := time.Now()
			l, err := history.Check(h.h, 10*time.Second)
			ours += time.Since(start)
			if err != nil || l.Verdict != h.want {
				b.Fatalf("%s: %s, want %s", h.name, l.Summary(), h.want)
			}
			ops := plainOps(h.h)
			start = time.Now()
			porcupine.CheckOperations(plainRegister, ops)
			plain += time.Since(start)
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(ours.Microseconds())/n/1000, "faultline-ms")
	b.ReportMetric(float64(plain.Microseconds())/n/1000, "plain-ms")
	b.ReportMetric(ours.Seconds()/plain.Seconds(), "ratio")
	b.ReportMetric(float64(len(sample)), "histories")
}
