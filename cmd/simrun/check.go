package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/spf13/cobra"
)

func init() { subcommands = append(subcommands, newCheck) }

// historyLine is one operation of a JSON Lines history. Pointers tell a
// missing field from a zero one.
type historyLine struct {
	Client *int64  `json:"client"`
	Key    *string `json:"key"`
	Op     *string `json:"op"`
	Value  *int64  `json:"value"`
	Expect *int64  `json:"expect"`
	OK     *bool   `json:"ok"`
	Call   *int64  `json:"call"`
	Return *int64  `json:"return"`
}

func newCheck() *cobra.Command {
	var (
		model   string
		timeout time.Duration
		vizDir  string
	)
	c := &cobra.Command{
		Use:   "check FILE --model lock|register",
		Short: "Check a recorded history (JSON Lines) for linearizability with porcupine",
		Long: `Check a history recorded anywhere — by Faultline or by a test of a real
system — for linearizability. One operation per line:

  {"client": 1, "key": "x", "op": "cas", "expect": 0, "value": 5, "ok": true, "call": 10, "return": 20}

client (int), key (string, optional), op (acquire/release for --model lock;
read/write/cas for --model register), value (int: written, read, or the new
value of a cas), expect (int, cas only), ok (bool, default true: acquire
granted, release accepted, cas succeeded), call and return (int64
timestamps; return absent or null = the operation never returned). A
register starts at 0; a lock starts free. Intervals are closed: an
operation returning at 20 and one called at 20 overlap.

Exit status: 0 linearizable, 1 not linearizable (the explanation and the
path of porcupine's HTML visualization are printed), 2 malformed input,
3 unknown (the search timed out).`,
		Args: exactlyOne("history file"),
		RunE: func(c *cobra.Command, args []string) error {
			if model != "lock" && model != "register" {
				if model == "" {
					return fmt.Errorf("check: --model is required (lock or register)")
				}
				return fmt.Errorf("check: unknown --model %q (want lock or register)", model)
			}
			if timeout <= 0 {
				return fmt.Errorf("check: --timeout must be positive, got %v", timeout)
			}
			data, err := os.ReadFile(args[0])
			if err != nil {
				return fmt.Errorf("check: %v", err)
			}
			lines, err := parseHistory(args[0], data, model)
			if err != nil {
				return err
			}
			var res checker.Linearizability
			if model == "lock" {
				res = checker.CheckLocks(lockOps(lines), timeout)
			} else {
				res = checker.CheckRegister(registerOps(lines), false, nil, timeout)
			}
			w := c.OutOrStdout()
			switch res.Verdict {
			case checker.OK:
				fmt.Fprintf(w, "%s (model %s)\n", res.Summary(), model)
				return nil
			case checker.Unknown:
				fmt.Fprintf(w, "%s (model %s)\n", res.Summary(), model)
				return exitCode(3)
			}
			fmt.Fprintf(w, "not linearizable: %d operations on %d key(s) (model %s)\n", res.Ops, res.Keys, model)
			for _, f := range res.Failures {
				fmt.Fprintf(w, "  %s\n", f)
			}
			base := strings.TrimSuffix(filepath.Base(args[0]), filepath.Ext(args[0]))
			path, err := writeVisualization(vizDir, "porcupine-"+base+".html", res.Visualize)
			if err != nil {
				fmt.Fprintf(w, "visualization not written: %v\n", err)
			} else {
				fmt.Fprintf(w, "visualization: %s\n", path)
			}
			return exitCode(1)
		},
	}
	f := c.Flags()
	f.StringVar(&model, "model", "", "lock or register (required)")
	f.DurationVar(&timeout, "timeout", 10*time.Second, "give up after this long and report unknown")
	f.StringVar(&vizDir, "viz-dir", ".", "directory for the HTML visualization of a violation")
	return c
}

// parseHistory reads every line, refusing the first malformed one with
// its line number.
func parseHistory(file string, data []byte, model string) ([]historyLine, error) {
	var out []historyLine
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		l, err := parseLine([]byte(text), model)
		if err != nil {
			return nil, fmt.Errorf("check: %s:%d: %v", file, n, err)
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("check: %s:%d: %v", file, n+1, err)
	}
	return out, nil
}

func parseLine(text []byte, model string) (historyLine, error) {
	var l historyLine
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &te):
			return l, fmt.Errorf("field %q: %s is not a valid %s", te.Field, te.Value, jsonKind(te.Type.String()))
		case errors.As(err, &se):
			return l, fmt.Errorf("not a JSON object: %v", err)
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return l, fmt.Errorf("%s (fields: client, key, op, value, expect, ok, call, return)", strings.TrimPrefix(err.Error(), "json: "))
		}
		return l, fmt.Errorf("not a JSON object: %v", err)
	}
	if dec.More() {
		return l, fmt.Errorf("more than one JSON value on the line")
	}
	ops := map[string][]string{"lock": {"acquire", "release"}, "register": {"read", "write", "cas"}}[model]
	switch {
	case l.Client == nil:
		return l, fmt.Errorf(`"client" is missing`)
	case l.Op == nil:
		return l, fmt.Errorf(`"op" is missing`)
	case !contains(ops, *l.Op):
		return l, fmt.Errorf("op %q is not a %s operation (want %s)", *l.Op, model, strings.Join(ops, ", "))
	case l.Call == nil:
		return l, fmt.Errorf(`"call" is missing`)
	case l.Return != nil && *l.Return < *l.Call:
		return l, fmt.Errorf("return %d is before call %d", *l.Return, *l.Call)
	case l.Expect != nil && *l.Op != "cas":
		return l, fmt.Errorf(`"expect" is only for cas, not %s`, *l.Op)
	case model == "lock" && l.Value != nil:
		return l, fmt.Errorf(`"value" is not used by lock operations`)
	case *l.Op == "cas" && l.Expect == nil:
		return l, fmt.Errorf(`cas needs "expect"`)
	case (*l.Op == "cas" || *l.Op == "write") && l.Value == nil:
		return l, fmt.Errorf(`%s needs "value"`, *l.Op)
	case *l.Op == "read" && l.Value == nil && l.Return != nil && (l.OK == nil || *l.OK):
		return l, fmt.Errorf(`a read that returned needs "value" (what it read)`)
	}
	return l, nil
}

func jsonKind(goType string) string {
	switch goType {
	case "int64":
		return "integer"
	case "bool":
		return "boolean (true or false)"
	case "string":
		return "string"
	}
	return goType
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// lanes numbers the history's clients densely, in numeric order, as
// porcupine's visualization wants.
func lanes(lines []historyLine) map[int64]int {
	var ids []int64
	seen := map[int64]bool{}
	for _, l := range lines {
		if !seen[*l.Client] {
			seen[*l.Client] = true
			ids = append(ids, *l.Client)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	out := map[int64]int{}
	for i, id := range ids {
		out[id] = i
	}
	return out
}

func okOf(l historyLine) bool { return l.OK == nil || *l.OK }

func keyOf(l historyLine) string {
	if l.Key == nil {
		return ""
	}
	return *l.Key
}

func retOf(l historyLine) (int64, bool) {
	if l.Return == nil {
		return 0, true
	}
	return *l.Return, false
}

func lockOps(lines []historyLine) []checker.LockOp {
	ln := lanes(lines)
	out := make([]checker.LockOp, len(lines))
	for i, l := range lines {
		ret, pending := retOf(l)
		kind := checker.Acquire
		if *l.Op == "release" {
			kind = checker.Release
		}
		out[i] = checker.LockOp{Client: ln[*l.Client], Name: fmt.Sprintf("client %d", *l.Client), Lock: keyOf(l), Kind: kind,
			OK: okOf(l), Call: *l.Call, Return: ret, Pending: pending, Note: fmt.Sprintf("line %d", i+1)}
	}
	return out
}

func registerOps(lines []historyLine) []checker.RegisterOp {
	ln := lanes(lines)
	out := make([]checker.RegisterOp, len(lines))
	for i, l := range lines {
		ret, pending := retOf(l)
		op := checker.RegisterOp{Client: ln[*l.Client], Name: fmt.Sprintf("client %d", *l.Client), Key: keyOf(l),
			OK: okOf(l), Call: *l.Call, Return: ret, Pending: pending}
		switch *l.Op {
		case "read":
			op.Kind = checker.Read
		case "write":
			op.Kind = checker.Write
		case "cas":
			op.Kind, op.Expect = checker.CAS, *l.Expect
		}
		if l.Value != nil {
			op.Value = *l.Value
		}
		out[i] = op
	}
	return out
}

// writeVisualization writes one HTML file into dir and returns its path.
func writeVisualization(dir, name string, visualize func(io.Writer) error) (string, error) {
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	if err := visualize(f); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	return path, nil
}

// writeRunVisualizations writes porcupine's picture for every
// linearizability violation of a run and says where.
func writeRunVisualizations(w io.Writer, dir string, out *scenarios.Outcome) {
	for _, r := range out.Results {
		if r.Visualize == nil || r.Verdict != checker.Violation {
			continue
		}
		name := fmt.Sprintf("porcupine-%s-seed%d-%s.html", out.Scenario, out.Seed, r.Checker)
		if path, err := writeVisualization(dir, name, r.Visualize); err != nil {
			fmt.Fprintf(w, "visualization not written: %v\n", err)
		} else {
			fmt.Fprintf(w, "visualization %s (%s)\n", path, r.Checker)
		}
	}
}
