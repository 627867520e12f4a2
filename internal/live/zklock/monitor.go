package zklock

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/faultline-sim/faultline/internal/live/record"
	"github.com/faultline-sim/faultline/obs"
	"github.com/go-zookeeper/zk"
)

// Monitor watches a lock's directory from a session of its own, connected
// straight to the server (not through a fault proxy), and records the
// server's side of the lock under node Node: an obs.Holder whenever the
// lowest node changes, and an obs.LeaseExpired when the holder's node
// vanished although its owner had not asked to release it — the server
// expired its session. Each is stamped with the moment the watch event
// reached the monitor's connection, before the monitor looks at the
// children: the change happened before that moment, and a waiter that
// takes over needs at least one more round trip to learn it.
type Monitor struct {
	rec  *record.Recorder
	conn *zk.Conn
	dir  string
	lock string // the lock's name in lock facts
	key  string // the storage cell the lock guards
	node string

	eventAt atomic.Int64
	stop    chan struct{}
	wg      sync.WaitGroup
	errMu   sync.Mutex
	err     error
}

// StartMonitor opens the monitor's session and starts watching dir.
func StartMonitor(addr string, rec *record.Recorder, node, dir, lock, key string) (*Monitor, error) {
	m := &Monitor{rec: rec, dir: dir, lock: lock, key: key, node: node, stop: make(chan struct{})}
	has := make(chan struct{}, 1)
	conn, events, err := zk.Connect([]string{addr}, 4*time.Second, zk.WithLogger(nopLogger{}),
		zk.WithEventCallback(func(ev zk.Event) {
			switch {
			case ev.Type == zk.EventNodeChildrenChanged && ev.Path == dir:
				m.eventAt.Store(int64(rec.Now()))
			case ev.Type == zk.EventSession && ev.State == zk.StateHasSession:
				select {
				case has <- struct{}{}:
				default:
				}
			}
		}))
	if err != nil {
		return nil, fmt.Errorf("zookeeper monitor %s: %w", addr, err)
	}
	m.conn = conn
	select {
	case <-has:
	case <-time.After(10 * time.Second):
		conn.Close()
		return nil, fmt.Errorf("zookeeper monitor %s: no session within 10s", addr)
	}
	if err := EnsureDir(conn, dir); err != nil {
		conn.Close()
		return nil, err
	}
	m.wg.Add(2)
	go func() {
		defer m.wg.Done()
		for {
			select {
			case <-events:
			case <-m.stop:
				return
			}
		}
	}()
	go m.run()
	return m, nil
}

// Stop ends the monitor and returns the error that stopped it early, if
// any.
func (m *Monitor) Stop() error {
	close(m.stop)
	m.conn.Close()
	m.wg.Wait()
	m.errMu.Lock()
	defer m.errMu.Unlock()
	return m.err
}

func (m *Monitor) fail(err error) {
	m.errMu.Lock()
	defer m.errMu.Unlock()
	if m.err == nil {
		m.err = err
	}
}

func (m *Monitor) run() {
	defer m.wg.Done()
	var cur, owner string
	var token int64
	at := m.rec.Now()
	for {
		kids, _, ch, err := m.conn.ChildrenW(m.dir)
		if err != nil {
			select {
			case <-m.stop:
				return
			default:
			}
			if transient(err) {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			m.fail(fmt.Errorf("zookeeper monitor: children %s: %w", m.dir, err))
			return
		}
		sortChildren(kids)
		lowest := ""
		if len(kids) > 0 {
			lowest = kids[0]
		}
		if lowest != cur {
			if cur != "" {
				released := m.rec.Recorded(owner, at, func(f obs.Fact) bool {
					r, ok := f.(obs.LockRelease)
					return ok && r.Lock == m.lock && r.Token == token
				})
				if !released {
					m.rec.RecordAt(m.node, at, obs.LeaseExpired{Lock: m.lock, Client: owner, Token: token})
				}
			}
			cur, owner, token = lowest, "", 0
			if lowest == "" {
				m.rec.RecordAt(m.node, at, obs.Holder{Lock: m.key})
			} else {
				ok, st, err := m.conn.Exists(m.dir + "/" + lowest)
				if err != nil || !ok {
					cur = "" // gone already, or asked again below
					continue
				}
				owner, token = Owner(lowest), st.Czxid
				m.rec.RecordAt(m.node, at, obs.Holder{Lock: m.key, Client: owner, Token: token})
			}
		}
		select {
		case <-ch:
			at = time.Duration(m.eventAt.Load())
		case <-m.stop:
			return
		}
	}
}
