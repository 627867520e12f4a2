package realserver

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"
)

// RedisOptions configure one redis-server.
type RedisOptions struct {
	// Port on 127.0.0.1; 0 picks a free one.
	Port int
	// AppendOnly turns on the append-only file, fsynced before every reply
	// (appendfsync always), so a kill -9 loses no acknowledged write.
	AppendOnly bool
	// ReplicaOf is the master's host:port for a replica; "" for a master.
	ReplicaOf string
	// Args are extra redis-server flags, e.g. "--hz", "100".
	Args []string
	// StartTimeout bounds start-up (default 10s).
	StartTimeout time.Duration
}

// StartRedis starts redis-server with flags only — no config file, no
// daemonizing, no RDB snapshots — in a new temporary directory, and waits
// until it answers PING.
func StartRedis(ctx context.Context, o RedisOptions) (*Server, error) {
	bin, err := lookPath("redis-server", "redis-server")
	if err != nil {
		return nil, err
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = 10 * time.Second
	}
	var replicaOf []string
	if o.ReplicaOf != "" {
		host, port, err := net.SplitHostPort(o.ReplicaOf)
		if err != nil {
			return nil, fmt.Errorf("redis replicaof %q: %w", o.ReplicaOf, err)
		}
		replicaOf = []string{"--replicaof", host, port}
	}
	return withPort(o.Port, func(port int) (*Server, error) {
		dir, err := os.MkdirTemp("", "faultline-redis-")
		if err != nil {
			return nil, fmt.Errorf("redis-server: %w", err)
		}
		aof := "no"
		if o.AppendOnly {
			aof = "yes"
		}
		argv := []string{bin,
			"--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--dir", dir,
			"--daemonize", "no", "--logfile", "", "--save", "",
			"--appendonly", aof, "--appendfsync", "always",
			"--enable-debug-command", "local",
			// The default waits 5s for more replicas before a full sync.
			"--repl-diskless-sync-delay", "0",
		}
		argv = append(argv, replicaOf...)
		argv = append(argv, o.Args...)
		s := &Server{kind: "redis-server", port: port, dir: dir, argv: argv, ready: redisPing, timeout: o.StartTimeout}
		return start(ctx, s, o.Port != 0)
	})
}

// redisPing succeeds when the server answers PING with PONG (not LOADING).
func redisPing(ctx context.Context, addr string) error {
	line, err := ask(ctx, addr, "*1\r\n$4\r\nPING\r\n", time.Second, func(r io.Reader) (string, error) {
		return bufio.NewReader(r).ReadString('\n')
	})
	if err != nil {
		return err
	}
	if line = strings.TrimSpace(line); line != "+PONG" {
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}
