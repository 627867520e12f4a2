package proxy

import (
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"
	"time"
)

// Fault is what a door does to its traffic. The zero Fault forwards
// everything at once.
type Fault struct {
	Delay  time.Duration
	Drop   bool
	Refuse bool
}

func (f Fault) String() string {
	var parts []string
	if f.Delay > 0 {
		parts = append(parts, "delay "+f.Delay.String())
	}
	if f.Drop {
		parts = append(parts, "drop")
	}
	if f.Refuse {
		parts = append(parts, "refuse")
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "+")
}

// merge is the fault of a door under both its own and the proxy-wide one.
func merge(a, b Fault) Fault {
	return Fault{Delay: max(a.Delay, b.Delay), Drop: a.Drop || b.Drop, Refuse: a.Refuse || b.Refuse}
}

// Proxy forwards connections from its doors to one target server.
type Proxy struct {
	mu     sync.Mutex
	target string
	all    Fault
	per    map[string]Fault
	doors  map[string]net.Listener
	conns  map[*link]struct{}
	closed bool
	wg     sync.WaitGroup
}

// New makes a proxy to target (host:port on 127.0.0.1) with no doors yet.
func New(target string) (*Proxy, error) {
	if err := loopback(target); err != nil {
		return nil, err
	}
	return &Proxy{target: target, per: map[string]Fault{}, doors: map[string]net.Listener{}, conns: map[*link]struct{}{}}, nil
}

func loopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("proxy: target %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("proxy: target %q is not a loopback address", addr)
	}
	return nil
}

// Door opens (or returns) the listening address for label, on 127.0.0.1
// and a free port.
func (p *Proxy) Door(label string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return "", errors.New("proxy: closed")
	}
	if l, ok := p.doors[label]; ok {
		return l.Addr().String(), nil
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("proxy: door %q: %w", label, err)
	}
	p.doors[label] = l
	p.wg.Add(1)
	go p.accept(label, l)
	return l.Addr().String(), nil
}

// Set gives label's door the fault f; label "" sets the fault of every
// door. A fault that no longer drops closes the connections that lost
// bytes; a refusing one closes every connection it covers.
func (p *Proxy) Set(label string, f Fault) {
	p.mu.Lock()
	if label == "" {
		p.all = f
	} else {
		p.per[label] = f
	}
	var shut []*link
	for l := range p.conns {
		eff := merge(p.all, p.per[l.label])
		if eff.Refuse || (!eff.Drop && l.lost) {
			shut = append(shut, l)
		}
	}
	p.mu.Unlock()
	for _, l := range shut {
		l.close()
	}
}

// Partition drops the traffic of the given doors, or of every door when
// none is given.
func (p *Proxy) Partition(labels ...string) {
	if len(labels) == 0 {
		p.Set("", Fault{Drop: true})
		return
	}
	for _, l := range labels {
		p.Set(l, Fault{Drop: true})
	}
}

// Heal clears every fault.
func (p *Proxy) Heal() {
	p.mu.Lock()
	labels := make([]string, 0, len(p.per))
	for l := range p.per {
		labels = append(labels, l)
	}
	p.mu.Unlock()
	sort.Strings(labels)
	for _, l := range labels {
		p.Set(l, Fault{})
	}
	p.Set("", Fault{})
}

// Fault is the fault label's door has now.
func (p *Proxy) Fault(label string) Fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	return merge(p.all, p.per[label])
}

// SetTarget sends new connections to target and closes the open ones.
// Target "" means the server's host is gone: connections are accepted and
// closed at once, never dialled through to whatever may have taken the
// dead server's port since.
func (p *Proxy) SetTarget(target string) error {
	if target != "" {
		if err := loopback(target); err != nil {
			return err
		}
	}
	p.mu.Lock()
	p.target = target
	p.mu.Unlock()
	p.closeLinks()
	return nil
}

// closeLinks closes every open connection.
func (p *Proxy) closeLinks() {
	p.mu.Lock()
	shut := make([]*link, 0, len(p.conns))
	for l := range p.conns {
		shut = append(shut, l)
	}
	p.mu.Unlock()
	for _, l := range shut {
		l.close()
	}
}

// Conns is how many connections are open through the proxy.
func (p *Proxy) Conns() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

// Close closes every door and connection and waits for the proxy's
// goroutines.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	for _, l := range p.doors {
		l.Close()
	}
	p.mu.Unlock()
	p.closeLinks()
	p.wg.Wait()
	return nil
}

func (p *Proxy) accept(label string, ln net.Listener) {
	defer p.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		f := merge(p.all, p.per[label])
		target, closed := p.target, p.closed
		p.mu.Unlock()
		if closed || f.Refuse || target == "" {
			c.Close()
			continue
		}
		s, err := net.DialTimeout("tcp", target, 2*time.Second)
		if err != nil {
			c.Close() // the server is down: the client sees a reset, as it would
			continue
		}
		l := &link{p: p, label: label, client: c, server: s}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			c.Close()
			s.Close()
			continue
		}
		p.conns[l] = struct{}{}
		p.mu.Unlock()
		p.wg.Add(2)
		go l.pump(c, s)
		go l.pump(s, c)
	}
}

// link is one proxied connection.
type link struct {
	p              *Proxy
	label          string
	client, server net.Conn
	lost           bool // guarded by p.mu: bytes were dropped
	once           sync.Once
}

func (l *link) close() {
	l.once.Do(func() {
		l.client.Close()
		l.server.Close()
		l.p.mu.Lock()
		delete(l.p.conns, l)
		l.p.mu.Unlock()
	})
}

type chunk struct {
	data []byte
	due  time.Time
}

// pump copies one direction. Reading goes on during a drop (the bytes are
// lost); a delay holds each chunk until its due time in a writer of its
// own, so later chunks queue behind it in order.
func (l *link) pump(from, to net.Conn) {
	defer l.p.wg.Done()
	queue := make(chan chunk, 1024)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for c := range queue {
			if d := time.Until(c.due); d > 0 {
				time.Sleep(d)
			}
			if _, err := to.Write(c.data); err != nil {
				l.close()
				for range queue {
				}
				return
			}
		}
	}()
	defer func() {
		close(queue)
		<-done
		l.close()
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := from.Read(buf)
		if n > 0 {
			l.p.mu.Lock()
			f := merge(l.p.all, l.p.per[l.label])
			if f.Drop {
				l.lost = true
			}
			l.p.mu.Unlock()
			switch {
			case f.Refuse:
				return
			case f.Drop:
			default:
				queue <- chunk{data: append([]byte(nil), buf[:n]...), due: time.Now().Add(f.Delay)}
			}
		}
		if err != nil {
			return // EOF, a reset or a close by either side ends the link
		}
	}
}
