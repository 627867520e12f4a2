package reports

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/faultline-sim/faultline/internal/compare"
)

// compareColumns are the comparison table's columns: header and cell text.
var compareColumns = []struct {
	head string
	cell func(r compare.Row) string
}{
	{"protocol", func(r compare.Row) string { return r.Protocol }},
	{"faults", func(r compare.Row) string { return r.FaultClass }},
	{"runs", func(r compare.Row) string { return fmt.Sprint(r.Runs) }},
	{"txns", func(r compare.Row) string { return fmt.Sprint(r.Txns) }},
	{"msgs/txn", func(r compare.Row) string { return metric(r.Txns, "%.1f", r.MessagesPerTxn) }},
	{"writes/txn", func(r compare.Row) string { return metric(r.Txns, "%.1f", r.WritesPerTxn) }},
	{"p50 ms", func(r compare.Row) string { return metric(r.LatencySamples, "%.1f", r.LatencyP50Ms) }},
	{"p99 ms", func(r compare.Row) string { return metric(r.LatencySamples, "%.1f", r.LatencyP99Ms) }},
	{"lock ms", func(r compare.Row) string { return metric(r.LockHoldSamples, "%.1f", r.LockHoldMeanMs) }},
	{"lock p99", func(r compare.Row) string { return metric(r.LockHoldSamples, "%.1f", r.LockHoldP99Ms) }},
	{"uncertain ms/txn", func(r compare.Row) string { return metric(r.Txns, "%.1f", r.UncertainMsPerTxn) }},
	{"blocked ms/txn", func(r compare.Row) string { return metric(r.Txns, "%.1f", r.BlockedMsPerTxn) }},
	{"decided", func(r compare.Row) string { return metric(r.Txns, "%.1f%%", 100*r.DecidedFraction) }},
	{"committed", func(r compare.Row) string { return metric(r.Txns, "%.1f%%", 100*r.CommittedFraction) }},
	{"blocked runs", func(r compare.Row) string { return fmt.Sprint(r.BlockedRuns) }},
	{"unsafe runs", func(r compare.Row) string {
		if r.SafetyViolations > 0 {
			return fmt.Sprintf("%d (seed %d)", r.SafetyViolations, r.FirstViolation)
		}
		return "0"
	}},
	{"unlive runs", func(r compare.Row) string { return fmt.Sprint(r.LivenessFailures) }},
}

// NoSamples is what a table shows for a metric with nothing to measure
// (no commit, no lock held, no transaction): never 0, which would read as
// the best value.
const NoSamples = "—"

func metric(samples int, format string, v float64) string {
	if samples == 0 {
		return NoSamples
	}
	return fmt.Sprintf(format, v)
}

func compareCells(rows []compare.Row) (head []string, cells [][]string) {
	for _, c := range compareColumns {
		head = append(head, c.head)
	}
	for _, r := range rows {
		var line []string
		for _, c := range compareColumns {
			line = append(line, c.cell(r))
		}
		cells = append(cells, line)
	}
	return head, cells
}

const compareLegend = `msgs/txn, writes/txn: messages and durable writes per begun transaction (bank set-up excluded);
p50/p99: commit latency, submit to the last participant's commit (simulated time);
lock: participant vote-yes to decision; uncertain: participant time voted yes and undecided;
blocked: the part never resolved by the end; decided: begun transactions decided with nobody in doubt;
unsafe runs: atomicity, conservation or ballot violations (first seed); unlive: undecided after healing.
`

// CompareText writes the comparison as an aligned table for people.
func CompareText(w io.Writer, rows []compare.Row, seeds int) {
	head, cells := compareCells(rows)
	width := make([]int, len(head))
	for i, h := range head {
		width[i] = utf8.RuneCountInString(h)
	}
	for _, line := range cells {
		for i, c := range line {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	fmt.Fprintf(w, "comparison over seeds 1-%d (same workload and fault schedule per seed for every protocol)\n", seeds)
	row := func(line []string) {
		for i, c := range line {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if i < 2 {
				fmt.Fprint(w, c, pad, "  ")
			} else {
				fmt.Fprint(w, pad, c, "  ")
			}
		}
		fmt.Fprintln(w)
	}
	row(head)
	prev := ""
	for i, line := range cells {
		if rows[i].Protocol != prev && prev != "" {
			fmt.Fprintln(w)
		}
		prev = rows[i].Protocol
		row(line)
	}
	fmt.Fprint(w, "\n", compareLegend)
}

// CompareMarkdown writes the comparison as a Markdown table, for pull
// requests and notes.
func CompareMarkdown(w io.Writer, rows []compare.Row, seeds int) {
	head, cells := compareCells(rows)
	fmt.Fprintf(w, "Comparison over seeds 1-%d: the same workload and fault schedule per seed for every protocol.\n\n", seeds)
	fmt.Fprintf(w, "| %s |\n", strings.Join(head, " | "))
	seps := make([]string, len(head))
	for i := range seps {
		seps[i] = "---:"
		if i < 2 {
			seps[i] = "---"
		}
	}
	fmt.Fprintf(w, "|%s|\n", strings.Join(seps, "|"))
	for _, line := range cells {
		fmt.Fprintf(w, "| %s |\n", strings.Join(line, " | "))
	}
	fmt.Fprint(w, "\n", strings.ReplaceAll(compareLegend, ";\n", ";  \n"))
}

// CompareJSON is the comparison as one JSON object: every row carries its
// protocol, fault class and metrics.
type CompareJSON struct {
	Seeds int           `json:"seeds"`
	Rows  []compare.Row `json:"rows"`
}
