package zklock

import (
	"testing"
	"time"

	"github.com/faultline-sim/faultline/sim"
	"github.com/stretchr/testify/require"
)

// script is a client that opens sessions and sends requests at fixed
// times, keeping every answer; requests name their session by number.
type script struct {
	steps    []scripted
	sessions []int64
	xid      int64
	replies  []Reply
	events   []WatchEvent
}

type scripted struct {
	at      time.Duration
	connect bool
	session int
	req     Request
}

type stepTimer int

func (t stepTimer) String() string { return "step" }

func (c *script) Start(env *sim.Env) {
	for i, s := range c.steps {
		env.SetTimer(s.at, stepTimer(i))
	}
}

func (c *script) Timer(env *sim.Env, tag any) {
	s := c.steps[tag.(stepTimer)]
	srv, _ := env.Lookup(ServerName)
	if s.connect {
		env.Send(srv, Connect{Req: int64(len(c.sessions) + 1)})
		return
	}
	c.xid++
	r := s.req
	r.Session, r.Xid = c.sessions[s.session], c.xid
	env.Send(srv, r)
}

func (c *script) Receive(env *sim.Env, _ sim.NodeID, m sim.Message) {
	switch m := m.(type) {
	case Connected:
		c.sessions = append(c.sessions, m.Session)
	case Reply:
		c.replies = append(c.replies, m)
	case WatchEvent:
		c.events = append(c.events, m)
	}
}

func runScript(t *testing.T, steps []scripted) *script {
	t.Helper()
	w, err := sim.New(sim.Config{Seed: 1, MaxTime: time.Second})
	require.NoError(t, err)
	require.NoError(t, Default().AddNodes(w, nil, nil))
	c := &script{steps: steps}
	w.AddNode("client-1", func() sim.Node { return c })
	w.Run()
	return c
}

// Found by package conformance against ZooKeeper 3.8: a delete of a
// missing node takes a zxid (an error txn), so the next node's czxid is
// two past the previous one.
func TestFailedDeleteTakesAZxid(t *testing.T) {
	c := runScript(t, []scripted{
		{at: ms, connect: true},
		{at: 2 * ms, req: Request{Op: OpCreate, Lock: "l", Name: "g"}},
		{at: 3 * ms, req: Request{Op: OpDelete, Lock: "l", Name: "g-lock-0000000009"}},
		{at: 4 * ms, req: Request{Op: OpCreate, Lock: "l", Name: "g"}},
	})
	require.Len(t, c.replies, 3)
	require.Equal(t, ErrNoNode, c.replies[1].Err)
	require.Equal(t, c.replies[0].Czxid+2, c.replies[2].Czxid)
}

// Closing a session deletes its ephemeral nodes at once and tells their
// watchers; the closed session answers nothing more.
func TestCloseDeletesEphemeralsAndNotifiesWatchers(t *testing.T) {
	c := runScript(t, []scripted{
		{at: ms, connect: true},
		{at: 2 * ms, connect: true},
		{at: 3 * ms, session: 0, req: Request{Op: OpCreate, Lock: "l", Name: "a"}},
		{at: 4 * ms, session: 1, req: Request{Op: OpExists, Lock: "l", Name: "a-lock-0000000000", Watch: true}},
		{at: 5 * ms, session: 0, req: Request{Op: OpClose}},
		{at: 6 * ms, session: 1, req: Request{Op: OpChildren, Lock: "l"}},
		{at: 7 * ms, session: 0, req: Request{Op: OpChildren, Lock: "l"}},
	})
	require.Len(t, c.replies, 5)
	require.True(t, c.replies[1].Exists)
	require.Equal(t, []WatchEvent{{Session: c.sessions[1], Lock: "l", Name: "a-lock-0000000000"}}, c.events)
	require.Empty(t, c.replies[3].Children)
	require.Equal(t, ErrSessionExpired, c.replies[4].Err)
}
