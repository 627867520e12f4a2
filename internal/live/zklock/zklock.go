package zklock

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/faultline-sim/faultline/internal/live/record"
	"github.com/faultline-sim/faultline/obs"
	"github.com/go-zookeeper/zk"
)

// ErrLost: the session expired; nothing it held is held any more.
var ErrLost = errors.New("zookeeper session expired: lock lost")

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}

// Client is one lock client with its own session.
type Client struct {
	name string
	rec  *record.Recorder
	conn *zk.Conn
	dir  string // the lock's directory
	lock string // the lock's name in lock facts

	mu   sync.Mutex
	lost chan struct{} // closed when the current session expires
	seq  int
	done chan struct{}
}

// Connect opens a session through addr and waits up to wait for it.
func Connect(name, addr string, sessionTimeout, wait time.Duration, rec *record.Recorder, dir, lock string) (*Client, error) {
	c := &Client{name: name, rec: rec, dir: dir, lock: lock, lost: make(chan struct{}), done: make(chan struct{})}
	has := make(chan struct{}, 1)
	conn, events, err := zk.Connect([]string{addr}, sessionTimeout, zk.WithLogger(nopLogger{}),
		zk.WithEventCallback(func(ev zk.Event) {
			if ev.Type != zk.EventSession {
				return
			}
			switch ev.State {
			case zk.StateHasSession:
				select {
				case has <- struct{}{}:
				default:
				}
			case zk.StateExpired:
				c.mu.Lock()
				select {
				case <-c.lost:
				default:
					close(c.lost)
				}
				c.mu.Unlock()
			}
		}))
	if err != nil {
		return nil, fmt.Errorf("zookeeper %s: %w", addr, err)
	}
	c.conn = conn
	go func() {
		for {
			select {
			case <-events:
			case <-c.done:
				return
			}
		}
	}()
	select {
	case <-has:
		return c, nil
	case <-time.After(wait):
		c.Close()
		return nil, fmt.Errorf("zookeeper %s: no session within %v", addr, wait)
	}
}

// Close ends the session.
func (c *Client) Close() {
	c.conn.Close()
	select {
	case <-c.done:
	default:
		close(c.done)
	}
}

// Name is the client's name.
func (c *Client) Name() string { return c.name }

// Lost is closed when the session that took the current lease expires.
func (c *Client) Lost() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lost
}

// renew starts a new life after an expiry: the library has opened a new
// session, which holds nothing.
func (c *Client) renew() {
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-c.lost:
		c.lost = make(chan struct{})
	default:
	}
}

// Lease is a held lock: the client's node, its czxid (the fencing token),
// and the channel closed if the session is lost.
type Lease struct {
	Path  string
	Token int64
	Lost  <-chan struct{}
	req   string
}

func guid() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return hex.EncodeToString(b[:])
}

// seqOf is a child's sequence suffix (ten digits after "-lock-").
func seqOf(name string) string {
	if i := strings.LastIndex(name, "-lock-"); i >= 0 {
		return name[i+len("-lock-"):]
	}
	return name
}

// Owner is the client that created a lock node.
func Owner(name string) string {
	if i := strings.Index(name, "-"); i > 0 {
		return name[:i]
	}
	return name
}

func sortChildren(kids []string) {
	sort.Slice(kids, func(i, j int) bool { return seqOf(kids[i]) < seqOf(kids[j]) })
}

// transient says an error may clear by itself (a connection being
// re-established).
func transient(err error) bool {
	return errors.Is(err, zk.ErrConnectionClosed) || errors.Is(err, zk.ErrNoServer) || errors.Is(err, zk.ErrClosing)
}

func (c *Client) pause(ctx context.Context, lost <-chan struct{}) error {
	select {
	case <-lost:
		return ErrLost
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(20 * time.Millisecond):
		return nil
	}
}

// Acquire waits for the lock. An acquire that ends in an error is left
// without an answer in the record: the client gave up not knowing.
func (c *Client) Acquire(ctx context.Context) (Lease, error) {
	c.renew()
	lost := c.Lost()
	c.mu.Lock()
	c.seq++
	req := fmt.Sprintf("%s.%d", c.name, c.seq)
	c.mu.Unlock()
	c.rec.Record(c.name, obs.LockRequest{Lock: c.lock, Req: req})
	g := guid()
	prefix := c.name + "-" + g + "-lock-"
	var mine string
	for mine == "" {
		path, err := c.conn.Create(c.dir+"/"+prefix, []byte(c.name), zk.FlagEphemeral|zk.FlagSequence, zk.WorldACL(zk.PermAll))
		switch {
		case err == nil:
			mine = path[strings.LastIndex(path, "/")+1:]
		case errors.Is(err, zk.ErrSessionExpired):
			return Lease{}, ErrLost
		case transient(err):
			// The reply is lost: the node may exist. Look for the GUID.
			for mine == "" {
				if err := c.pause(ctx, lost); err != nil {
					return Lease{}, err
				}
				kids, _, err := c.conn.Children(c.dir)
				if err != nil {
					if transient(err) {
						continue
					}
					return Lease{}, fmt.Errorf("zookeeper children %s: %w", c.dir, err)
				}
				found := false
				for _, k := range kids {
					if strings.HasPrefix(k, prefix) {
						mine, found = k, true
					}
				}
				if !found {
					break // it was never created: create again
				}
			}
		default:
			return Lease{}, fmt.Errorf("zookeeper create %s: %w", c.dir, err)
		}
	}
	for {
		select {
		case <-lost:
			return Lease{}, ErrLost
		case <-ctx.Done():
			return Lease{}, ctx.Err()
		default:
		}
		kids, _, err := c.conn.Children(c.dir)
		if err != nil {
			if transient(err) {
				if err := c.pause(ctx, lost); err != nil {
					return Lease{}, err
				}
				continue
			}
			return Lease{}, fmt.Errorf("zookeeper children %s: %w", c.dir, err)
		}
		sortChildren(kids)
		at := -1
		for i, k := range kids {
			if k == mine {
				at = i
			}
		}
		if at < 0 {
			// My node is gone: my session expired under me.
			return Lease{}, ErrLost
		}
		if at == 0 {
			ok, st, err := c.conn.Exists(c.dir + "/" + mine)
			if err != nil || !ok {
				if err == nil || transient(err) {
					continue
				}
				return Lease{}, fmt.Errorf("zookeeper exists: %w", err)
			}
			c.rec.Record(c.name, obs.LockGranted{Lock: c.lock, Req: req, Token: st.Czxid})
			return Lease{Path: c.dir + "/" + mine, Token: st.Czxid, Lost: lost, req: req}, nil
		}
		ok, _, ch, err := c.conn.ExistsW(c.dir + "/" + kids[at-1])
		if err != nil {
			if transient(err) {
				if err := c.pause(ctx, lost); err != nil {
					return Lease{}, err
				}
				continue
			}
			return Lease{}, fmt.Errorf("zookeeper exists %s: %w", kids[at-1], err)
		}
		if !ok {
			continue
		}
		select {
		case <-ch:
		case <-lost:
			return Lease{}, ErrLost
		case <-ctx.Done():
			return Lease{}, ctx.Err()
		}
	}
}

// Release deletes the lease's node. It says whether the node was still
// there to delete; a release whose answer never came stays unanswered.
func (c *Client) Release(l Lease) bool {
	c.mu.Lock()
	c.seq++
	req := fmt.Sprintf("%s.%d", c.name, c.seq)
	c.mu.Unlock()
	c.rec.Record(c.name, obs.LockRelease{Lock: c.lock, Req: req, Token: l.Token})
	err := c.conn.Delete(l.Path, -1)
	switch {
	case err == nil:
		c.rec.Record(c.name, obs.LockReleased{Lock: c.lock, Req: req, Token: l.Token, OK: true})
		return true
	case errors.Is(err, zk.ErrNoNode), errors.Is(err, zk.ErrSessionExpired):
		c.rec.Record(c.name, obs.LockReleased{Lock: c.lock, Req: req, Token: l.Token, OK: false})
	}
	return false
}

// EnsureDir creates dir and its parents as persistent nodes.
func EnsureDir(conn *zk.Conn, dir string) error {
	path := ""
	for _, part := range strings.Split(strings.Trim(dir, "/"), "/") {
		path += "/" + part
		if _, err := conn.Create(path, nil, 0, zk.WorldACL(zk.PermAll)); err != nil && !errors.Is(err, zk.ErrNodeExists) {
			return fmt.Errorf("zookeeper create %s: %w", path, err)
		}
	}
	return nil
}
