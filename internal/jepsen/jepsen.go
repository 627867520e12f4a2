package jepsen

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/faultline-sim/faultline/history"
)

// line: process, type (invoke, ok, fail, info), function, value.
var line = regexp.MustCompile(`^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:(invoke|ok|fail|info)\s+:(read|write|cas)\s+(.*?)\s*$`)

// value maps a Jepsen value (nil or an integer) to the register's.
func value(s string) (int64, error) {
	if s == "nil" {
		return 0, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("value %q is not nil or a non-negative integer", s)
	}
	return v + 1, nil
}

// casArgs reads "[from to]".
func casArgs(s string) (from, to int64, err error) {
	f := strings.Fields(strings.Trim(s, "[]"))
	if !strings.HasPrefix(s, "[") || !strings.HasSuffix(s, "]") || len(f) != 2 {
		return 0, 0, fmt.Errorf("cas argument %q is not [from to]", s)
	}
	if from, err = value(f[0]); err == nil {
		to, err = value(f[1])
	}
	return from, to, err
}

// Parse reads a Jepsen register log into a register history, operations
// in invocation order. name labels errors ("name:line: problem").
func Parse(r io.Reader, name string) (history.History, error) {
	h := history.History{Model: history.Register}
	ops, err := parse(r, name)
	h.Ops = ops
	return h, err
}

func parse(r io.Reader, name string) ([]history.Op, error) {
	var ops []history.Op
	open := map[int64]int{} // process -> its open operation
	sc := bufio.NewScanner(r)
	n := int64(0)
	for sc.Scan() {
		n++
		text := sc.Text()
		if !strings.Contains(text, "jepsen.util") {
			continue
		}
		m := line.FindStringSubmatch(text)
		if m == nil {
			return nil, fmt.Errorf("%s:%d: not a register operation: %q", name, n, text)
		}
		proc, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: process %q: %w", name, n, m[1], err)
		}
		kind, fn, arg := m[2], m[3], m[4]
		if kind == "invoke" {
			if _, busy := open[proc]; busy {
				return nil, fmt.Errorf("%s:%d: process %d invokes while its operation of line %d is open", name, n, proc, ops[open[proc]].Call)
			}
			op := history.Op{Client: proc, Op: fn, Call: n, Pending: true, Line: int(n)}
			switch fn {
			case "write":
				v, err := value(arg)
				if err != nil {
					return nil, fmt.Errorf("%s:%d: %w", name, n, err)
				}
				op.Value = v
			case "cas":
				from, to, err := casArgs(arg)
				if err != nil {
					return nil, fmt.Errorf("%s:%d: %w", name, n, err)
				}
				op.Expect, op.Value = from, to
			}
			open[proc] = len(ops)
			ops = append(ops, op)
			continue
		}
		i, ok := open[proc]
		if !ok {
			return nil, fmt.Errorf("%s:%d: process %d completes an operation it never invoked", name, n, proc)
		}
		op := &ops[i]
		if op.Op != fn {
			return nil, fmt.Errorf("%s:%d: process %d completes a %s but invoked a %s", name, n, proc, fn, op.Op)
		}
		delete(open, proc)
		switch {
		case kind == "info":
			continue // indeterminate: pending to the end
		case kind == "ok" && fn == "read":
			v, err := value(arg)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", name, n, err)
			}
			op.Value = v
		case kind == "fail":
			op.Failed = true
		}
		op.Return, op.Pending = n, false
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, n+1, err)
	}
	return ops, nil
}
