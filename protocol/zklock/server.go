package zklock

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
)

// Durable keys of the server. Node keys carry the zero-padded sequence
// number, so Keys returns a lock's children in sequence order.
const (
	zxidKey    = "zxid"     // int64: the last zxid issued
	sessionKey = "session/" // session/<id> -> session
	connectKey = "connect/" // connect/<client> -> lastConnect
	seqKey     = "seq/"     // seq/<lock> -> int64: the next sequence number
	nodeKey    = "node/"    // node/<lock>/<seq> -> znode
	watchKey   = "watch/"   // watch/<lock>/<seq>/<session> -> int64 session
	xidKey     = "xid/"     // xid/<session> -> int64: the last request handled
)

type session struct {
	ID     int64
	Client string
}

type lastConnect struct {
	Req     int64
	Session int64
}

// znode is one ephemeral sequential node.
type znode struct {
	Lock    string
	Name    string
	Seq     int64
	Czxid   int64
	Session int64
	Client  string
}

// lockDir is what the server knows of one lock's directory.
type lockDir int

const (
	empty    lockDir = iota // no child: nobody holds the lock
	heldDir                 // one child: the holder
	queueDir                // the holder and waiters
)

func (d lockDir) String() string { return [...]string{"empty", "held", "queue"}[d] }

type sessionTimer struct{ Session int64 }

func (t sessionTimer) String() string { return fmt.Sprintf("session-expiry s%d", t.Session) }

// Server is the simulated ZooKeeper ensemble.
type Server struct {
	cfg    Config
	timers map[int64]sim.TimerID // session -> expiry timer
	lowest map[string]string     // lock -> the lowest child last recorded as holder
}

// Start recovers: every session gets a fresh timeout (as after a leader
// election: the new leader cannot know how long its clients were silent),
// and every lock's holder is recorded again.
func (s *Server) Start(env *sim.Env) {
	s.timers = map[int64]sim.TimerID{}
	s.lowest = map[string]string{}
	for _, k := range env.Keys(sessionKey) {
		sess, _ := sim.Load[session](env, k)
		s.touch(env, sess.ID)
	}
	seen := map[string]bool{}
	for _, k := range env.Keys(nodeKey) {
		lock := strings.SplitN(strings.TrimPrefix(k, nodeKey), "/", 2)[0]
		if !seen[lock] {
			seen[lock] = true
			s.recordHolder(env, lock)
		}
	}
}

func (s *Server) nextZxid(env *sim.Env) int64 {
	z, _ := sim.Load[int64](env, zxidKey)
	z++
	env.Put(zxidKey, z)
	return z
}

func sessKey(id int64) string { return fmt.Sprintf("%s%08d", sessionKey, id) }

func (s *Server) session(env *sim.Env, id int64) (session, bool) {
	return sim.Load[session](env, sessKey(id))
}

// touch restarts a session's timeout. It is a timer, not a comparison of
// clock readings: ZooKeeper tracks sessions on a monotonic clock.
func (s *Server) touch(env *sim.Env, id int64) {
	env.CancelTimer(s.timers[id])
	s.timers[id] = env.SetTimer(s.cfg.SessionTimeout, sessionTimer{Session: id})
}

// Receive dispatches on the message type. ZooKeeper logs a request's
// transaction as one record and answers after it, so each request is one
// atomic step: a crash between its writes (the sequence counter and the
// node it names, the zxid and the node it stamps) cannot happen (found by
// crash points at effect boundaries).
func (s *Server) Receive(env *sim.Env, from sim.NodeID, m sim.Message) {
	env.Atomic(func() {
		switch m := m.(type) {
		case Connect:
			s.onConnect(env, from, m)
		case Request:
			s.onRequest(env, from, m)
		}
	})
}

func (s *Server) onConnect(env *sim.Env, from sim.NodeID, m Connect) {
	client := env.NameOf(from)
	if last, ok := sim.Load[lastConnect](env, connectKey+client); ok {
		if last.Req == m.Req {
			if _, live := s.session(env, last.Session); live {
				s.touch(env, last.Session)
			}
			// A resent connect gets the same session, even an expired one:
			// the client then learns at its first request that it is gone.
			env.Send(from, Connected{Req: m.Req, Session: last.Session, Timeout: int64(s.cfg.SessionTimeout)})
			return
		}
		if m.Req < last.Req {
			return
		}
	}
	id := s.nextZxid(env) // createSession is a transaction; its zxid names the session
	env.Put(sessKey(id), session{ID: id, Client: client})
	env.Put(connectKey+client, lastConnect{Req: m.Req, Session: id})
	s.touch(env, id)
	env.Send(from, Connected{Req: m.Req, Session: id, Timeout: int64(s.cfg.SessionTimeout)})
}

func (s *Server) onRequest(env *sim.Env, from sim.NodeID, m Request) {
	r := Reply{Session: m.Session, Xid: m.Xid, Op: m.Op, Lock: m.Lock, Name: m.Name}
	if _, live := s.session(env, m.Session); !live {
		r.Err = ErrSessionExpired
		env.Send(from, r)
		return
	}
	s.touch(env, m.Session)
	if m.Op != OpPing {
		// A session's requests are handled in the order they were sent, as
		// over ZooKeeper's one TCP connection per session: one that arrives
		// after a later one (reordered, or held up while the server was
		// paused) was given up by its client and is dropped, or a create
		// the client has already retried could make an orphan node.
		k := fmt.Sprintf("%s%08d", xidKey, m.Session)
		if last, ok := sim.Load[int64](env, k); ok && m.Xid <= last {
			return
		}
		env.Put(k, m.Xid)
	}
	switch m.Op {
	case OpPing:
		if m.Name != "" {
			if _, ok := s.node(env, m.Lock, m.Name); !ok {
				env.Send(from, WatchEvent{Session: m.Session, Lock: m.Lock, Name: m.Name})
			}
		}
	case OpCreate:
		s.create(env, m, &r)
	case OpChildren:
		r.Children = s.children(env, m.Lock)
	case OpExists:
		if n, ok := s.node(env, m.Lock, m.Name); ok {
			r.Exists, r.Czxid = true, n.Czxid
			if m.Watch {
				env.Put(fmt.Sprintf("%s%s/%010d/%08d", watchKey, m.Lock, n.Seq, m.Session), m.Session)
			}
		}
	case OpDelete:
		// A delete takes a zxid even when it fails: ZooKeeper numbers a
		// write before checking it and logs a failed one as an error txn.
		s.nextZxid(env)
		n, ok := s.node(env, m.Lock, m.Name)
		if !ok {
			r.Err = ErrNoNode
			break
		}
		s.deleteNode(env, n)
		s.recordHolder(env, m.Lock)
	case OpClose:
		s.endSession(env, m.Session, false)
	}
	env.Send(from, r)
}

func (s *Server) create(env *sim.Env, m Request, r *Reply) {
	seq, _ := sim.Load[int64](env, seqKey+m.Lock)
	env.Put(seqKey+m.Lock, seq+1)
	sess, _ := s.session(env, m.Session)
	n := znode{Lock: m.Lock, Name: fmt.Sprintf("%s-lock-%010d", m.Name, seq), Seq: seq, Czxid: s.nextZxid(env), Session: m.Session, Client: sess.Client}
	env.Put(fmt.Sprintf("%s%s/%010d", nodeKey, m.Lock, seq), n)
	r.Name, r.Czxid = n.Name, n.Czxid
	env.Observe(obs.ZKCreated{Lock: n.Lock, Node: n.Name, Client: n.Client, Session: n.Session, Czxid: n.Czxid})
	s.recordHolder(env, m.Lock)
}

// SeqOf reads the sequence number at the end of a node's name.
func SeqOf(name string) (int64, bool) {
	i := strings.LastIndex(name, "-lock-")
	if i < 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(name[i+len("-lock-"):], 10, 64)
	return n, err == nil
}

func (s *Server) node(env *sim.Env, lock, name string) (znode, bool) {
	seq, ok := SeqOf(name)
	if !ok {
		return znode{}, false
	}
	n, ok := sim.Load[znode](env, fmt.Sprintf("%s%s/%010d", nodeKey, lock, seq))
	if !ok || n.Name != name {
		return znode{}, false
	}
	return n, true
}

func (s *Server) nodes(env *sim.Env, lock string) []znode {
	var out []znode
	for _, k := range env.Keys(nodeKey + lock + "/") {
		n, _ := sim.Load[znode](env, k)
		out = append(out, n)
	}
	return out
}

func (s *Server) children(env *sim.Env, lock string) []obs.ZKChild {
	var out []obs.ZKChild
	for _, n := range s.nodes(env, lock) {
		out = append(out, obs.ZKChild{Name: n.Name, Czxid: n.Czxid})
	}
	return out
}

func (s *Server) dir(env *sim.Env, lock string) lockDir {
	switch n := len(env.Keys(nodeKey + lock + "/")); {
	case n == 0:
		return empty
	case n == 1:
		return heldDir
	}
	return queueDir
}

// deleteNode removes a node and notifies its watchers (one-shot watches).
func (s *Server) deleteNode(env *sim.Env, n znode) {
	env.Delete(fmt.Sprintf("%s%s/%010d", nodeKey, n.Lock, n.Seq))
	prefix := fmt.Sprintf("%s%s/%010d/", watchKey, n.Lock, n.Seq)
	for _, k := range env.Keys(prefix) {
		id, _ := sim.Load[int64](env, k)
		env.Delete(k)
		if w, live := s.session(env, id); live {
			if id, ok := env.Lookup(w.Client); ok {
				env.Send(id, WatchEvent{Session: w.ID, Lock: n.Lock, Name: n.Name})
			}
		}
	}
}

// recordHolder records obs.Holder when a lock's lowest child changed: the
// recipe makes that node's client the holder, whether it knows yet or not.
func (s *Server) recordHolder(env *sim.Env, lock string) {
	ns := s.nodes(env, lock)
	low := ""
	if len(ns) > 0 {
		low = ns[0].Name
	}
	if prev, ok := s.lowest[lock]; ok && prev == low {
		return
	}
	s.lowest[lock] = low
	if s.dir(env, lock) == empty {
		env.Observe(obs.Holder{Lock: lock, Durable: true})
		return
	}
	env.Observe(obs.Holder{Lock: lock, Client: ns[0].Client, Token: ns[0].Czxid, Durable: true})
}

// Timer expires a session whose client stayed silent for the timeout.
func (s *Server) Timer(env *sim.Env, tag any) {
	t, ok := tag.(sessionTimer)
	if !ok {
		return
	}
	// Expiry is one transaction, like closeSession.
	env.Atomic(func() {
		if _, live := s.session(env, t.Session); live {
			s.endSession(env, t.Session, true)
		}
	})
}

// endSession closes or expires a live session — one transaction — and
// deletes its ephemeral nodes.
func (s *Server) endSession(env *sim.Env, id int64, expired bool) {
	sess, _ := s.session(env, id)
	env.CancelTimer(s.timers[id])
	delete(s.timers, id)
	zxid := s.nextZxid(env)
	env.Delete(sessKey(id))
	env.Delete(fmt.Sprintf("%s%08d", xidKey, id))
	var deleted []string
	touched := map[string]bool{}
	var locks []string
	for _, k := range env.Keys(nodeKey) {
		if n, _ := sim.Load[znode](env, k); n.Session == id {
			s.deleteNode(env, n)
			deleted = append(deleted, n.Lock+"/"+n.Name)
			if !touched[n.Lock] {
				touched[n.Lock] = true
				locks = append(locks, n.Lock)
			}
		}
	}
	if expired {
		env.Observe(obs.ZKSessionExpired{Session: id, Client: sess.Client, Zxid: zxid, Deleted: deleted})
	}
	for _, l := range locks {
		s.recordHolder(env, l)
	}
}
