package lockkit

import (
	"testing"
	"time"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
	"github.com/faultline-sim/faultline/workload"
)

// scripted is a service without a server: it answers every acquire at once
// as answer says, and every release with ok.
type scripted struct {
	answer   func(c *Client, env *sim.Env)
	released int
}

func (s *scripted) Start(*sim.Env, *Client) {}
func (s *scripted) Acquire(env *sim.Env, c *Client, _ string, _ Req) {
	s.answer(c, env)
}
func (s *scripted) Release(env *sim.Env, c *Client, _ Held, _ Req) {
	s.released++
	c.Released(env, true)
}
func (s *scripted) Receive(*sim.Env, *Client, sim.NodeID, sim.Message) {}
func (s *scripted) Timer(*sim.Env, *Client, any)                       {}

// drive runs one client with one job on lock-1 against svc and returns its
// facts.
func drive(t *testing.T, svc Service, opt Options) []obs.Fact {
	t.Helper()
	w, err := sim.New(sim.Config{Seed: 1, Network: sim.Link{Latency: time.Millisecond}, MaxTime: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	opt.Jobs = []workload.LockJob{{ID: "j1", Client: "client-1", At: time.Millisecond, Locks: []string{"lock-1"}}}
	if opt.Backoff == nil {
		opt.Backoff = Jittered(10 * time.Millisecond)
	}
	AddClients(w, false, []string{"client-1"}, opt.Jobs, opt, func() Service { return svc })
	w.Run()
	store, _ := w.Lookup(NodeName)
	var out []obs.Fact
	for _, o := range w.Observations() {
		if o.Node != store {
			out = append(out, o.Data.(obs.Fact))
		}
	}
	return out
}

func count(fs []obs.Fact, kind string) int {
	n := 0
	for _, f := range fs {
		if f.Kind() == kind {
			n++
		}
	}
	return n
}

// A lock that stays taken is tried MaxTries times per acquisition, then
// the job counts as refused (busy) and is retried after the back-off.
func TestRetryGivesUpAfterMaxTries(t *testing.T) {
	tries := 0
	svc := &scripted{answer: func(c *Client, env *sim.Env) {
		tries++
		if tries <= 7 {
			c.Retry(env)
			return
		}
		c.Granted(env, 1, 0, false)
	}}
	fs := drive(t, svc, Options{RetryDelay: Jittered(5 * time.Millisecond), MaxTries: 3})
	if got := count(fs, "lock-denied"); got != 2 {
		t.Fatalf("%d refusals after 7 taken attempts with 3 tries each, want 2: %v", got, fs)
	}
	if count(fs, "lock-request") != 3 || count(fs, "job-done") != 1 {
		t.Fatalf("want 3 acquisitions and the job done: %v", fs)
	}
}

// At the lease deadline the client leaves its critical section and does
// not release; a later try of the job runs to the end and releases.
func TestLeaseDeadlineEndsTheSectionWithoutARelease(t *testing.T) {
	grants := 0
	svc := &scripted{answer: func(c *Client, env *sim.Env) {
		grants++
		ttl := 5 * time.Millisecond // shorter than the work
		if grants > 1 {
			ttl = time.Second
		}
		c.Granted(env, int64(grants), env.Now()+ttl, true)
	}}
	fs := drive(t, svc, Options{WorkBefore: 20 * time.Millisecond})
	var why []string
	for _, f := range fs {
		if l, ok := f.(obs.LeaveCS); ok {
			why = append(why, string(l.Why))
		}
	}
	if len(why) != 2 || why[0] != string(obs.LeaveLeaseEnding) || why[1] != string(obs.LeaveDone) {
		t.Fatalf("left the critical section for %v, want lease-ending then done", why)
	}
	if svc.released != 1 || count(fs, "lock-release") != 1 {
		t.Fatalf("%d releases, want only the finished try's", svc.released)
	}
}
