package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/internal/reports"
	"github.com/faultline-sim/faultline/internal/strictjson"
	"github.com/spf13/cobra"
)

func newDiff() *cobra.Command {
	var out *output
	c := &cobra.Command{
		Use:   "diff OLD.jsonl NEW.jsonl",
		Short: "Compare two sweeps seed by seed: changed verdicts, checkers that fire newly or stop firing",
		Long: `Read two sweeps' rows (simrun sweep SCENARIO --seeds A-B --rows FILE: one JSON
line per seed with its verdict and its set of violated checkers) and report
every seed whose verdict or set of violated checkers changed, and the
checkers that fire in NEW on seeds where they did not in OLD, or stop firing.
Only seeds present in both files are compared; the others are counted.

A seed got worse if its verdict got worse (ok < unknown < blocked <
violation) or a checker violated in NEW that did not in OLD — a change to
a protocol that adds a new kind of damage (a storage violation where there
was only a mutex overlap) is worse even where the verdict was already
violation.

Exit status: 0 nothing got worse, 1 some seed got worse, 2 bad input (the
message names the file and line).`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 2 {
				return fmt.Errorf("diff: want two rows files, OLD and NEW (from simrun sweep --rows), got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			old, err := readRows(args[0])
			if err != nil {
				return err
			}
			cur, err := readRows(args[1])
			if err != nil {
				return err
			}
			d := diffRows(old, cur)
			d.Old, d.New = args[0], args[1]
			w := c.OutOrStdout()
			if out.is("json") {
				if err := reports.WriteJSON(w, d); err != nil {
					return err
				}
			} else {
				d.text(w)
			}
			if d.Worse > 0 {
				return exitCode(1)
			}
			return nil
		},
	}
	out = formatFlags(c, "text", "json")
	return c
}

// violatedSet is the sorted names of the checkers that reported a
// violation.
func violatedSet(rs []checker.Result) []string {
	out := []string{}
	for _, r := range rs {
		if r.Verdict == checker.Violation && !slices.Contains(out, r.Checker) {
			out = append(out, r.Checker)
		}
	}
	sort.Strings(out)
	return out
}

// diffRow is one seed of a rows file as diff reads it: the very row the
// sweep writes (rowLine), so the two cannot drift apart, with the seed as
// a pointer so that a row without one is refused rather than read as 0.
type diffRow struct {
	rowLine
	Seed *uint64 `json:"seed"`
}

// readRows reads a rows file into seed -> row. A line that is not a row
// (bad JSON, no seed, an unknown verdict, a seed twice) is an error naming
// the file and line.
func readRows(path string) (map[uint64]diffRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("diff: %w", err)
	}
	defer f.Close()
	rows := map[uint64]diffRow{}
	line, err := strictjson.Lines(f, 16<<20, func(line int, b []byte) error {
		if b[0] != '{' || line == 1 && (string(b) == "{" || bytes.Contains(b, []byte(`"scenario"`))) {
			return errors.New("not a rows line (want the JSON Lines of simrun sweep --rows FILE, not sweep --json)")
		}
		var r diffRow
		if err := strictjson.Decode(b, &r); err != nil {
			return err
		}
		if r.Seed == nil {
			return errors.New(`no "seed"`)
		}
		if _, err := checker.ParseVerdict(string(r.Verdict)); err != nil {
			return fmt.Errorf("field \"verdict\": %w", err)
		}
		if _, dup := rows[*r.Seed]; dup {
			return fmt.Errorf("seed %d appears twice", *r.Seed)
		}
		if r.Violated == nil { // rows written before the field: derive it
			r.Violated = violatedSet(r.Failures)
		}
		sort.Strings(r.Violated)
		rows[*r.Seed] = r
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("diff: %s:%d: %w", path, line, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("diff: %s: no rows (want the JSON Lines of simrun sweep --rows FILE)", path)
	}
	return rows, nil
}

// seedChange is one seed whose verdict or violated checkers changed.
type seedChange struct {
	Seed    uint64          `json:"seed"`
	Old     checker.Verdict `json:"old"`
	New     checker.Verdict `json:"new"`
	Added   []string        `json:"added,omitempty"`   // checkers violated in NEW only
	Removed []string        `json:"removed,omitempty"` // checkers violated in OLD only
	Worse   bool            `json:"worse"`
}

// checkerChange is a checker that fires on seeds it did not, or no longer.
type checkerChange struct {
	Checker string   `json:"checker"`
	Seeds   []uint64 `json:"seeds"`
}

type sweepDiff struct {
	Old      string          `json:"old"`
	New      string          `json:"new"`
	Compared int             `json:"compared"`
	OnlyOld  int             `json:"only_in_old"`
	OnlyNew  int             `json:"only_in_new"`
	Worse    int             `json:"worse"`
	Better   int             `json:"better"`
	Changed  []seedChange    `json:"changed"`
	Newly    []checkerChange `json:"newly_firing"`   // never fired in OLD, fires in NEW
	Stopped  []checkerChange `json:"stopped_firing"` // fired in OLD, never in NEW
}

var verdictOrder = map[checker.Verdict]int{checker.OK: 0, checker.Unknown: 1, checker.Blocked: 2, checker.Violation: 3}

func diffRows(old, cur map[uint64]diffRow) sweepDiff {
	d := sweepDiff{Changed: []seedChange{}, Newly: []checkerChange{}, Stopped: []checkerChange{}}
	seeds := make([]uint64, 0, len(old))
	for s := range old {
		if _, ok := cur[s]; ok {
			seeds = append(seeds, s)
		} else {
			d.OnlyOld++
		}
	}
	for s := range cur {
		if _, ok := old[s]; !ok {
			d.OnlyNew++
		}
	}
	slices.Sort(seeds)
	d.Compared = len(seeds)
	firedOld, firedNew := map[string][]uint64{}, map[string][]uint64{}
	for _, s := range seeds {
		o, n := old[s], cur[s]
		for _, c := range o.Violated {
			firedOld[c] = append(firedOld[c], s)
		}
		for _, c := range n.Violated {
			firedNew[c] = append(firedNew[c], s)
		}
		ch := seedChange{Seed: s, Old: o.Verdict, New: n.Verdict, Added: minus(n.Violated, o.Violated), Removed: minus(o.Violated, n.Violated)}
		if ch.Old == ch.New && len(ch.Added) == 0 && len(ch.Removed) == 0 {
			continue
		}
		ch.Worse = verdictOrder[ch.New] > verdictOrder[ch.Old] || len(ch.Added) > 0
		if ch.Worse {
			d.Worse++
		} else {
			d.Better++
		}
		d.Changed = append(d.Changed, ch)
	}
	for _, c := range slices.Sorted(maps.Keys(firedNew)) {
		if len(firedOld[c]) == 0 {
			d.Newly = append(d.Newly, checkerChange{Checker: c, Seeds: firedNew[c]})
		}
	}
	for _, c := range slices.Sorted(maps.Keys(firedOld)) {
		if len(firedNew[c]) == 0 {
			d.Stopped = append(d.Stopped, checkerChange{Checker: c, Seeds: firedOld[c]})
		}
	}
	return d
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// diffListed bounds the seeds the text lists; --json has them all.
const diffListed = 20

func (d sweepDiff) text(w io.Writer) {
	fmt.Fprintf(w, "compared  %d seeds in both (%d only in %s, %d only in %s)\n", d.Compared, d.OnlyOld, d.Old, d.OnlyNew, d.New)
	fmt.Fprintf(w, "changed   %d seeds: %d worse, %d better or neutral\n", len(d.Changed), d.Worse, d.Better)
	for _, c := range d.Newly {
		fmt.Fprintf(w, "newly firing    %s on %d %s, first %d\n", c.Checker, len(c.Seeds), plural(len(c.Seeds), "seed"), c.Seeds[0])
	}
	for _, c := range d.Stopped {
		fmt.Fprintf(w, "stopped firing  %s (fired on %d %s, first %d)\n", c.Checker, len(c.Seeds), plural(len(c.Seeds), "seed"), c.Seeds[0])
	}
	for i, c := range d.Changed {
		if i == diffListed {
			fmt.Fprintf(w, "  ... %d more (--json lists every seed)\n", len(d.Changed)-diffListed)
			break
		}
		mark := "better"
		if c.Worse {
			mark = "WORSE"
		}
		var sets []string
		for _, a := range c.Added {
			sets = append(sets, "+"+a)
		}
		for _, r := range c.Removed {
			sets = append(sets, "-"+r)
		}
		fmt.Fprintf(w, "  seed %-8d %-6s %s -> %s %s\n", c.Seed, mark, c.Old, c.New, strings.Join(sets, " "))
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
