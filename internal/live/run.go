package live

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/internal/live/proxy"
	"github.com/faultline-sim/faultline/internal/live/record"
	"github.com/faultline-sim/faultline/internal/live/redislock"
	"github.com/faultline-sim/faultline/internal/live/storage"
	"github.com/faultline-sim/faultline/internal/live/zklock"
	"github.com/faultline-sim/faultline/realserver"
	"github.com/redis/go-redis/v9"
)

// MaxRunTime bounds one live run, start-up and teardown included.
const MaxRunTime = 60 * time.Second

// Options tune a live run.
type Options struct {
	// BasePort, if not 0, puts the servers on BasePort, BasePort+1, ... in
	// the order of the scenario's servers (a taken port is an error);
	// otherwise free ports are picked.
	BasePort int
	// LinTimeout bounds each linearizability search (default
	// checker.LinearizabilityTimeout).
	LinTimeout time.Duration
	// Use runs against servers already running, by server name (see
	// Scenario.Servers), at loopback addresses, instead of starting them.
	// The plan may then not kill, restart, stop or promote them.
	Use map[string]string
}

// checkUse refuses servers the scenario does not have, addresses off
// loopback, and plans that would do process faults on a server it did not
// start.
func checkUse(sc *Scenario, p Plan, use map[string]string) error {
	names := make([]string, 0, len(use))
	for n := range use {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if !slices.Contains(sc.servers(), n) {
			return fmt.Errorf("server %q: %s has no such server (it has %s)", n, sc.Name, strings.Join(sc.servers(), ", "))
		}
		if sc.Failover {
			return fmt.Errorf("server %q: %s starts its own master and replica", n, sc.Name)
		}
		host, _, err := net.SplitHostPort(use[n])
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			return fmt.Errorf("server %s at %q: want a 127.0.0.1 host:port", n, use[n])
		}
	}
	for i, s := range p.Steps {
		switch s.Do {
		case "kill", "restart", "stop", "cont", "promote":
			if _, ok := use[s.Target]; ok {
				return fmt.Errorf("plan steps[%d]: cannot %s server %s: it was not started by this run", i, s.Do, s.Target)
			}
		}
	}
	return nil
}

// Outcome is one live run: its plan, what happened, and the verdicts.
type Outcome struct {
	Scenario *Scenario
	Plan     Plan
	Results  []checker.Result
	Verdict  checker.Verdict
	// Wall is how long the clients ran (time 0 of the history to its end);
	// Total adds start-up and teardown of the servers.
	Wall, Total time.Duration
	Log         []string // the faults as they were done
	History     *checker.History
	Facts       int
}

// AsExpected says whether the verdict is the scenario's.
func (o *Outcome) AsExpected() bool { return o.Verdict == o.Scenario.Expect }

// ErrSetup marks an error of the environment (a missing binary, a port in
// use, a server that cannot be reached): input errors, not findings.
var ErrSetup = errors.New("live setup")

type targetChange struct {
	at     time.Duration
	server string
}

// env is one run's servers, proxies and clients.
type env struct {
	sc      *Scenario
	opts    Options
	servers map[string]*realserver.Server // the ones this run started
	addrs   map[string]string             // every server's address
	proxies map[string]*proxy.Proxy
	rec     *record.Recorder
	store   *storage.Storage
	monitor *zklock.Monitor

	mu        sync.Mutex
	targets   map[string][]targetChange // proxy -> which server it led to, from when
	stopped   map[string]bool           // servers under SIGSTOP
	snapshots []snapshot
	log       []string
}

const (
	storageKey = "lock"
	redisKey   = "faultline:lock"
	zkDir      = "/faultline/lock"
)

func (e *env) note(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	if e.rec != nil {
		line = fmt.Sprintf("%7.3fs %s", e.rec.Now().Seconds(), line)
	}
	e.mu.Lock()
	e.log = append(e.log, line)
	e.mu.Unlock()
}

// Run runs scenario sc with plan p against real servers it starts, and
// judges the history. An error means the run could not be done or went
// wrong (wrapping ErrSetup when the environment was at fault); every
// server and proxy it started is gone when it returns, error or not.
func Run(ctx context.Context, sc *Scenario, p Plan, opts Options) (*Outcome, error) {
	if err := p.validate(sc); err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	if err := checkUse(sc, p, opts.Use); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSetup, err)
	}
	if opts.LinTimeout <= 0 {
		opts.LinTimeout = checker.LinearizabilityTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, MaxRunTime)
	defer cancel()
	began := time.Now()
	e := &env{sc: sc, opts: opts, servers: map[string]*realserver.Server{}, addrs: map[string]string{}, proxies: map[string]*proxy.Proxy{},
		targets: map[string][]targetChange{}, stopped: map[string]bool{}}
	defer e.teardown()
	if err := e.setup(ctx); err != nil {
		return nil, err
	}
	out, err := e.run(ctx, p)
	if err != nil {
		return nil, err
	}
	e.teardown()
	out.Total = time.Since(began)
	return out, nil
}

// setup starts the servers and the proxies in front of them.
func (e *env) setup(ctx context.Context) error {
	port := func(i int) int {
		if e.opts.BasePort == 0 {
			return 0
		}
		return e.opts.BasePort + i
	}
	setupErr := func(err error) error { return fmt.Errorf("%w: %w", ErrSetup, err) }
	addProxy := func(name, target string) error {
		p, err := proxy.New(target)
		if err != nil {
			return setupErr(err)
		}
		e.proxies[name] = p
		e.targets[name] = []targetChange{{0, ""}}
		return nil
	}
	sc := e.sc
	switch {
	case sc.Recipe == RecipeZK:
		if err := e.startOrUse(ctx, "zk", func() (*realserver.Server, error) {
			return realserver.StartZooKeeper(ctx, realserver.ZKOptions{Port: port(0), TickTime: 100 * time.Millisecond})
		}); err != nil {
			return err
		}
		if err := addProxy("zk", e.addrs["zk"]); err != nil {
			return err
		}
		e.targets["zk"][0].server = "zk"
	case sc.Failover:
		m, err := realserver.StartRedis(ctx, realserver.RedisOptions{Port: port(0)})
		if err != nil {
			return setupErr(fmt.Errorf("server redis-m: %w", err))
		}
		e.servers["redis-m"], e.addrs["redis-m"] = m, m.Addr()
		if err := addProxy("repl", m.Addr()); err != nil {
			return err
		}
		door, err := e.proxies["repl"].Door("replica")
		if err != nil {
			return setupErr(err)
		}
		r, err := realserver.StartRedis(ctx, realserver.RedisOptions{Port: port(1), ReplicaOf: door})
		if err != nil {
			return setupErr(fmt.Errorf("server redis-r: %w", err))
		}
		e.servers["redis-r"], e.addrs["redis-r"] = r, r.Addr()
		if err := waitReplicaLink(ctx, m.Addr(), r.Addr()); err != nil {
			return setupErr(fmt.Errorf("server redis-r: %w", err))
		}
		if err := addProxy("redis", m.Addr()); err != nil {
			return err
		}
		e.targets["redis"][0].server = "redis-m"
		e.targets["repl"][0].server = "redis-m"
	default:
		for i, name := range sc.servers() {
			if err := e.startOrUse(ctx, name, func() (*realserver.Server, error) {
				return realserver.StartRedis(ctx, realserver.RedisOptions{Port: port(i)})
			}); err != nil {
				return err
			}
			if err := addProxy(name, e.addrs[name]); err != nil {
				return err
			}
			e.targets[name][0].server = name
		}
	}
	for _, name := range sc.servers() {
		if err := reachable(e.addrs[name]); err != nil {
			return setupErr(fmt.Errorf("server %s: %w", name, err))
		}
	}
	return nil
}

// startOrUse starts server name, or takes the running one Options.Use
// names.
func (e *env) startOrUse(ctx context.Context, name string, start func() (*realserver.Server, error)) error {
	if addr, ok := e.opts.Use[name]; ok {
		e.addrs[name] = addr
		return nil
	}
	s, err := start()
	if err != nil {
		return fmt.Errorf("%w: server %s: %w", ErrSetup, name, err)
	}
	e.servers[name], e.addrs[name] = s, s.Addr()
	return nil
}

// reachable dials addr once.
func reachable(addr string) error {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return fmt.Errorf("unreachable at %s: %w", addr, err)
	}
	return c.Close()
}

// waitReplicaLink waits until the replica at addr receives its master's
// writes as they happen. The link being "up" is not enough: after a
// diskless full sync the master streams writes to the replica only once
// the replica has acknowledged, up to a second later (seen here: a
// replica promoted 280ms after a write that the master still held back).
// So a probe value is written after the link is up — it cannot come with
// the sync — and must show up on the replica.
func waitReplicaLink(ctx context.Context, master, addr string) error {
	opts := func(a string) *redis.Options {
		return &redis.Options{Addr: a, MaxRetries: -1, Protocol: 2, DisableIdentity: true, DialTimeout: time.Second, ReadTimeout: time.Second}
	}
	m, r := redis.NewClient(opts(master)), redis.NewClient(opts(addr))
	defer m.Close()
	defer r.Close()
	const probe = "faultline:replication-probe"
	deadline := time.Now().Add(10 * time.Second)
	up, n := false, 0
	for time.Now().Before(deadline) {
		if !up {
			info, err := r.Info(ctx, "replication").Result()
			up = err == nil && strings.Contains(info, "master_link_status:up")
			if up {
				n++
				if err := m.Set(ctx, probe, n, 0).Err(); err != nil {
					return fmt.Errorf("master at %s: %w", master, err)
				}
			}
		}
		if up {
			if v, err := r.Get(ctx, probe).Int(); err == nil && v == n {
				return m.Del(ctx, probe).Err()
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return fmt.Errorf("replica at %s did not receive its master's writes within 10s", addr)
}

// teardown ends everything; it may run twice.
func (e *env) teardown() {
	if e.monitor != nil {
		e.monitor.Stop()
		e.monitor = nil
	}
	for name, p := range e.proxies {
		p.Close()
		delete(e.proxies, name)
	}
	for name, s := range e.servers {
		s.Close()
		delete(e.servers, name)
	}
}

// locker is one client's recipe.
type locker interface {
	// acquire waits for the lock; lost (may be nil) closes if the lock is
	// known lost.
	acquire(ctx context.Context) (token int64, lost <-chan struct{}, err error)
	release(ctx context.Context)
	close()
}

func (e *env) run(ctx context.Context, p Plan) (*Outcome, error) {
	sc := e.sc
	e.rec = record.New()
	e.store = storage.New(e.rec, sc.Fenced)
	if sc.Recipe == RecipeZK {
		m, err := zklock.StartMonitor(e.addrs["zk"], e.rec, "zk", zkDir, "zk/"+storageKey, storageKey)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrSetup, err)
		}
		e.monitor = m
	}
	// Clients connect before the clock of the plan starts.
	lockers := map[string]locker{}
	defer func() {
		for _, l := range lockers {
			l.close()
		}
	}()
	for _, c := range p.Clients {
		l, err := e.newLocker(c.Name, p.Seed)
		if err != nil {
			return nil, err
		}
		lockers[c.Name] = l
	}
	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	var (
		stepErr error
		errOnce sync.Once
	)
	fail := func(err error) {
		errOnce.Do(func() { stepErr = err; stopRun() })
	}
	var timed []Step
	pauses := map[string]map[int]Step{}
	for _, s := range p.Steps {
		switch {
		case s.Do == "pause":
			if pauses[s.Target] == nil {
				pauses[s.Target] = map[int]Step{}
			}
			pauses[s.Target][s.Job] = s
		case s.AtMs == 0:
			if err := e.do(runCtx, s); err != nil {
				return nil, err
			}
		default:
			timed = append(timed, s)
		}
	}
	sort.SliceStable(timed, func(i, j int) bool { return timed[i].AtMs < timed[j].AtMs })
	origin := time.Now()
	clientsDone := make(chan struct{})
	var faultsWG sync.WaitGroup
	faultsWG.Add(1)
	go func() {
		defer faultsWG.Done()
		for _, s := range timed {
			select {
			case <-time.After(time.Until(origin.Add(ms(s.AtMs)))):
			case <-clientsDone:
				e.note("not done, the clients had finished: %s", s)
				continue
			case <-runCtx.Done():
				return
			}
			if err := e.do(runCtx, s); err != nil {
				fail(err)
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for _, c := range p.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case <-time.After(time.Until(origin.Add(ms(c.StartMs)))):
			case <-runCtx.Done():
				return
			}
			e.client(runCtx, c, lockers[c.Name], pauses[c.Name], fail)
		}()
	}
	allDone := make(chan struct{})
	go func() { wg.Wait(); close(allDone) }()
	select {
	case <-allDone:
	case <-runCtx.Done():
		// Aborting (a failed step, a cancel, the run's bound): close the
		// connections, which ends calls that take no context (go-zookeeper's).
		for _, l := range lockers {
			l.close()
		}
		<-allDone
	}
	close(clientsDone)
	faultsWG.Wait()
	end := e.rec.Now()
	if stepErr != nil {
		return nil, stepErr
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("live run %s stopped (bound %v): %w", sc.Name, MaxRunTime, ctx.Err())
	}
	// Heal before judging so that what the monitor saw is complete.
	for _, px := range e.proxies {
		px.Heal()
	}
	if e.monitor != nil {
		time.Sleep(50 * time.Millisecond)
		err := e.monitor.Stop()
		e.monitor = nil
		if err != nil {
			return nil, err
		}
	}
	var derived []record.Fact
	if sc.Recipe != RecipeZK {
		e.mu.Lock()
		d := redisDerivation{rec: e.rec, key: storageKey, serverAt: e.serverAt, snapshots: e.snapshots}
		e.mu.Unlock()
		derived = d.facts(e.rec.Observations(), end)
	}
	h := e.rec.History(end, derived...)
	results := Judge(sc, h, e.opts.LinTimeout)
	e.mu.Lock()
	log := append([]string(nil), e.log...)
	e.mu.Unlock()
	return &Outcome{Scenario: sc, Plan: p, Results: results, Verdict: checker.Combine(results), Wall: end,
		Log: log, History: h, Facts: len(h.Observations)}, nil
}

// serverAt is the server that proxy (named after the service) led to at
// time at.
func (e *env) serverAt(service string, at time.Duration) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	changes := e.targets[service]
	name := service
	for _, c := range changes {
		if c.at <= at {
			name = c.server
		}
	}
	return name
}

func (e *env) newLocker(name string, seed uint64) (locker, error) {
	sc := e.sc
	door := func(px string) (string, error) {
		addr, err := e.proxies[px].Door(name)
		if err != nil {
			return "", fmt.Errorf("%w: %w", ErrSetup, err)
		}
		return addr, nil
	}
	switch sc.Recipe {
	case RecipeZK:
		addr, err := door("zk")
		if err != nil {
			return nil, err
		}
		c, err := zklock.Connect(name, addr, sc.SessionTimeout, 10*time.Second, e.rec, zkDir, "zk/"+storageKey)
		if err != nil {
			return nil, fmt.Errorf("%w: server zk: %w", ErrSetup, err)
		}
		return &zkLocker{c: c}, nil
	default:
		var servers []redislock.Server
		services := sc.proxies()
		if sc.Failover {
			services = []string{"redis"}
		}
		for _, s := range services {
			addr, err := door(s)
			if err != nil {
				return nil, err
			}
			servers = append(servers, redislock.Server{Service: s, Addr: addr})
		}
		c := redislock.New(name, e.rec, servers, redislock.Options{Key: redisKey, TTL: sc.TTL, Timeout: 100 * time.Millisecond, Fenced: sc.Fenced})
		var h uint64
		for _, b := range []byte(name) {
			h = h*31 + uint64(b)
		}
		return &redisLocker{c: c, redlock: sc.Recipe == RecipeRedlock, rng: rand.New(rand.NewPCG(seed, h))}, nil
	}
}

type redisLocker struct {
	c       *redislock.Client
	redlock bool
	rng     *rand.Rand
	lease   redislock.Lease
}

// acquire retries until it holds: the seed's loop of SET NX attempts with
// a pause between them; for Redlock a random pause, so that clients that
// split the servers between them do not keep doing so.
func (l *redisLocker) acquire(ctx context.Context) (int64, <-chan struct{}, error) {
	for {
		var ok bool
		if l.redlock {
			l.lease, ok = l.c.Redlock(ctx)
		} else {
			l.lease, ok, _ = l.c.TryLock(ctx) // an unknown outcome is retried like a refusal
		}
		if ok {
			return l.lease.Token, nil, nil
		}
		wait := 20 * time.Millisecond
		if l.redlock {
			wait += time.Duration(l.rng.Int64N(int64(20 * time.Millisecond)))
		}
		select {
		case <-ctx.Done():
			return 0, nil, ctx.Err()
		case <-time.After(wait):
		}
	}
}

func (l *redisLocker) release(ctx context.Context) { l.c.Unlock(ctx, l.lease) }
func (l *redisLocker) close()                      { l.c.Close() }

type zkLocker struct {
	c     *zklock.Client
	lease zklock.Lease
}

func (l *zkLocker) acquire(ctx context.Context) (int64, <-chan struct{}, error) {
	for {
		lease, err := l.c.Acquire(ctx)
		if err == nil {
			l.lease = lease
			return lease.Token, lease.Lost, nil
		}
		if ctx.Err() != nil {
			return 0, nil, ctx.Err()
		}
		if !errors.Is(err, zklock.ErrLost) {
			return 0, nil, err
		}
		// The session expired while waiting: the library has opened a new
		// one; try again in it.
	}
}

func (l *zkLocker) release(context.Context) { l.c.Release(l.lease) }
func (l *zkLocker) close()                  { l.c.Close() }

// client runs one client's jobs: acquire, enter, read, work (and the
// plan's pause), write, leave, release.
func (e *env) client(ctx context.Context, cp ClientPlan, l locker, pauses map[int]Step, fail func(error)) {
	name := cp.Name
	sleep := func(d time.Duration) bool {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(d):
			return true
		}
	}
	for job := 1; job <= cp.Jobs; job++ {
		token, lost, err := l.acquire(ctx)
		if err != nil {
			if ctx.Err() == nil {
				fail(fmt.Errorf("client %s: %w", name, err))
			}
			return
		}
		e.rec.Record(name, obsEnter(token))
		ver, val, err := e.store.Read(name, storageKey, token)
		if err != nil {
			e.rec.Record(name, obsLeave(token, "fenced"))
			l.release(ctx)
			continue
		}
		if !sleep(ms(cp.WorkMs)) {
			return
		}
		if s, ok := pauses[job]; ok {
			e.note("client %s paused for %dms inside its critical section (job %d)", name, s.ForMs, job)
			if !sleep(ms(s.ForMs)) {
				return
			}
			e.note("client %s resumed", name)
		}
		if lost != nil {
			select {
			case <-lost:
				e.rec.Record(name, obsLeave(token, "lost"))
				continue
			default:
			}
		}
		why := "done"
		if _, err := e.store.Write(name, storageKey, token, ver, val+1); err != nil {
			if !errors.Is(err, storage.ErrFenced) {
				fail(err)
				return
			}
			why = "fenced"
		}
		e.rec.Record(name, obsLeave(token, why))
		l.release(ctx)
	}
}
