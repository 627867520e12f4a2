package redislock

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/faultline-sim/faultline/internal/live/record"
	"github.com/faultline-sim/faultline/obs"
	simredis "github.com/faultline-sim/faultline/protocol/redislock"
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// Server is one Redis as a client sees it: the service name it records
// (the logical server: "redis", or "redis-1".."redis-5" for Redlock) and
// the address it connects to (its door of a fault proxy).
type Server struct {
	Service string
	Addr    string
}

// Options configure a client.
type Options struct {
	Key string        // the lock's key
	TTL time.Duration // the lease asked for
	// Timeout bounds each command (dial, read and write); past it the
	// outcome is unknown.
	Timeout time.Duration
	// Fenced takes a fencing token from a counter on the server with
	// every acquire (see the package doc).
	Fenced bool
}

// TokenKey is the counter a fenced acquire increments.
func (o Options) TokenKey() string { return o.Key + ":token" }

// Drift is the Redlock drift allowance for ttl: 1% plus 2 ms.
func Drift(ttl time.Duration) time.Duration { return ttl/100 + 2*time.Millisecond }

// fencedSet is the acquire of a fenced scenario: the seed's SET NX PX
// and, when it succeeds, the token from the counter, in one atomic step.
const fencedSet = `if redis.call("set", KEYS[1], ARGV[1], "NX", "PX", ARGV[2]) then
	return redis.call("incr", KEYS[2])
else
	return 0
end`

var (
	scriptDel    = redis.NewScript(simredis.CheckDelScript)
	scriptExtend = redis.NewScript(simredis.CheckExtendMsScript)
	scriptFenced = redis.NewScript(fencedSet)
)

// Client is one lock client, with a connection to each of its servers.
type Client struct {
	name    string
	rec     *record.Recorder
	opts    Options
	servers []Server
	conns   []*redis.Client

	mu  sync.Mutex
	seq int
}

// New makes a client named name (its node name in the record).
func New(name string, rec *record.Recorder, servers []Server, opts Options) *Client {
	c := &Client{name: name, rec: rec, opts: opts, servers: servers}
	for _, s := range servers {
		c.conns = append(c.conns, redis.NewClient(&redis.Options{
			Addr: s.Addr, MaxRetries: -1, DialTimeout: opts.Timeout, ReadTimeout: opts.Timeout, WriteTimeout: opts.Timeout,
			PoolSize: 2, DisableIdentity: true, Protocol: 2,
			MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
		}))
	}
	return c
}

// Name is the client's name.
func (c *Client) Name() string { return c.name }

// Close closes the connections.
func (c *Client) Close() {
	for _, rc := range c.conns {
		rc.Close()
	}
}

// Lease is one acquire: the value it set, its token (0 unfenced), when it
// began, and on which servers it got the key.
type Lease struct {
	Value    string
	Token    int64
	Start    time.Time
	Validity time.Duration // what was left of the TTL when the acquire finished (Redlock)
	On       []bool
}

func (c *Client) nextID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	return fmt.Sprintf("%s.%d", c.name, c.seq)
}

func uniqueValue(name string) string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return name + ":" + hex.EncodeToString(b[:])
}

// answer is one command's outcome: Known false when no reply came.
type answer struct {
	OK    bool
	Value string
	Known bool
	Err   error
}

// do sends one command to server i, recording the call and, when a reply
// came, the reply.
func (c *Client) do(ctx context.Context, i int, op, value string, ttl time.Duration,
	send func(ctx context.Context, rc *redis.Client) (bool, string, error)) answer {
	s := c.servers[i]
	id := c.nextID()
	c.rec.Record(c.name, obs.RedisCall{Service: s.Service, Server: s.Service, Key: c.opts.Key, Op: op, Value: value, TTL: ttl, ID: id})
	ok, val, err := send(ctx, c.conns[i])
	if errors.Is(err, redis.Nil) {
		ok, val, err = false, "", nil
	}
	if err != nil {
		// A redis error reply (NOSCRIPT handled by Run, READONLY on a
		// replica) is an answer that the command did nothing; anything
		// else — a timeout, a reset — leaves the outcome unknown.
		var re redis.Error
		if errors.As(err, &re) {
			c.rec.Record(c.name, obs.RedisReply{Service: s.Service, Key: c.opts.Key, ID: id, Err: re.Error()})
			return answer{Known: true, Err: err}
		}
		return answer{Err: err}
	}
	c.rec.Record(c.name, obs.RedisReply{Service: s.Service, Key: c.opts.Key, ID: id, OK: ok, Value: val})
	return answer{OK: ok, Value: val, Known: true}
}

// setNX is the acquire command on server i.
func (c *Client) setNX(ctx context.Context, i int, value string) answer {
	ttl := c.opts.TTL
	return c.do(ctx, i, "set-nx", value, ttl, func(ctx context.Context, rc *redis.Client) (bool, string, error) {
		if !c.opts.Fenced {
			ok, err := rc.SetNX(ctx, c.opts.Key, value, ttl).Result()
			return ok, "", err
		}
		tok, err := scriptFenced.Run(ctx, rc, []string{c.opts.Key, c.opts.TokenKey()}, value, ttl.Milliseconds()).Int64()
		if err != nil {
			return false, "", err
		}
		if tok == 0 {
			return false, "", nil
		}
		return true, strconv.FormatInt(tok, 10), nil
	})
}

func (c *Client) checkDel(ctx context.Context, i int, value string) answer {
	return c.do(ctx, i, "check-del", value, 0, func(ctx context.Context, rc *redis.Client) (bool, string, error) {
		n, err := scriptDel.Run(ctx, rc, []string{c.opts.Key}, value).Int64()
		return n == 1, "", err
	})
}

func (c *Client) checkExtend(ctx context.Context, i int, value string, ttl time.Duration) answer {
	return c.do(ctx, i, "check-extend", value, ttl, func(ctx context.Context, rc *redis.Client) (bool, string, error) {
		n, err := scriptExtend.Run(ctx, rc, []string{c.opts.Key}, value, ttl.Milliseconds()).Int64()
		return n == 1, "", err
	})
}

// TryLock is one attempt of the Redis lock on the first server: SET NX
// PX. ok false with err nil means the lock is held by someone else; an
// error means the outcome is unknown.
func (c *Client) TryLock(ctx context.Context) (Lease, bool, error) {
	l := Lease{Value: uniqueValue(c.name), Start: time.Now(), On: make([]bool, 1)}
	a := c.setNX(ctx, 0, l.Value)
	if !a.Known || a.Err != nil {
		return l, false, fmt.Errorf("redis lock %s on %s: %w", c.opts.Key, c.servers[0].Service, a.Err)
	}
	if a.OK {
		l.On[0] = true
		l.Validity = c.opts.TTL - time.Since(l.Start)
		if c.opts.Fenced {
			l.Token, _ = strconv.ParseInt(a.Value, 10, 64)
		}
	}
	return l, a.OK, nil
}

// Unlock releases the lease on every server it may hold (check-and-delete)
// and says on how many the key was still the lease's.
func (c *Client) Unlock(ctx context.Context, l Lease) int {
	n := 0
	for i := range c.servers {
		if a := c.checkDel(ctx, i, l.Value); a.Known && a.OK {
			n++
		}
	}
	return n
}

// Extend renews the lease on the first server by ttl (check-and-extend);
// false if the key is no longer the lease's or the outcome is unknown.
func (c *Client) Extend(ctx context.Context, l Lease, ttl time.Duration) bool {
	a := c.checkExtend(ctx, 0, l.Value, ttl)
	return a.Known && a.OK
}

// Redlock tries once to take the lock on a majority of the servers. It
// holds when a quorum said OK and the validity is still positive;
// otherwise it has already released what it took. Its lease has no
// token: the counters of five servers give no order among themselves.
func (c *Client) Redlock(ctx context.Context) (Lease, bool) {
	l := Lease{Value: uniqueValue(c.name), Start: time.Now(), On: make([]bool, len(c.servers))}
	got := 0
	for i := range c.servers {
		if a := c.setNX(ctx, i, l.Value); a.Known && a.OK {
			l.On[i] = true
			got++
		}
	}
	l.Validity = c.opts.TTL - time.Since(l.Start) - Drift(c.opts.TTL)
	if got >= len(c.servers)/2+1 && l.Validity > 0 {
		return l, true
	}
	c.Unlock(ctx, l)
	return l, false
}
