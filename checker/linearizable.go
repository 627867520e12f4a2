package checker

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
)

// LinearizabilityTimeout bounds one porcupine search in the scenarios. The
// search is NP-hard; a history that takes longer is reported as unknown,
// never as ok.
const LinearizabilityTimeout = 5 * time.Second

// LockOpKind is what a lock operation did.
type LockOpKind uint8

const (
	Acquire LockOpKind = iota
	Release
	// Expire is the server freeing a lock whose lease ran out: a
	// server-side operation with Call == Return.
	Expire
)

var lockOpNames = [...]string{"acquire", "release", "expire"}

func (k LockOpKind) String() string { return lockOpNames[k] }

// LockOp is one operation on one lock. Operations of a client need not be
// sequential (a restarted client starts new ones while its old ones stay
// pending).
type LockOp struct {
	Client  int    // who acquires or releases; for Expire, the holder whose lease ended
	Name    string // the client's name in descriptions; "" = "client N"
	Lock    string
	Kind    LockOpKind
	OK      bool  // granted, released (Expire: always true)
	Token   int64 // granted, released or expired token; 0 = not recorded
	Call    int64
	Return  int64
	Pending bool // never returned (client crashed, reply lost): Return is ignored
	Note    string
}

// RegisterOpKind is what a register operation did.
type RegisterOpKind uint8

const (
	Read RegisterOpKind = iota
	Write
	CAS
	initialize // the synthetic first write of a key's initial value
)

var registerOpNames = [...]string{"read", "write", "cas", "init"}

func (k RegisterOpKind) String() string { return registerOpNames[k] }

// RegisterOp is one operation on one key of a register (or of a versioned
// store, where a read also returns a version and a cas names the version
// it expects).
type RegisterOp struct {
	Client  int
	Name    string
	Key     string
	Kind    RegisterOpKind
	Value   int64 // written, read, or the new value of a cas
	Expect  int64 // cas: the expected value, or the expected version when versioned
	Version int64 // read: the version read (versioned only)
	OK      bool  // cas succeeded; a read or write with OK false had no effect
	Call    int64
	Return  int64
	Pending bool
	Note    string
}

// Linearizability is the outcome of one porcupine check.
type Linearizability struct {
	Verdict  Verdict // OK, Violation or Unknown
	Ops      int
	Keys     int
	Pending  int
	Timeout  time.Duration
	Failures []KeyFailure // on a violation: the keys with no linearization

	model porcupine.Model
	hist  []porcupine.Operation
	// For the picture: the lock or key of an operation, and the name of
	// a client row.
	keyOf   func(porcupine.Operation) string
	rowName func(int) string
}

// KeyFailure explains one key (or lock) whose operations have no legal
// order: the longest legal order porcupine found, and what could not
// follow it.
type KeyFailure struct {
	Key     string
	Ops     int
	Longest int      // operations in the longest legal order found
	Last    string   // the last operation of that order ("" if none)
	Stuck   []string // operations outside it, earliest first (at most 3)
}

func (f KeyFailure) String() string {
	key := f.Key
	if key == "" {
		key = "(no key)"
	}
	s := fmt.Sprintf("%s: %d operations; the longest legal order found covers %d", key, f.Ops, f.Longest)
	if f.Last != "" {
		s += ", ending with " + f.Last
	}
	if len(f.Stuck) > 0 {
		s += "; none can follow it, e.g. " + strings.Join(f.Stuck, "; ")
	}
	return s
}

// Summary is the check in one line.
func (l Linearizability) Summary() string {
	what := fmt.Sprintf("%d operations on %d %s", l.Ops, l.Keys, plural(l.Keys, "key"))
	if l.Pending > 0 {
		what += fmt.Sprintf(" (%d never returned)", l.Pending)
	}
	switch l.Verdict {
	case OK:
		return "linearizable: " + what
	case Unknown:
		return fmt.Sprintf("unknown: the search timed out after %v on %s; this is not a pass", l.Timeout, what)
	}
	msg := "not linearizable: " + what
	if len(l.Failures) > 0 {
		msg += "; " + l.Failures[0].String()
	}
	return msg
}

// Visualize writes porcupine's HTML picture of the history: each key's
// operations and the longest legal orders found. It re-runs the search in
// its verbose form, so it costs as much as the check did.
func (l Linearizability) Visualize(w io.Writer) error {
	if l.model.Step == nil {
		return fmt.Errorf("no history to visualize")
	}
	m := l.model
	if describe := m.DescribeOperation; l.keyOf != nil && describe != nil {
		// porcupine draws every lock or key on the same client rows:
		// each operation names its own.
		m.DescribeOperation = func(in, out any) string {
			d := describe(in, out)
			if k := l.keyOf(porcupine.Operation{Input: in}); k != "" && !strings.Contains(d, k) {
				d = k + ": " + d
			}
			return d
		}
	}
	_, info := porcupine.CheckOperationsVerbose(m, l.hist, l.Timeout)
	if l.rowName != nil {
		info.AddAnnotations(rowLabels(l.hist, l.rowName))
	}
	return porcupine.Visualize(m, info, w)
}

// rowLabels names each client row of porcupine's picture, which numbers
// rows by client index: a label box at the start of every row, before the
// first operation.
func rowLabels(hist []porcupine.Operation, name func(int) string) []porcupine.Annotation {
	if len(hist) == 0 {
		return nil
	}
	first := hist[0].Call
	rows := map[int]bool{}
	for _, op := range hist {
		first = min(first, op.Call)
		rows[op.ClientId] = true
	}
	ids := make([]int, 0, len(rows))
	for id := range rows {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	var out []porcupine.Annotation
	for _, id := range ids {
		out = append(out, porcupine.Annotation{ClientId: id, Start: first - 1, Description: name(id),
			Details: fmt.Sprintf("row %d is %s", id, name(id)), BackgroundColor: "#ddf4ff"})
	}
	return out
}

// opMeta rides along each porcupine operation, so operations found in a
// partial linearization can be told apart and described. Descriptions are
// made only for an explanation, from the operation itself: most checks
// find nothing to explain.
type opMeta struct {
	index  int    // in the checked slice; negative for a synthetic operation
	note   string // shown in the visualization
	prefix string // put before the description (who did it)
}

func (m opMeta) String() string { return m.note }

func keyPartition(keyOf func(porcupine.Operation) string) func([]porcupine.Operation) [][]porcupine.Operation {
	return func(h []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string][]porcupine.Operation{}
		for _, op := range h {
			k := keyOf(op)
			byKey[k] = append(byKey[k], op)
		}
		keys := sortedOpKeys(byKey)
		out := make([][]porcupine.Operation, len(keys))
		for i, k := range keys {
			out[i] = byKey[k]
		}
		return out
	}
}

func sortedOpKeys(m map[string][]porcupine.Operation) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// An operation that is legal in every state and changes nothing — a read
// that failed or never returned, a refusal no state can contradict — is
// inert: it fits anywhere in its interval of any linearization of the
// other operations (whatever must precede it returned before whatever
// must follow it was called), so leaving it out of the search changes no
// verdict. The checks do, because porcupine would otherwise try it at
// every point, doubling the orders to search for each one in flight.

// implied drops the operations another one makes redundant. Two no-op
// operations (legal only in some states, changing nothing) with the same
// condition on the state — two refused SET NX, two reads of one value —
// and the interval of one inside the other's: wherever the inner one is
// linearized, the outer one can be too, right after it (what must
// precede the outer returned before the inner was called; what must
// follow it was called after the inner returned). So only the innermost
// of each condition are searched; during a pause, dozens of concurrent
// refusals come down to a handful. class gives an operation's condition,
// "" for an operation that is not such a no-op.
func implied(hist []porcupine.Operation, class func(porcupine.Operation) string) []porcupine.Operation {
	type item struct {
		i    int
		call int64
		ret  int64
	}
	groups := map[string][]item{}
	for i, op := range hist {
		if c := class(op); c != "" {
			groups[c] = append(groups[c], item{i, op.Call, op.Return})
		}
	}
	drop := map[int]bool{}
	for _, g := range groups {
		// Latest call first; an operation contains an earlier-visited one
		// iff some visited return is at or before its own.
		sort.Slice(g, func(a, b int) bool {
			if g[a].call != g[b].call {
				return g[a].call > g[b].call
			}
			if g[a].ret != g[b].ret {
				return g[a].ret < g[b].ret
			}
			return g[a].i > g[b].i
		})
		minRet := int64(math.MaxInt64)
		for j, it := range g {
			if j > 0 && minRet <= it.ret {
				drop[it.i] = true
			}
			minRet = min(minRet, it.ret)
		}
	}
	if len(drop) == 0 {
		return hist
	}
	kept := make([]porcupine.Operation, 0, len(hist)-len(drop))
	for i, op := range hist {
		if !drop[i] {
			kept = append(kept, op)
		}
	}
	return kept
}

// check runs porcupine with a timeout and, on a violation, explains it.
// Operations that never returned get Return = MaxInt64, after everything:
// porcupine silently calls a history with a missing return illegal.
func check(m porcupine.Model, hist []porcupine.Operation, keyOf func(porcupine.Operation) string, timeout time.Duration) Linearizability {
	byKey := map[string][]porcupine.Operation{}
	pending := 0
	for _, op := range hist {
		byKey[keyOf(op)] = append(byKey[keyOf(op)], op)
		if op.Return == math.MaxInt64 {
			pending++
		}
	}
	keys := sortedOpKeys(byKey)
	l := Linearizability{Ops: len(hist), Keys: len(keys), Pending: pending, Timeout: timeout, model: m, hist: hist, keyOf: keyOf}
	switch porcupine.CheckOperationsTimeout(m, hist, timeout) {
	case porcupine.Ok:
		l.Verdict = OK
		return l
	case porcupine.Unknown:
		l.Verdict = Unknown
		return l
	}
	l.Verdict = Violation
	res, info := porcupine.CheckOperationsVerbose(m, hist, timeout)
	if res != porcupine.Illegal {
		return l // the explanation search timed out; the verdict stands
	}
	text := func(op porcupine.Operation) string {
		meta := op.Metadata.(opMeta)
		s := meta.prefix + m.DescribeOperation(op.Input, op.Output)
		if meta.index >= 0 {
			s += " " + span(op.Call, op.Return, op.Return == math.MaxInt64)
		}
		return s
	}
	partials := info.PartialLinearizationsOperations()
	for i, k := range keys {
		if i >= len(partials) {
			break
		}
		ops := byKey[k]
		longest := []porcupine.Operation{}
		for _, p := range partials[i] {
			if len(p) > len(longest) {
				longest = p
			}
		}
		if len(longest) == len(ops) {
			continue
		}
		f := KeyFailure{Key: k, Ops: len(ops), Longest: len(longest)}
		in := map[int]bool{}
		for _, op := range longest {
			in[op.Metadata.(opMeta).index] = true
		}
		if len(longest) > 0 {
			f.Last = text(longest[len(longest)-1])
		}
		rest := []porcupine.Operation{}
		for _, op := range ops {
			if !in[op.Metadata.(opMeta).index] {
				rest = append(rest, op)
			}
		}
		sort.SliceStable(rest, func(a, b int) bool { return rest[a].Call < rest[b].Call })
		for j, op := range rest {
			if j == 3 {
				break
			}
			f.Stuck = append(f.Stuck, text(op))
		}
		l.Failures = append(l.Failures, f)
	}
	return l
}

func retOf(ret int64, pending bool) int64 {
	if pending {
		return math.MaxInt64
	}
	return ret
}

func span(call, ret int64, pending bool) string {
	if pending {
		return fmt.Sprintf("[%d, never returned]", call)
	}
	return fmt.Sprintf("[%d, %d]", call, ret)
}

// --- the lock model ---

// lockState is one lock: its holder (-1 = free) and the token of the
// latest grant, if known. The token stays when the lock is freed, so a
// later grant can be checked to carry a larger one.
type lockState struct {
	Holder int
	Token  int64
	Known  bool
}

type lockInput struct {
	Lock   string
	Kind   LockOpKind
	Client int
	Token  int64
}

type lockOutput struct {
	OK      bool
	Token   int64
	Pending bool
}

func (s lockState) tokenIs(t int64) bool { return t == 0 || !s.Known || s.Token == t }

// lockStep is the lock's sequential specification: whether the operation
// is legal in state s, and the state after it. An operation that never
// returned is legal in every state and always takes effect when it can:
// its return is at the end of the history, so porcupine may place it
// after every other operation, and there an effect is as good as none.
// That covers "did not take effect" without a second successor state,
// as porcupine's reference models do.
func lockStep(s lockState, in lockInput, out lockOutput) (bool, lockState) {
	free := s.Holder < 0
	switch in.Kind {
	case Acquire:
		switch {
		case out.Pending && free:
			return true, lockState{Holder: in.Client} // the token it got is not known
		case out.Pending:
			return true, s
		case out.OK:
			// Tokens only grow: a grant may not reuse or go below the last.
			if free && (out.Token == 0 || !s.Known || out.Token > s.Token) {
				return true, lockState{Holder: in.Client, Token: out.Token, Known: out.Token != 0}
			}
			return false, s
		}
		return !free, s
	case Release:
		holds := !free && s.Holder == in.Client && s.tokenIs(in.Token)
		released := lockState{Holder: -1, Token: s.Token, Known: s.Known}
		switch {
		case out.Pending && holds:
			return true, released
		case out.Pending:
			return true, s
		case out.OK && holds:
			return true, released
		}
		return !out.OK && !holds, s
	case Expire:
		if !free && s.Holder == in.Client && s.tokenIs(in.Token) {
			return true, lockState{Holder: -1, Token: s.Token, Known: s.Known}
		}
	}
	return false, s
}

// LockModel is the porcupine model of a lock service, partitioned by lock.
// names gives client names by index, for descriptions.
func LockModel(names func(int) string) porcupine.Model {
	return porcupine.Model{
		Partition: keyPartition(func(op porcupine.Operation) string { return op.Input.(lockInput).Lock }),
		Init:      func() any { return lockState{Holder: -1, Known: true} },
		Step: func(state, input, output any) (bool, any) {
			return lockStep(state.(lockState), input.(lockInput), output.(lockOutput))
		},
		Equal: func(a, b any) bool { return a.(lockState) == b.(lockState) },
		Hash: func(state any) uint64 {
			s := state.(lockState)
			h := uint64(s.Holder+2)*0x9e3779b97f4a7c15 ^ uint64(s.Token)*0xbf58476d1ce4e5b9
			if s.Known {
				h ^= 1
			}
			return h
		},
		DescribeOperation: func(input, output any) string {
			return describeLock(names, input.(lockInput), output.(lockOutput))
		},
		DescribeState: func(state any) string {
			s := state.(lockState)
			tok := ""
			if s.Known && s.Token != 0 {
				tok = fmt.Sprintf(" (last token %d)", s.Token)
			}
			if s.Holder < 0 {
				return "free" + tok
			}
			return "held by " + names(s.Holder) + tok
		},
		DescribeOperationMetadata: describeMeta,
	}
}

// describeMeta shows an operation's note in porcupine's visualization.
func describeMeta(m any) string {
	if m == nil {
		return ""
	}
	return m.(opMeta).note
}

func describeLock(names func(int) string, in lockInput, out lockOutput) string {
	var s string
	switch in.Kind {
	case Expire:
		s = fmt.Sprintf("lease of %s expires", names(in.Client))
		if in.Token != 0 {
			s += fmt.Sprintf(" (token %d)", in.Token)
		}
		return s
	case Release:
		s = names(in.Client) + " release"
		if in.Token != 0 {
			s += fmt.Sprintf("(token %d)", in.Token)
		}
	default:
		s = names(in.Client) + " acquire"
	}
	switch {
	case out.Pending:
		return s + " -> ?"
	case !out.OK:
		return s + " -> fail"
	case in.Kind == Acquire && out.Token != 0:
		return s + fmt.Sprintf(" -> ok (token %d)", out.Token)
	}
	return s + " -> ok"
}

func nameFunc(byIndex map[int]string) func(int) string {
	return func(i int) string {
		if n, ok := byIndex[i]; ok && n != "" {
			return n
		}
		return fmt.Sprintf("client %d", i)
	}
}

// CheckLocks checks a lock history for linearizability, lock by lock.
// Expire operations are drawn in a lane of their own after the clients'.
func CheckLocks(ops []LockOp, timeout time.Duration) Linearizability {
	byIndex := map[int]string{}
	lane := 0
	for _, op := range ops {
		if op.Name != "" && op.Kind != Expire {
			byIndex[op.Client] = op.Name
		}
		lane = max(lane, op.Client+1)
	}
	for _, op := range ops {
		if op.Name != "" && byIndex[op.Client] == "" {
			byIndex[op.Client] = op.Name
		}
	}
	names := nameFunc(byIndex)
	m := LockModel(names)
	hist := make([]porcupine.Operation, len(ops))
	for i, op := range ops {
		in := lockInput{Lock: op.Lock, Kind: op.Kind, Client: op.Client}
		out := lockOutput{OK: op.OK, Pending: op.Pending}
		client, call, ret := op.Client, op.Call, retOf(op.Return, op.Pending)
		switch op.Kind {
		case Acquire:
			out.Token = op.Token
		case Release:
			in.Token = op.Token
		case Expire:
			in.Token = op.Token
			out = lockOutput{OK: true}
			client, ret = lane, call
		}
		hist[i] = porcupine.Operation{ClientId: client, Input: in, Output: out, Call: call, Return: ret,
			Metadata: opMeta{index: i, note: op.Note}}
	}
	pending := 0
	for _, op := range ops {
		if op.Pending {
			pending++
		}
	}
	hist = implied(hist, func(op porcupine.Operation) string {
		in, out := op.Input.(lockInput), op.Output.(lockOutput)
		switch {
		case out.Pending || out.OK:
			return ""
		case in.Kind == Acquire:
			return in.Lock + "\x00held"
		case in.Kind == Release:
			return fmt.Sprintf("%s\x00not held by %d with %d", in.Lock, in.Client, in.Token)
		}
		return ""
	})
	l := check(m, hist, func(op porcupine.Operation) string { return op.Input.(lockInput).Lock }, timeout)
	l.Ops, l.Pending = len(ops), pending
	l.rowName = func(id int) string {
		if id == lane {
			return "lease expiries"
		}
		return names(id)
	}
	return l
}

// --- the register model ---

// regState is one key: its value and, for a versioned store only, its
// version (the number of updates applied). An unversioned register keeps
// Version at 0, so states that differ only in how they were reached are
// one state to porcupine's cache.
type regState struct {
	Value   int64
	Version int64
}

type regInput struct {
	Key    string
	Kind   RegisterOpKind
	Client int
	Value  int64
	Expect int64
}

type regOutput struct {
	OK      bool
	Value   int64
	Version int64
	Pending bool
}

// regStep is the register's sequential specification; an operation that
// never returned takes effect if it can and is legal everywhere (see
// lockStep for why that covers "did not take effect").
func regStep(versioned bool, s regState, in regInput, out regOutput) (bool, regState) {
	updated := regState{Value: in.Value}
	if versioned {
		updated.Version = s.Version + 1
	}
	switch in.Kind {
	case initialize:
		return true, regState{Value: in.Value}
	case Read:
		if out.Pending || !out.OK {
			return true, s
		}
		return out.Value == s.Value && (!versioned || out.Version == s.Version), s
	case Write:
		if out.Pending || out.OK {
			return true, updated
		}
		return true, s
	case CAS:
		match := in.Expect == s.Value
		if versioned {
			match = in.Expect == s.Version
		}
		switch {
		case match && (out.Pending || out.OK):
			return true, updated
		case out.Pending:
			return true, s
		}
		return !out.OK && !match, s
	}
	return false, s
}

// RegisterModel is the porcupine model of a register of integers,
// partitioned by key, every key starting at 0 (a store's initial values
// come in as a first "init" operation per key). versioned: a read also
// returns the version and a cas compares versions instead of values.
func RegisterModel(versioned bool, names func(int) string) porcupine.Model {
	m := porcupine.Model{
		Partition: keyPartition(func(op porcupine.Operation) string { return op.Input.(regInput).Key }),
		Init:      func() any { return regState{} },
		Step: func(state, input, output any) (bool, any) {
			return regStep(true, state.(regState), input.(regInput), output.(regOutput))
		},
		Equal: func(a, b any) bool { return a.(regState) == b.(regState) },
		Hash: func(state any) uint64 {
			s := state.(regState)
			return uint64(s.Value)*0x9e3779b97f4a7c15 ^ uint64(s.Version)*0xbf58476d1ce4e5b9
		},
		DescribeOperation: func(input, output any) string {
			return describeReg(versioned, names, input.(regInput), output.(regOutput))
		},
		DescribeState: func(state any) string {
			s := state.(regState)
			return fmt.Sprintf("%d (version %d)", s.Value, s.Version)
		},
		DescribeOperationMetadata: describeMeta,
	}
	if !versioned {
		// The state is the bare value: an int64 in an interface costs no
		// allocation when small, a struct always does, on every step.
		m.Init = func() any { return int64(0) }
		m.Step = func(state, input, output any) (bool, any) {
			ok, n := regStep(false, regState{Value: state.(int64)}, input.(regInput), output.(regOutput))
			return ok, n.Value
		}
		m.Equal = func(a, b any) bool { return a.(int64) == b.(int64) }
		m.Hash = func(state any) uint64 { return uint64(state.(int64)) * 0x9e3779b97f4a7c15 }
		m.DescribeState = func(state any) string { return fmt.Sprint(state.(int64)) }
	}
	return m
}

func describeReg(versioned bool, names func(int) string, in regInput, out regOutput) string {
	who := names(in.Client)
	var s string
	switch in.Kind {
	case initialize:
		return fmt.Sprintf("initial value %d", in.Value)
	case Read:
		s = who + " read"
		switch {
		case out.Pending || !out.OK:
			return s + " -> ?"
		case versioned:
			return s + fmt.Sprintf(" -> %d (version %d)", out.Value, out.Version)
		}
		return s + fmt.Sprintf(" -> %d", out.Value)
	case Write:
		s = fmt.Sprintf("%s write %d", who, in.Value)
	case CAS:
		if versioned {
			s = fmt.Sprintf("%s cas(version %d -> %d)", who, in.Expect, in.Value)
		} else {
			s = fmt.Sprintf("%s cas(%d -> %d)", who, in.Expect, in.Value)
		}
	}
	switch {
	case out.Pending:
		return s + " -> ?"
	case out.OK:
		return s + " -> ok"
	}
	return s + " -> fail"
}

// CheckRegister checks a register history for linearizability, key by
// key. initial gives keys that do not start at 0 (at version 0).
func CheckRegister(ops []RegisterOp, versioned bool, initial map[string]int64, timeout time.Duration) Linearizability {
	byIndex := map[int]string{}
	first := int64(math.MaxInt64)
	for _, op := range ops {
		if op.Name != "" {
			byIndex[op.Client] = op.Name
		}
		first = min(first, op.Call)
	}
	names := nameFunc(byIndex)
	m := RegisterModel(versioned, names)
	var hist []porcupine.Operation
	keys := make([]string, 0, len(initial))
	for k := range initial {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if initial[k] == 0 {
			continue
		}
		// Before every real operation, so it is linearized first.
		at := first - 1
		if first == math.MaxInt64 {
			at = 0
		}
		in := regInput{Key: k, Kind: initialize, Value: initial[k]}
		hist = append(hist, porcupine.Operation{ClientId: 0, Input: in, Output: regOutput{OK: true}, Call: at, Return: at,
			Metadata: opMeta{index: -1 - len(hist)}})
	}
	pending := 0
	for i, op := range ops {
		if op.Pending {
			pending++
		}
		if (op.Kind == Read || op.Kind == Write) && !op.OK && !op.Pending || op.Kind == Read && op.Pending {
			continue // inert: it had no effect, or read nothing anyone saw
		}
		in := regInput{Key: op.Key, Kind: op.Kind, Client: op.Client, Value: op.Value, Expect: op.Expect}
		out := regOutput{OK: op.OK, Value: op.Value, Version: op.Version, Pending: op.Pending}
		hist = append(hist, porcupine.Operation{ClientId: op.Client, Input: in, Output: out, Call: op.Call,
			Return: retOf(op.Return, op.Pending), Metadata: opMeta{index: i, note: op.Note}})
	}
	hist = implied(hist, func(op porcupine.Operation) string {
		in, out := op.Input.(regInput), op.Output.(regOutput)
		switch {
		case out.Pending:
			return ""
		case in.Kind == Read && versioned:
			return fmt.Sprintf("%s\x00= %d@%d", in.Key, out.Value, out.Version)
		case in.Kind == Read:
			return fmt.Sprintf("%s\x00= %d", in.Key, out.Value)
		case in.Kind == CAS && !out.OK:
			return fmt.Sprintf("%s\x00!= %d", in.Key, in.Expect)
		}
		return ""
	})
	l := check(m, hist, func(op porcupine.Operation) string { return op.Input.(regInput).Key }, timeout)
	l.Ops, l.Pending = len(ops), pending
	l.rowName = names
	return l
}
