package zklock

import (
	"fmt"
	"strings"

	"github.com/faultline-sim/faultline/obs"
)

// Op is a request kind.
type Op uint8

const (
	OpPing Op = iota
	OpCreate
	OpChildren
	OpExists
	OpDelete
	// OpClose ends the session, as ZooKeeper's closeSession: its ephemeral
	// nodes go at once and their watchers hear of it. The recipe's client
	// never closes; package conformance does.
	OpClose
)

func (o Op) String() string {
	return [...]string{"ping", "create", "children", "exists", "delete", "close"}[o]
}

// Errors in replies, as ZooKeeper's error codes.
const (
	ErrNoNode         = "no-node"
	ErrSessionExpired = "session-expired"
)

// Connect asks for a new session. Req tells resends (same Req) from a new
// request, so a resent Connect does not open a second session.
type Connect struct{ Req int64 }

// Connected answers a Connect.
type Connected struct {
	Req     int64
	Session int64
	Timeout int64 // nanoseconds, for the trace
}

// Request is one operation of a session. Every request, pings included,
// tells the server the session's client is alive. Name is the prefix (with
// the GUID) for a create, the node for exists and delete.
type Request struct {
	Session int64
	Xid     int64
	Op      Op
	Lock    string
	Name    string
	Watch   bool
}

// Reply answers a Request. Children are in sequence order.
type Reply struct {
	Session  int64
	Xid      int64
	Op       Op
	Lock     string
	Err      string
	Name     string
	Czxid    int64
	Exists   bool
	Children []obs.ZKChild
}

// WatchEvent: the watched node Name of Lock was deleted.
type WatchEvent struct {
	Session int64
	Lock    string
	Name    string
}

func (m Connect) String() string { return fmt.Sprintf("connect req=%d", m.Req) }
func (m Connected) String() string {
	return fmt.Sprintf("connected req=%d session=%d", m.Req, m.Session)
}
func (m Request) String() string {
	if m.Op == OpPing && m.Name == "" {
		return fmt.Sprintf("request s%d.%d %s", m.Session, m.Xid, m.Op)
	}
	return "request " + obs.ZKRequest(m.Session, m.Xid, m.Op.String(), m.Lock, m.Name, m.Watch)
}
func (m Reply) String() string {
	s := fmt.Sprintf("reply s%d.%d %s", m.Session, m.Xid, m.Op)
	if m.Err != "" {
		return s + " err=" + m.Err
	}
	switch m.Op {
	case OpCreate:
		s += fmt.Sprintf(" %s/%s czxid=%d", m.Lock, m.Name, m.Czxid)
	case OpExists:
		s += fmt.Sprintf(" %s/%s exists=%t", m.Lock, m.Name, m.Exists)
	case OpChildren:
		names := make([]string, len(m.Children))
		for i, c := range m.Children {
			names[i] = c.Name
		}
		s += fmt.Sprintf(" %s [%s]", m.Lock, strings.Join(names, " "))
	case OpDelete:
		s += fmt.Sprintf(" %s/%s", m.Lock, m.Name)
	}
	return s
}
func (m WatchEvent) String() string {
	return fmt.Sprintf("watch-event s%d deleted %s/%s", m.Session, m.Lock, m.Name)
}
