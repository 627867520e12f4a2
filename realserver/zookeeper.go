package realserver

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ZooKeeper's jars as Debian installs them: zookeeper.jar names its
// dependencies in its manifest; slf4j-simple gives its log somewhere to go.
const (
	zkJar   = "/usr/share/java/zookeeper.jar"
	slf4jLo = "/usr/share/java/slf4j-simple.jar"
	zkMain  = "org.apache.zookeeper.server.quorum.QuorumPeerMain"
)

// ZKOptions configure one standalone ZooKeeper.
type ZKOptions struct {
	// Port on 127.0.0.1 for clients; 0 picks a free one.
	Port int
	// TickTime is ZooKeeper's time unit (default 200ms): sessions expire
	// between their timeout and one tick later, and a session timeout is
	// clamped to [MinSessionTimeout, MaxSessionTimeout].
	TickTime time.Duration
	// Session timeout bounds; 0 keeps ZooKeeper's 2 and 20 ticks.
	MinSessionTimeout, MaxSessionTimeout time.Duration
	// StartTimeout bounds start-up (default 30s: a JVM on a busy machine).
	StartTimeout time.Duration
}

// StartZooKeeper runs ZooKeeper standalone — QuorumPeerMain on a generated
// zoo.cfg without server.N lines — with its dataDir in a new temporary
// directory, and waits until it serves (four-letter word srvr).
func StartZooKeeper(ctx context.Context, o ZKOptions) (*Server, error) {
	java, err := lookPath("java", "default-jre-headless")
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(zkJar); err != nil {
		return nil, fmt.Errorf("ZooKeeper jar %s %w (apt-get install zookeeper)", zkJar, ErrMissing)
	}
	if o.TickTime <= 0 {
		o.TickTime = 200 * time.Millisecond
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = 30 * time.Second
	}
	cp := zkJar
	if _, err := os.Stat(slf4jLo); err == nil {
		cp += ":" + slf4jLo
	}
	return withPort(o.Port, func(port int) (*Server, error) {
		dir, err := os.MkdirTemp("", "faultline-zookeeper-")
		if err != nil {
			return nil, fmt.Errorf("zookeeper: %w", err)
		}
		cfg := []string{
			fmt.Sprintf("tickTime=%d", o.TickTime.Milliseconds()),
			"dataDir=" + filepath.Join(dir, "data"),
			fmt.Sprintf("clientPort=%d", port),
			"clientPortAddress=127.0.0.1",
			// The AdminServer would take port 8080.
			"admin.enableServer=false",
			"4lw.commands.whitelist=srvr,ruok,stat,mntr,cons,dump",
		}
		if o.MinSessionTimeout > 0 {
			cfg = append(cfg, fmt.Sprintf("minSessionTimeout=%d", o.MinSessionTimeout.Milliseconds()))
		}
		if o.MaxSessionTimeout > 0 {
			cfg = append(cfg, fmt.Sprintf("maxSessionTimeout=%d", o.MaxSessionTimeout.Milliseconds()))
		}
		cfgPath := filepath.Join(dir, "zoo.cfg")
		if err := os.WriteFile(cfgPath, []byte(strings.Join(cfg, "\n")+"\n"), 0o644); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("zookeeper: %w", err)
		}
		argv := []string{java,
			// A small, quickly started JVM: tests run several on two cores.
			"-Xms32m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
			"-Djava.net.preferIPv4Stack=true",
			"-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
			"-cp", cp, zkMain, cfgPath,
		}
		s := &Server{kind: "zookeeper", port: port, dir: dir, argv: argv, ready: zkServing, timeout: o.StartTimeout}
		return start(ctx, s, o.Port != 0)
	})
}

// zkServing succeeds when the srvr four-letter word reports a serving
// standalone server (before that it says "not currently serving requests").
func zkServing(ctx context.Context, addr string) error {
	b, err := ask(ctx, addr, "srvr", 2*time.Second, func(r io.Reader) (string, error) {
		b, err := io.ReadAll(r)
		return string(b), err
	})
	if err != nil {
		return err
	}
	if !strings.Contains(b, "Mode: standalone") {
		return fmt.Errorf("srvr answered %q", strings.TrimSpace(b))
	}
	return nil
}
