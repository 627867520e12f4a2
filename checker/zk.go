package checker

import (
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/faultline-sim/faultline/obs"
)

// ZKOpKind is what a ZooKeeper operation did.
type ZKOpKind uint8

const (
	ZKCreate ZKOpKind = iota
	ZKChildren
	ZKExists
	ZKDelete
	// ZKExpire is the server expiring a session: a server-side operation
	// with Call == Return, repeated in every lock's partition.
	ZKExpire
)

var zkOpNames = [...]string{"create", "children", "exists", "delete", "expire"}

func (k ZKOpKind) String() string { return zkOpNames[k] }

// ZKOp is one operation on one lock's directory of the ZooKeeper server.
type ZKOp struct {
	Client  int
	Name    string
	Session int64
	Lock    string
	Kind    ZKOpKind
	Node    string // create: the prefix (GUID); exists, delete: the node; create's result is Result
	Err     string // "", "no-node", "session-expired"
	Result  string // create: the node created
	Czxid   int64  // create, exists: the node's czxid
	Exists  bool
	Kids    []obs.ZKChild
	Call    int64
	Return  int64
	Pending bool
}

// zkState is one lock's directory: its children in sequence order,
// encoded "name:czxid:session;" (czxid 0 = created by a create whose
// answer never came, so not known yet), the next sequence number, the
// highest czxid seen, and the expired sessions ",s1,s2,". Strings keep the
// state comparable and hashable: porcupine panics on == over slices.
type zkState struct {
	Kids    string
	Next    int64
	MaxCz   int64
	Expired string
}

type zkKid struct {
	name    string
	czxid   int64
	session int64
}

func decodeKids(s string) []zkKid {
	var out []zkKid
	for _, part := range strings.Split(s, ";") {
		if part == "" {
			continue
		}
		f := strings.Split(part, ":")
		cz, _ := strconv.ParseInt(f[1], 10, 64)
		se, _ := strconv.ParseInt(f[2], 10, 64)
		out = append(out, zkKid{f[0], cz, se})
	}
	return out
}

func encodeKids(ks []zkKid) string {
	var b strings.Builder
	for _, k := range ks {
		fmt.Fprintf(&b, "%s:%d:%d;", k.name, k.czxid, k.session)
	}
	return b.String()
}

func (s zkState) expired(session int64) bool {
	return strings.Contains(s.Expired, fmt.Sprintf(",%d,", session))
}

type zkInput struct {
	Lock    string
	Kind    ZKOpKind
	Session int64
	Node    string
}

type zkOutput struct {
	Err     string
	Result  string
	Czxid   int64
	Exists  bool
	Kids    string // "name@czxid " in order
	Pending bool
}

func encodeChildren(ks []obs.ZKChild) string {
	var b strings.Builder
	for _, k := range ks {
		fmt.Fprintf(&b, "%s@%d ", k.Name, k.Czxid)
	}
	return b.String()
}

// zkNodeName is the name the server gives the seq-th child created with
// prefix.
func zkNodeName(prefix string, seq int64) string { return fmt.Sprintf("%s-lock-%010d", prefix, seq) }

// zkStep is a lock directory's sequential specification: whether the
// operation is legal in state s, and the state after it. An expired
// session's requests must all fail with session-expired. An operation that
// never returned takes effect if it can and is legal everywhere (see
// lockStep for why that covers "did not take effect").
func zkStep(s zkState, in zkInput, out zkOutput) (bool, zkState) {
	if in.Kind == ZKExpire {
		var keep []zkKid
		for _, k := range decodeKids(s.Kids) {
			if k.session != in.Session {
				keep = append(keep, k)
			}
		}
		n := s
		n.Kids = encodeKids(keep)
		if !s.expired(in.Session) {
			if n.Expired == "" {
				n.Expired = ","
			}
			n.Expired += fmt.Sprintf("%d,", in.Session)
		}
		return true, n
	}
	dead := s.expired(in.Session)
	switch {
	case out.Pending && dead:
		return true, s
	case out.Err == "session-expired":
		if dead {
			return true, s
		}
		return false, s
	case dead && !out.Pending:
		return false, s
	}
	kids := decodeKids(s.Kids)
	find := func(name string) int {
		for i, k := range kids {
			if k.name == name {
				return i
			}
		}
		return -1
	}
	switch in.Kind {
	case ZKCreate:
		name := zkNodeName(in.Node, s.Next)
		n := s
		n.Next++
		if out.Pending {
			n.Kids += encodeKids([]zkKid{{name, 0, in.Session}})
			return true, n
		}
		if out.Err == "" && out.Result == name && out.Czxid > s.MaxCz {
			n.Kids += encodeKids([]zkKid{{name, out.Czxid, in.Session}})
			n.MaxCz = out.Czxid
			return true, n
		}
	case ZKChildren:
		if out.Pending {
			return true, s
		}
		got := strings.Fields(out.Kids)
		if out.Err != "" || len(got) != len(kids) {
			return false, s
		}
		n := s
		last := int64(0)
		for i, g := range got {
			at := strings.LastIndexByte(g, '@')
			cz, _ := strconv.ParseInt(g[at+1:], 10, 64)
			if g[:at] != kids[i].name || (kids[i].czxid != 0 && kids[i].czxid != cz) || cz <= last {
				return false, s
			}
			// Children are in creation order, so czxids must increase.
			last = cz
			kids[i].czxid = cz
			n.MaxCz = max(n.MaxCz, cz)
		}
		n.Kids = encodeKids(kids)
		return true, n
	case ZKExists:
		i := find(in.Node)
		if out.Pending {
			return true, s
		}
		if out.Err != "" || out.Exists != (i >= 0) {
			return false, s
		}
		if i >= 0 {
			if kids[i].czxid != 0 && kids[i].czxid != out.Czxid {
				return false, s
			}
			kids[i].czxid = out.Czxid
			n := s
			n.Kids = encodeKids(kids)
			n.MaxCz = max(n.MaxCz, out.Czxid)
			return true, n
		}
		return true, s
	case ZKDelete:
		i := find(in.Node)
		n := s
		if i >= 0 {
			n.Kids = encodeKids(append(append([]zkKid{}, kids[:i]...), kids[i+1:]...))
		}
		switch {
		case out.Pending && i >= 0:
			return true, n
		case out.Pending:
			return true, s
		case out.Err == "" && i >= 0:
			return true, n
		case out.Err == "no-node" && i < 0:
			return true, s
		}
	}
	return false, s
}

// ZKModel is the porcupine model of the ZooKeeper server as the lock
// recipe uses it, partitioned by lock directory.
func ZKModel() porcupine.Model {
	return porcupine.Model{
		Partition: keyPartition(func(op porcupine.Operation) string { return op.Input.(zkInput).Lock }),
		Init:      func() any { return zkState{} },
		Step: func(state, input, output any) (bool, any) {
			return zkStep(state.(zkState), input.(zkInput), output.(zkOutput))
		},
		Equal: func(a, b any) bool { return a.(zkState) == b.(zkState) },
		Hash: func(state any) uint64 {
			s := state.(zkState)
			h := fnv.New64a()
			fmt.Fprintf(h, "%s|%d|%d|%s", s.Kids, s.Next, s.MaxCz, s.Expired)
			return h.Sum64()
		},
		DescribeOperation: func(input, output any) string {
			return describeZK(input.(zkInput), output.(zkOutput))
		},
		DescribeState: func(state any) string {
			s := state.(zkState)
			var parts []string
			for _, k := range decodeKids(s.Kids) {
				parts = append(parts, fmt.Sprintf("%s (s%d, czxid %d)", k.name, k.session, k.czxid))
			}
			return fmt.Sprintf("children [%s], next seq %d", strings.Join(parts, ", "), s.Next)
		},
	}
}

func describeZK(in zkInput, out zkOutput) string {
	if in.Kind == ZKExpire {
		return fmt.Sprintf("server: session s%d expires", in.Session)
	}
	s := fmt.Sprintf("s%d %s", in.Session, in.Kind)
	if in.Node != "" {
		s += " " + in.Node
	}
	switch {
	case out.Pending:
		return s + " -> ?"
	case out.Err != "":
		return s + " -> " + out.Err
	}
	switch in.Kind {
	case ZKCreate:
		return s + fmt.Sprintf(" -> %s czxid %d", out.Result, out.Czxid)
	case ZKChildren:
		return s + " -> [" + strings.TrimSpace(out.Kids) + "]"
	case ZKExists:
		return s + fmt.Sprintf(" -> %t", out.Exists)
	}
	return s + " -> ok"
}

// ZKOps turns a run's ZooKeeper facts into the server's history: each
// client request with its answer is one operation, a request never
// answered stays pending to the end, and each session expiry is a server
// operation in every lock's partition.
func ZKOps(h *History) []ZKOp {
	lanes, names := clientLanes(h, func(d any) bool { _, ok := d.(obs.ZKCall); return ok })
	var ops []ZKOp
	// A request is its client's Xid in one session.
	type zkReq struct {
		client       string
		session, xid int64
	}
	open := calls[zkReq, int]{}
	locks := map[string]bool{}
	type expiry struct {
		at      int64
		session int64
		client  string
	}
	var expiries []expiry
	kind := map[string]ZKOpKind{"create": ZKCreate, "children": ZKChildren, "exists": ZKExists, "delete": ZKDelete}
	for _, o := range h.Observations {
		node := h.name(o.Node)
		t := int64(o.Time)
		switch f := o.Data.(type) {
		case obs.ZKCall:
			open[zkReq{node, f.Session, f.Xid}] = len(ops)
			locks[f.Lock] = true
			ops = append(ops, ZKOp{Client: lanes[node], Name: node, Session: f.Session, Lock: f.Lock, Kind: kind[f.Op], Node: f.Node, Call: t, Pending: true})
		case obs.ZKReturn:
			i, ok := open.answer(zkReq{node, f.Session, f.Xid})
			if !ok {
				continue // a duplicate answer
			}
			op := &ops[i]
			op.Pending, op.Return, op.Err = false, t, f.Err
			op.Result, op.Czxid, op.Exists, op.Kids = f.Node, f.Czxid, f.Exists, f.Children
		case obs.ZKSessionExpired:
			expiries = append(expiries, expiry{t, f.Session, f.Client})
		}
	}
	sorted := make([]string, 0, len(locks))
	for l := range locks {
		sorted = append(sorted, l)
	}
	sort.Strings(sorted)
	lane := len(names)
	for _, e := range expiries {
		for _, l := range sorted {
			ops = append(ops, ZKOp{Client: lane, Name: e.client, Session: e.session, Lock: l, Kind: ZKExpire, Call: e.at, Return: e.at})
		}
	}
	return ops
}

// CheckZK checks a ZooKeeper history for linearizability, lock by lock.
func CheckZK(ops []ZKOp, timeout time.Duration) Linearizability {
	byIndex := map[int]string{}
	for _, op := range ops {
		if op.Kind != ZKExpire {
			byIndex[op.Client] = op.Name
		}
	}
	names := nameFunc(byIndex)
	m := ZKModel()
	hist := make([]porcupine.Operation, 0, len(ops))
	pending := 0
	for i, op := range ops {
		if op.Pending {
			pending++
			if op.Kind == ZKChildren || op.Kind == ZKExists {
				continue // a read that never returned is inert (see check)
			}
		}
		in := zkInput{Lock: op.Lock, Kind: op.Kind, Session: op.Session, Node: op.Node}
		out := zkOutput{Err: op.Err, Result: op.Result, Czxid: op.Czxid, Exists: op.Exists, Kids: encodeChildren(op.Kids), Pending: op.Pending}
		who := names(op.Client)
		if op.Kind == ZKExpire {
			who = "server"
		}
		hist = append(hist, porcupine.Operation{ClientId: op.Client, Input: in, Output: out, Call: op.Call, Return: retOf(op.Return, op.Pending),
			Metadata: opMeta{index: i, note: who, prefix: who + ": "}})
	}
	l := check(m, hist, func(op porcupine.Operation) string { return op.Input.(zkInput).Lock }, timeout)
	l.Ops, l.Pending = len(ops), pending
	l.rowName = func(id int) string {
		if _, client := byIndex[id]; !client {
			return "session expiries"
		}
		return names(id)
	}
	return l
}

// ZKLinearizable checks the ZooKeeper server's history with porcupine,
// session expiry included. Like any lease service's history, it stays
// linearizable while a paused or cut-off holder acts on a lock it lost:
// that is for MutualExclusion and StorageSafety to see.
type ZKLinearizable struct {
	Timeout time.Duration // bound on each porcupine search
}

func (ZKLinearizable) Name() string    { return "zk-linear" }
func (ZKLinearizable) Class() Class    { return ClassSafety }
func (ZKLinearizable) Needs() []string { return []string{obs.KindOf[obs.ZKCall]()} }

// Check runs the check.
func (x ZKLinearizable) Check(h *History) Result {
	return linResult("zk-linear", "zookeeper", "lock", CheckZK(ZKOps(h), x.Timeout))
}
