package obs

import (
	"fmt"
	"strings"
)

// The facts of the ZooKeeper lock (package zklock). A client records a
// ZKCall when it sends a request and a ZKReturn when the answer arrives;
// Session and Xid pair them, so a request whose answer never came (lost
// with a partition, or the client crashed) stays pending in the server's
// linearizability history. The server records what only it knows: a
// session expiring (a server-side operation of that history) and each
// node it creates.

// ZKChild is one child of a lock's directory as getChildren returns it,
// with the creation zxid of the node.
type ZKChild struct {
	Name  string
	Czxid int64
}

// ZKCall: the client sent request Xid of Session. Op is "create" (Node is
// the name prefix with the client's GUID), "children", "exists" (Node, and
// Watch) or "delete" (Node).
type ZKCall struct {
	Session int64
	Xid     int64
	Op      string `fact:",values=create|children|exists|delete"`
	Lock    string
	Node    string
	Watch   bool
}

func (ZKCall) Kind() string { return "zk-call" }

// ZKReturn: the answer to request Xid of Session. Err is "" (success),
// "no-node" or "session-expired". A create returns Node and Czxid; exists
// returns Exists and Czxid; children returns Children in sequence order.
type ZKReturn struct {
	Session  int64
	Xid      int64
	Op       string `fact:",values=create|children|exists|delete"`
	Lock     string
	Err      string `fact:",values=no-node|session-expired"`
	Node     string
	Czxid    int64
	Exists   bool
	Children []ZKChild
}

func (ZKReturn) Kind() string { return "zk-return" }

// ZKSessionExpired: the server expired Client's Session (no heartbeat
// within the timeout) with transaction Zxid, deleting Deleted (lock/name)
// and notifying their watchers.
type ZKSessionExpired struct {
	Session int64
	Client  string
	Zxid    int64
	Deleted []string
}

func (ZKSessionExpired) Kind() string { return "zk-session-expired" }

// ZKCreated: the server created node Node under Lock for Client's Session,
// with creation zxid Czxid. Triggers use it to lose the reply (Z2).
type ZKCreated struct {
	Lock    string
	Node    string
	Client  string
	Session int64
	Czxid   int64
}

func (ZKCreated) Kind() string { return "zk-created" }

// ZKConn: the client's view of its connection changed: "connected" (a new
// session), "suspended" (no heartbeat answer for a while: it cannot know
// whether its session lives), "reconnected", or "lost" (it learned that its
// session expired).
type ZKConn struct {
	Session int64
	State   ConnState
}

func (ZKConn) Kind() string { return "zk-conn" }

// ConnState is a ZooKeeper client's view of its session.
type ConnState string

const (
	ConnConnected   ConnState = "connected"
	ConnSuspended   ConnState = "suspended"
	ConnReconnected ConnState = "reconnected"
	ConnLost        ConnState = "lost"
)

func (f ZKCall) String() string {
	return "zk-call " + ZKRequest(f.Session, f.Xid, f.Op, f.Lock, f.Node, f.Watch)
}

// ZKRequest is how the trace writes a ZooKeeper request: session and xid,
// op, the lock's directory with the node if one is named, and the watch if
// one is set. The client's message (zklock.Request) and its ZKCall fact
// say it alike.
func ZKRequest(session, xid int64, op, lock, node string, watch bool) string {
	s := fmt.Sprintf("s%d.%d %s %s", session, xid, op, lock)
	if node != "" {
		s += "/" + node
	}
	if watch {
		s += " watch"
	}
	return s
}

func (f ZKReturn) String() string {
	s := fmt.Sprintf("zk-return s%d.%d %s %s", f.Session, f.Xid, f.Op, f.Lock)
	if f.Err != "" {
		return s + " err=" + f.Err
	}
	switch f.Op {
	case "create":
		s += fmt.Sprintf(" -> %s czxid=%d", f.Node, f.Czxid)
	case "exists":
		s += fmt.Sprintf(" %s -> %t", f.Node, f.Exists)
		if f.Exists {
			s += fmt.Sprintf(" czxid=%d", f.Czxid)
		}
	case "children":
		parts := make([]string, len(f.Children))
		for i, c := range f.Children {
			parts[i] = fmt.Sprintf("%s@%d", c.Name, c.Czxid)
		}
		s += " -> [" + strings.Join(parts, " ") + "]"
	case "delete":
		s += " " + f.Node + " -> ok"
	}
	return s
}

func (f ZKSessionExpired) String() string {
	return fmt.Sprintf("zk-session-expired s%d client=%s zxid=%d deleted=[%s]", f.Session, f.Client, f.Zxid, strings.Join(f.Deleted, " "))
}

func (f ZKCreated) String() string {
	return fmt.Sprintf("zk-created %s/%s client=%s s%d czxid=%d", f.Lock, f.Node, f.Client, f.Session, f.Czxid)
}

func (f ZKConn) String() string { return fmt.Sprintf("zk-conn s%d %s", f.Session, f.State) }

func init() {
	Enum(ConnConnected, ConnSuspended, ConnReconnected, ConnLost)
	Register[ZKCall]("a ZooKeeper client sent a request")
	Register[ZKReturn]("the answer to a ZooKeeper request (err empty: success)")
	Register[ZKSessionExpired]("the ZooKeeper server expired a session, deleting its nodes")
	Register[ZKCreated]("the ZooKeeper server created a lock node for a client's session")
	Register[ZKConn]("a ZooKeeper client's view of its connection changed")
}
