package history

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/internal/strictjson"
)

// Model is what a history's operations act on.
type Model string

const (
	Lock     Model = "lock"     // acquire and release of named locks
	Register Model = "register" // read, write and cas of integer registers
)

// ops are each model's operation names.
var ops = map[Model][]string{Lock: {"acquire", "release"}, Register: {"read", "write", "cas"}}

// ParseModel reads a model's name.
func ParseModel(s string) (Model, error) {
	if _, ok := ops[Model(s)]; !ok {
		return "", fmt.Errorf("unknown model %q (want lock or register)", s)
	}
	return Model(s), nil
}

// Op is one operation.
type Op struct {
	Client int64
	Key    string
	Op     string // one of the model's operations
	Value  int64  // write, cas (the new value), read (what it read)
	Expect int64  // cas only
	// Failed: the operation had no effect — an acquire refused, a release
	// rejected, a cas whose expectation did not hold ("ok": false).
	Failed  bool
	Call    int64
	Return  int64
	Pending bool // never returned: Return is meaningless
	Line    int  // where Parse read it; 0 for an operation made in Go
}

// History is the operations of one model, in any order.
type History struct {
	Model Model
	Ops   []Op
}

// line is one operation as JSON; pointers tell a missing field from a
// zero one.
type line struct {
	Client *int64  `json:"client"`
	Key    *string `json:"key,omitempty"`
	Op     *string `json:"op"`
	Value  *int64  `json:"value,omitempty"`
	Expect *int64  `json:"expect,omitempty"`
	OK     *bool   `json:"ok,omitempty"`
	Call   *int64  `json:"call"`
	Return *int64  `json:"return,omitempty"`
}

// maxLine bounds one line: far above any operation, low enough that a
// file without newlines is refused instead of read whole into one token.
const maxLine = 1 << 20

// Read reads a history of model m from r; file names it in errors, which
// are one line each: "FILE:LINE: what is wrong".
func Read(file string, r io.Reader, m Model) (History, error) {
	if _, ok := ops[m]; !ok {
		return History{}, fmt.Errorf("%s: unknown model %q (want lock or register)", file, m)
	}
	h := History{Model: m}
	n, err := strictjson.Lines(r, maxLine, func(n int, text []byte) error {
		op, err := parseLine(text, m)
		if err != nil {
			return err
		}
		op.Line = n
		h.Ops = append(h.Ops, op)
		return nil
	})
	if err != nil {
		return History{}, fmt.Errorf("%s:%d: %w", file, n, err)
	}
	return h, nil
}

// Parse is Read of a whole file's bytes.
func Parse(file string, data []byte, m Model) (History, error) {
	return Read(file, bytes.NewReader(data), m)
}

func parseLine(text []byte, m Model) (Op, error) {
	var l line
	if err := strictjson.Decode(text, &l); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case errors.Is(err, strictjson.ErrTrailing):
			return Op{}, errors.New("more than one JSON value on the line")
		case errors.As(err, &te) && te.Field != "":
			return Op{}, fmt.Errorf("field %q: %s is not a valid %s", te.Field, te.Value, jsonKind(te.Type.String()))
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return Op{}, fmt.Errorf("%s (fields: client, key, op, value, expect, ok, call, return)", strings.TrimPrefix(err.Error(), "json: "))
		}
		return Op{}, fmt.Errorf("not a JSON object: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	switch {
	case l.Client == nil:
		return Op{}, errors.New(`"client" is missing`)
	case l.Op == nil:
		return Op{}, errors.New(`"op" is missing`)
	case l.Call == nil:
		return Op{}, errors.New(`"call" is missing`)
	}
	op := Op{Client: *l.Client, Op: *l.Op, Call: *l.Call, Failed: l.OK != nil && !*l.OK, Pending: l.Return == nil}
	if l.Key != nil {
		op.Key = *l.Key
	}
	if l.Value != nil {
		op.Value = *l.Value
	}
	if l.Expect != nil {
		op.Expect = *l.Expect
	}
	if l.Return != nil {
		op.Return = *l.Return
	}
	has := func(p *int64) bool { return p != nil }
	return op, op.check(m, has(l.Value), has(l.Expect))
}

// check is the rules of one operation; hasValue and hasExpect say whether
// those fields were given (an Op made in Go has them when its operation
// needs them).
func (o Op) check(m Model, hasValue, hasExpect bool) error {
	switch {
	case !slices.Contains(ops[m], o.Op):
		return fmt.Errorf("op %q is not a %s operation (want %s)", o.Op, m, strings.Join(ops[m], ", "))
	case !o.Pending && o.Return < o.Call:
		return fmt.Errorf("return %d is before call %d", o.Return, o.Call)
	case hasExpect && o.Op != "cas":
		return fmt.Errorf(`"expect" is only for cas, not %s`, o.Op)
	case m == Lock && hasValue:
		return errors.New(`"value" is not used by lock operations`)
	case o.Op == "cas" && !hasExpect:
		return errors.New(`cas needs "expect"`)
	case (o.Op == "cas" || o.Op == "write") && !hasValue:
		return fmt.Errorf(`%s needs "value"`, o.Op)
	case o.Op == "read" && !hasValue && !o.Pending && !o.Failed:
		return errors.New(`a read that returned needs "value" (what it read)`)
	}
	return nil
}

// needsValue and needsExpect are which fields an operation carries in a
// file: what Write writes, and what check asks of an Op made in Go.
func (o Op) needsValue() bool {
	return o.Op == "write" || o.Op == "cas" || (o.Op == "read" && !o.Pending && !o.Failed)
}
func (o Op) needsExpect() bool { return o.Op == "cas" }

// Validate checks every operation against the model, naming the first
// bad one by its index (and line, if it was read).
func (h History) Validate() error {
	if _, ok := ops[h.Model]; !ok {
		return fmt.Errorf("unknown model %q (want lock or register)", h.Model)
	}
	for i, o := range h.Ops {
		if err := o.check(h.Model, o.needsValue(), o.needsExpect()); err != nil {
			if o.Line > 0 {
				return fmt.Errorf("operation %d (line %d): %w", i+1, o.Line, err)
			}
			return fmt.Errorf("operation %d: %w", i+1, err)
		}
	}
	return nil
}

// Write writes the history as JSON Lines, each operation with the fields
// its kind carries; Parse reads it back to the same operations.
func (h History) Write(w io.Writer) error {
	if err := h.Validate(); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	for _, o := range h.Ops {
		l := line{Client: &o.Client, Op: &o.Op, Call: &o.Call}
		if o.Key != "" {
			l.Key = &o.Key
		}
		if o.needsValue() {
			l.Value = &o.Value
		}
		if o.needsExpect() {
			l.Expect = &o.Expect
		}
		if o.Failed {
			f := false
			l.OK = &f
		}
		if !o.Pending {
			l.Return = &o.Return
		}
		b, err := json.Marshal(l)
		if err != nil {
			return err
		}
		bw.Write(b)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// Check checks the history for linearizability under its model, each
// key's search bounded by timeout (a search that runs out is Unknown).
func Check(h History, timeout time.Duration) (checker.Linearizability, error) {
	if err := h.Validate(); err != nil {
		return checker.Linearizability{}, err
	}
	if h.Model == Lock {
		return checker.CheckLocks(h.lockOps(), timeout), nil
	}
	return checker.CheckRegister(h.registerOps(), false, nil, timeout), nil
}

// lanes numbers the clients densely, in numeric order, as porcupine's
// visualization wants.
func (h History) lanes() map[int64]int {
	var ids []int64
	seen := map[int64]bool{}
	for _, o := range h.Ops {
		if !seen[o.Client] {
			seen[o.Client] = true
			ids = append(ids, o.Client)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	out := map[int64]int{}
	for i, id := range ids {
		out[id] = i
	}
	return out
}

func (o Op) note(i int) string {
	if o.Line > 0 {
		return fmt.Sprintf("line %d", o.Line)
	}
	return fmt.Sprintf("operation %d", i+1)
}

func (h History) lockOps() []checker.LockOp {
	ln := h.lanes()
	out := make([]checker.LockOp, len(h.Ops))
	for i, o := range h.Ops {
		kind := checker.Acquire
		if o.Op == "release" {
			kind = checker.Release
		}
		out[i] = checker.LockOp{Client: ln[o.Client], Name: fmt.Sprintf("client %d", o.Client), Lock: o.Key, Kind: kind,
			OK: !o.Failed, Call: o.Call, Return: o.Return, Pending: o.Pending, Note: o.note(i)}
	}
	return out
}

func (h History) registerOps() []checker.RegisterOp {
	ln := h.lanes()
	out := make([]checker.RegisterOp, len(h.Ops))
	for i, o := range h.Ops {
		op := checker.RegisterOp{Client: ln[o.Client], Name: fmt.Sprintf("client %d", o.Client), Key: o.Key,
			OK: !o.Failed, Call: o.Call, Return: o.Return, Pending: o.Pending, Value: o.Value}
		switch o.Op {
		case "read":
			op.Kind = checker.Read
		case "write":
			op.Kind = checker.Write
		case "cas":
			op.Kind, op.Expect = checker.CAS, o.Expect
		}
		out[i] = op
	}
	return out
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
