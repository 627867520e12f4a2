package proxy

import (
	"bufio"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// echo is a line echo server on loopback; it says which server answered.
func echo(t *testing.T, name string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if _, err := c.Write([]byte(name + ":" + line)); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

type client struct {
	c net.Conn
	r *bufio.Reader
}

func dial(t *testing.T, addr string) *client {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return &client{c: c, r: bufio.NewReader(c)}
}

// ask sends one line and waits up to wait for the answer: "" and an error
// when none came.
func (c *client) ask(msg string, wait time.Duration) (string, error) {
	if _, err := c.c.Write([]byte(msg + "\n")); err != nil {
		return "", err
	}
	c.c.SetReadDeadline(time.Now().Add(wait))
	line, err := c.r.ReadString('\n')
	return strings.TrimSpace(line), err
}

func newProxy(t *testing.T, target string) *Proxy {
	t.Helper()
	p, err := New(target)
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	return p
}

func TestForwardsAndDelays(t *testing.T) {
	p := newProxy(t, echo(t, "s1"))
	addr, err := p.Door("a")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(addr, "127.0.0.1:"))
	c := dial(t, addr)
	got, err := c.ask("hi", time.Second)
	require.NoError(t, err)
	require.Equal(t, "s1:hi", got)

	p.Set("a", Fault{Delay: 150 * time.Millisecond})
	start := time.Now()
	got, err = c.ask("slow", 2*time.Second)
	require.NoError(t, err)
	require.Equal(t, "s1:slow", got)
	// Both directions are delayed: at least two delays passed.
	require.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond)
}

func TestPartitionOneClientOnly(t *testing.T) {
	p := newProxy(t, echo(t, "s1"))
	aAddr, _ := p.Door("a")
	bAddr, _ := p.Door("b")
	a, b := dial(t, aAddr), dial(t, bAddr)
	_, err := a.ask("warm", time.Second)
	require.NoError(t, err)

	p.Partition("a")
	_, err = a.ask("lost", 200*time.Millisecond)
	require.Error(t, err, "a partitioned client must hear nothing")
	got, err := b.ask("fine", time.Second)
	require.NoError(t, err)
	require.Equal(t, "s1:fine", got)

	// Healing closes a's broken connection; a new one works.
	p.Heal()
	a.c.SetReadDeadline(time.Now().Add(time.Second))
	_, err = a.r.ReadString('\n')
	require.Error(t, err, "the connection that lost bytes is closed on heal")
	got, err = dial(t, aAddr).ask("again", time.Second)
	require.NoError(t, err)
	require.Equal(t, "s1:again", got)
}

func TestTotalPartitionAndRefuse(t *testing.T) {
	p := newProxy(t, echo(t, "s1"))
	aAddr, _ := p.Door("a")
	bAddr, _ := p.Door("b")
	p.Partition()
	_, err := dial(t, aAddr).ask("x", 150*time.Millisecond)
	require.Error(t, err)
	_, err = dial(t, bAddr).ask("x", 150*time.Millisecond)
	require.Error(t, err)
	p.Heal()
	_, err = dial(t, bAddr).ask("x", time.Second)
	require.NoError(t, err)

	a := dial(t, aAddr)
	_, err = a.ask("x", time.Second)
	require.NoError(t, err)
	p.Set("", Fault{Refuse: true})
	_, err = a.ask("y", time.Second)
	require.Error(t, err, "refuse closes open connections")
	_, err = dial(t, aAddr).ask("z", time.Second)
	require.Error(t, err, "refuse closes new connections")
	require.Equal(t, 0, p.Conns())
}

func TestSetTargetMovesToAnotherServer(t *testing.T) {
	p := newProxy(t, echo(t, "s1"))
	addr, _ := p.Door("a")
	c := dial(t, addr)
	got, err := c.ask("x", time.Second)
	require.NoError(t, err)
	require.Equal(t, "s1:x", got)
	require.NoError(t, p.SetTarget(echo(t, "s2")))
	_, err = c.ask("y", time.Second)
	require.Error(t, err, "connections to the old target are closed")
	got, err = dial(t, addr).ask("z", time.Second)
	require.NoError(t, err)
	require.Equal(t, "s2:z", got)
}

func TestLoopbackOnly(t *testing.T) {
	_, err := New("10.0.0.1:6379")
	require.ErrorContains(t, err, "not a loopback")
	p := newProxy(t, "127.0.0.1:1")
	require.Error(t, p.SetTarget("example.com:80"))
}

func TestCloseEndsEverything(t *testing.T) {
	p, err := New(echo(t, "s1"))
	require.NoError(t, err)
	addr, _ := p.Door("a")
	c := dial(t, addr)
	_, err = c.ask("x", time.Second)
	require.NoError(t, err)
	require.NoError(t, p.Close())
	_, err = c.ask("y", time.Second)
	require.Error(t, err)
	_, err = net.DialTimeout("tcp", addr, 200*time.Millisecond)
	require.Error(t, err, "the door is closed")
	_, err = p.Door("b")
	require.Error(t, err)
}
