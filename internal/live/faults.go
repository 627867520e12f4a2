package live

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/internal/live/proxy"
	"github.com/faultline-sim/faultline/obs"
	"github.com/redis/go-redis/v9"
)

func obsEnter(token int64) obs.EnterCS { return obs.EnterCS{Lock: storageKey, Token: token} }
func obsLeave(token int64, why string) obs.LeaveCS {
	return obs.LeaveCS{Lock: storageKey, Token: token, Why: obs.LeaveWhy(why)}
}

// do carries out one timed step of the plan on the real servers and
// proxies, and logs it.
func (e *env) do(ctx context.Context, s Step) error {
	fail := func(err error) error { return fmt.Errorf("step %q: %w", s.String(), err) }
	switch s.Do {
	case "kill":
		srv := e.servers[s.Target]
		if err := srv.Kill(); err != nil {
			return fail(err)
		}
		e.rec.Crash(s.Target)
		if err := e.retarget(s.Target, ""); err != nil {
			return fail(err)
		}
	case "restart":
		e.mu.Lock()
		delete(e.stopped, s.Target)
		e.mu.Unlock()
		if err := e.servers[s.Target].Restart(ctx); err != nil {
			return fail(err)
		}
		if err := e.retarget(s.Target, e.addrs[s.Target]); err != nil {
			return fail(err)
		}
	case "stop":
		if err := e.servers[s.Target].Pause(); err != nil {
			return fail(err)
		}
		e.mu.Lock()
		e.stopped[s.Target] = true
		e.mu.Unlock()
	case "cont":
		if err := e.servers[s.Target].Resume(); err != nil {
			return fail(err)
		}
		e.mu.Lock()
		delete(e.stopped, s.Target)
		e.mu.Unlock()
	case "partition":
		e.proxies[s.Target].Set(s.Client, proxy.Fault{Drop: true})
	case "delay":
		e.proxies[s.Target].Set(s.Client, proxy.Fault{Delay: ms(s.ForMs)})
	case "refuse":
		e.proxies[s.Target].Set(s.Client, proxy.Fault{Refuse: true})
	case "heal":
		if s.Client != "" {
			e.proxies[s.Target].Set(s.Client, proxy.Fault{})
		} else {
			e.proxies[s.Target].Heal()
		}
	case "promote":
		value, err := promote(ctx, e.addrs[s.Target])
		if err != nil {
			return fail(err)
		}
		e.mu.Lock()
		e.snapshots = append(e.snapshots, snapshot{at: e.rec.Now(), service: s.Via, server: s.Target, value: value})
		e.mu.Unlock()
		if err := e.proxies[s.Via].SetTarget(e.addrs[s.Target]); err != nil {
			return fail(err)
		}
		e.mu.Lock()
		e.targets[s.Via] = append(e.targets[s.Via], targetChange{at: e.rec.Now(), server: s.Target})
		e.mu.Unlock()
	default:
		return fail(fmt.Errorf("not a timed step"))
	}
	e.note("%s", strings.TrimSpace(s.String()[strings.Index(s.String(), ":")+1:]))
	return nil
}

// retarget points every proxy that leads to server at addr: "" while it
// is dead, its address again once it is back.
func (e *env) retarget(server, addr string) error {
	e.mu.Lock()
	var via []string
	for name, changes := range e.targets {
		if changes[len(changes)-1].server == server {
			via = append(via, name)
		}
	}
	e.mu.Unlock()
	for _, name := range via {
		if err := e.proxies[name].SetTarget(addr); err != nil {
			return err
		}
	}
	return nil
}

// promote makes the replica at addr a master, keeping its data, and
// returns the lock key's value it has then ("" if none): whether the
// replica had received the holder's key is what a failover turns on.
func promote(ctx context.Context, addr string) (string, error) {
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, Protocol: 2, DisableIdentity: true,
		DialTimeout: time.Second, ReadTimeout: time.Second})
	defer c.Close()
	if err := c.Do(ctx, "REPLICAOF", "NO", "ONE").Err(); err != nil {
		return "", fmt.Errorf("REPLICAOF NO ONE on %s: %w", addr, err)
	}
	v, err := c.Get(ctx, redisKey).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("GET %s on %s: %w", redisKey, addr, err)
	}
	return v, nil
}
