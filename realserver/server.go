package realserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

var (
	// ErrMissing: a binary or jar the server needs is not installed.
	ErrMissing = errors.New("not installed")
	// ErrPortInUse: the requested loopback port is taken.
	ErrPortInUse = errors.New("port in use")
	// ErrStart: the server died or did not answer during start-up.
	ErrStart = errors.New("did not start")
)

// Server is one real server process (group) on a loopback port.
type Server struct {
	kind    string // "redis-server" or "zookeeper", for messages
	port    int
	dir     string
	argv    []string
	ready   func(ctx context.Context, addr string) error
	timeout time.Duration // hard bound on one start-up

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{} // closed once the running process has been reaped
	closed bool
}

// Addr is the server's host:port on 127.0.0.1.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// Port is the server's loopback port.
func (s *Server) Port() int { return s.port }

// Dir is the server's data directory (removed by Close).
func (s *Server) Dir() string { return s.dir }

// LogPath is the file the server's stdout and stderr go to.
func (s *Server) LogPath() string { return filepath.Join(s.dir, "server.log") }

// Pid is the process id of the running server, which is also its process
// group id; 0 when it is not running.
func (s *Server) Pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

func (s *Server) String() string { return s.kind + "@" + s.Addr() }

// registry holds every server not yet closed, for CloseAll.
var registry = struct {
	sync.Mutex
	m map[*Server]struct{}
}{m: map[*Server]struct{}{}}

// CloseAll closes every server this process started and has not closed.
func CloseAll() {
	registry.Lock()
	all := make([]*Server, 0, len(registry.m))
	for s := range registry.m {
		all = append(all, s)
	}
	registry.Unlock()
	for _, s := range all {
		s.Close()
	}
}

// start makes the data directory, registers the server and runs it once.
func start(ctx context.Context, s *Server, requested bool) (*Server, error) {
	if requested {
		if err := checkPortFree(s.port); err != nil {
			os.RemoveAll(s.dir)
			return nil, err
		}
	}
	registry.Lock()
	registry.m[s] = struct{}{}
	registry.Unlock()
	if err := s.spawn(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// spawn starts the process and waits until it answers.
func (s *Server) spawn(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("%s: closed", s)
	}
	if s.cmd != nil {
		return fmt.Errorf("%s: already running (pid %d)", s, s.cmd.Process.Pid)
	}
	logf, err := os.OpenFile(s.LogPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("%s: %w", s, err)
	}
	cmd := exec.Command(s.argv[0], s.argv[1:]...)
	cmd.Dir = s.dir
	cmd.Stdout, cmd.Stderr = logf, logf
	// Its own group, so a fault reaches whatever the server forks; and a
	// death signal, so the server dies with us even if no cleanup runs.
	// (Linux sends it when the forking thread ends; Go ends a thread only
	// with a goroutine that locked it, which nothing here does.)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("%s: %w", s, err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		logf.Close()
		close(exited)
	}()
	s.cmd, s.exited = cmd, exited

	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var last error
	for {
		select {
		case <-exited:
			s.cmd = nil
			return s.startErr("exited during start-up", cmd.ProcessState.String())
		default:
		}
		if last = s.ready(ctx, s.Addr()); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			s.killLocked()
			return s.startErr(fmt.Sprintf("no answer within %v", s.timeout), last.Error())
		case <-exited:
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// startErr describes a failed start-up with the tail of the server's log.
func (s *Server) startErr(what, detail string) error {
	tail := logTail(s.LogPath(), 3)
	if strings.Contains(tail, "ddress already in use") {
		return fmt.Errorf("%s: %w: %s", s, ErrPortInUse, tail)
	}
	if tail != "" {
		detail += "; log: " + tail
	}
	return fmt.Errorf("%s %w: %s (%s)", s, ErrStart, what, detail)
}

// Kill sends SIGKILL to the server's process group and waits until the
// server is gone: kill -9, nothing flushed beyond what it fsynced. A
// server that is not running is left alone.
func (s *Server) Kill() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.killLocked()
}

func (s *Server) killLocked() error {
	if s.cmd == nil {
		return nil
	}
	pid := s.cmd.Process.Pid
	if err := syscall.Kill(-pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("%s: kill -9 group %d: %w", s, pid, err)
	}
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		return fmt.Errorf("%s: pid %d still running 10s after SIGKILL", s, pid)
	}
	s.cmd = nil
	return nil
}

// Restart starts the server again on the same port and directory — after
// killing it (SIGKILL) if it still runs — and waits until it answers.
func (s *Server) Restart(ctx context.Context) error {
	if err := s.Kill(); err != nil {
		return err
	}
	return s.spawn(ctx)
}

// Pause stops the whole server (SIGSTOP) until Resume.
func (s *Server) Pause() error { return s.signal(syscall.SIGSTOP) }

// Resume continues a paused server (SIGCONT).
func (s *Server) Resume() error { return s.signal(syscall.SIGCONT) }

func (s *Server) signal(sig syscall.Signal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return fmt.Errorf("%s: not running", s)
	}
	if err := syscall.Kill(-s.cmd.Process.Pid, sig); err != nil {
		return fmt.Errorf("%s: %v: %w", s, sig, err)
	}
	return nil
}

// Close kills the server, waits for it and removes its directory. It may
// be called more than once.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	registry.Lock()
	delete(registry.m, s)
	registry.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	err := s.killLocked()
	if rerr := os.RemoveAll(s.dir); err == nil && rerr != nil {
		err = fmt.Errorf("%s: %w", s, rerr)
	}
	return err
}

// freePort asks the kernel for a free loopback port. Another process may
// take it before the server binds it; callers retry on ErrPortInUse.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free loopback port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func checkPortFree(port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("127.0.0.1:%d: %w (%v)", port, ErrPortInUse, err)
	}
	return l.Close()
}

// lookPath finds a program, or says it is missing and which package has it.
func lookPath(prog, pkg string) (string, error) {
	p, err := exec.LookPath(prog)
	if err != nil {
		return "", fmt.Errorf("%s %w (apt-get install %s)", prog, ErrMissing, pkg)
	}
	return p, nil
}

func logTail(path string, lines int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	all := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, " | ")
}

// withPort runs start on a free port, retrying when another process took
// the port between finding and binding it. A requested port is tried once.
func withPort(requested int, try func(port int) (*Server, error)) (*Server, error) {
	if requested != 0 {
		return try(requested)
	}
	var err error
	for range 3 {
		var port int
		if port, err = freePort(); err != nil {
			return nil, err
		}
		var s *Server
		if s, err = try(port); err == nil || !errors.Is(err, ErrPortInUse) {
			return s, err
		}
	}
	return nil, err
}

// Children lists the live (not zombie) child processes of this process,
// read from /proc: after CloseAll it should be empty, and a test binary
// can check that it is.
func Children() ([]int, error) {
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		return nil, err
	}
	self := os.Getpid()
	var out []int
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // gone meanwhile
		}
		// pid (comm) state ppid ...: comm may hold spaces, so split after ')'.
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) < 2 || f[0] == "Z" {
			continue
		}
		if ppid, _ := strconv.Atoi(f[1]); ppid == self {
			pid, _ := strconv.Atoi(strings.Fields(s)[0])
			out = append(out, pid)
		}
	}
	return out, nil
}

// ask is one readiness probe: it sends req to the server at addr and
// returns what read takes of the answer, all within wait, so a server that
// accepts but never answers fails the probe rather than hanging it.
func ask(ctx context.Context, addr, req string, wait time.Duration, read func(io.Reader) (string, error)) (string, error) {
	d := net.Dialer{Timeout: 500 * time.Millisecond}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(wait))
	if _, err := io.WriteString(c, req); err != nil {
		return "", err
	}
	return read(c)
}
