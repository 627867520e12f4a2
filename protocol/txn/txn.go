package txn

import (
	"slices"
	"strconv"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/plant"
	"github.com/faultline-sim/faultline/sim"
	"github.com/faultline-sim/faultline/workload"
)

// Op is one participant's part of a transaction: add Delta to Account.
type Op struct {
	Participant string
	Account     string
	Delta       int64
}

func (o Op) String() string { return string(o.AppendTrace(nil)) }

// AppendTrace appends String's text; the trace writes it with no
// allocation (sim.TraceAppender).
func (o Op) AppendTrace(b []byte) []byte {
	b = append(b, o.Account...)
	b = appendSigned(b, o.Delta)
	b = append(b, '@')
	return append(b, o.Participant...)
}

// appendSigned appends n as fmt's %+d does.
func appendSigned(b []byte, n int64) []byte {
	if n >= 0 {
		b = append(b, '+')
	}
	return strconv.AppendInt(b, n, 10)
}

func appendOps(b []byte, ops []Op) []byte {
	for i, o := range ops {
		if i > 0 {
			b = append(b, ' ')
		}
		b = o.AppendTrace(b)
	}
	return b
}

// Submit is a client's request to run a transaction.
type Submit struct {
	Txn string
	Ops []Op
}

// Result tells a client the outcome.
type Result struct {
	Txn    string
	Commit bool
}

func (m Submit) String() string { return string(m.AppendTrace(nil)) }

// AppendTrace appends String's text (sim.TraceAppender).
func (m Submit) AppendTrace(b []byte) []byte {
	return appendOps(appendWords(b, "submit", m.Txn), m.Ops)
}

func (m Result) String() string { return string(m.AppendTrace(nil)) }

// AppendTrace appends String's text (sim.TraceAppender).
func (m Result) AppendTrace(b []byte) []byte {
	return append(appendWords(b, "result", m.Txn), obs.CommitOrAbort(m.Commit)...)
}

// Topology is what a commit protocol is built on: role names and the bank
// each participant runs.
type Topology struct {
	Coordinator  string
	Participants []string
	Accounts     map[string][]string // participant -> its accounts
	Initial      int64               // initial balance of every account
}

// BankTopology is the topology of the bank workload.
func BankTopology(b workload.Bank) Topology {
	return Topology{Coordinator: "coordinator", Participants: b.BankNames(), Accounts: b.Accounts(), Initial: b.InitialBalance}
}

// Protocol is an atomic-commit protocol that can be put on a topology.
type Protocol interface {
	// Name is the protocol's short name, e.g. "2pc".
	Name() string
	// Validate reports an impossible setting, naming the field.
	Validate() error
	// AddNodes adds the protocol's nodes (coordinator, participants, and
	// any of its own, such as acceptors) to the world.
	AddNodes(w *sim.World, t Topology) error
	// Planted is the protocol's catalog of planted bugs, Enabled the ones
	// switched on (txn.Common gives it), and WithBugs the protocol with
	// exactly the given ones on: plant.With turns these into WithBug.
	Planted() plant.Catalog
	Enabled() plant.Set
	WithBugs(plant.Set) Protocol
}

// Ops turns a transfer into its two operations.
func Ops(t workload.Transfer) []Op {
	return []Op{
		{Participant: t.FromBank, Account: t.From, Delta: -t.Amount},
		{Participant: t.ToBank, Account: t.To, Delta: t.Amount},
	}
}

// ParticipantsOf lists the distinct participants of ops, in first-seen order.
func ParticipantsOf(ops []Op) []string {
	if len(ops) == 0 {
		return nil
	}
	out := make([]string, 0, len(ops)) // one allocation, however many
	for _, o := range ops {
		if !slices.Contains(out, o.Participant) {
			out = append(out, o.Participant)
		}
	}
	return out[:len(out):len(out)]
}

// OpsFor keeps the ops of one participant. When they are next to each
// other in ops (one op per participant, as in a transfer), it returns
// that part of ops rather than a copy: ops come from a message, which is
// immutable, and the part's capacity ends with it, so an append to it
// cannot reach the rest.
func OpsFor(ops []Op, participant string) []Op {
	first, last, n := -1, -1, 0
	for i, o := range ops {
		if o.Participant == participant {
			if first < 0 {
				first = i
			}
			last = i
			n++
		}
	}
	switch {
	case n == 0:
		return nil
	case last-first+1 == n:
		return ops[first : last+1 : last+1]
	}
	out := make([]Op, 0, n)
	for _, o := range ops {
		if o.Participant == participant {
			out = append(out, o)
		}
	}
	return out
}

// Client submits its transfers at their times and records the outcomes it
// hears of. It sends each transfer once: a client that retried a transfer
// whose first attempt might have committed would move the money twice.
type Client struct {
	Coordinator string
	Transfers   []workload.Transfer // this client's, in time order

	coord sim.NodeID
	next  int
	heard []bool // by transfer: its result is recorded
	ops   []Op   // the ops of the transfers submitted, one array for all
}

type submitTimer struct{}

func (submitTimer) String() string              { return "submit" }
func (submitTimer) AppendTrace(b []byte) []byte { return append(b, "submit"...) }

// Start arms the timer for the first transfer.
func (c *Client) Start(env *sim.Env) {
	c.coord, _ = env.Lookup(c.Coordinator)
	c.heard = make([]bool, len(c.Transfers))
	if env.Incarnation() > 0 {
		// A restarted client does not resubmit: it cannot know what was sent.
		c.next = len(c.Transfers)
		return
	}
	c.arm(env)
}

func (c *Client) arm(env *sim.Env) {
	if c.next < len(c.Transfers) {
		sim.SetTimer(env, c.Transfers[c.next].At-env.Now(), submitTimer{})
	}
}

// Timer submits the next transfer.
func (c *Client) Timer(env *sim.Env, _ any) {
	t := c.Transfers[c.next]
	c.next++
	sim.Observe(env, obs.Submit{Txn: t.Txn})
	if c.ops == nil {
		c.ops = make([]Op, 0, 2*len(c.Transfers))
	}
	start := len(c.ops)
	c.ops = append(c.ops, Ops(t)...)
	sim.Send(env, c.coord, Submit{Txn: t.Txn, Ops: c.ops[start:len(c.ops):len(c.ops)]})
	c.arm(env)
}

// Receive records the first result per transaction.
func (c *Client) Receive(env *sim.Env, _ sim.NodeID, m sim.Message) {
	if r, ok := m.(Result); ok && c.firstResult(r.Txn) {
		sim.Observe(env, obs.Outcome{Txn: r.Txn, Commit: r.Commit})
	}
}

// firstResult marks the result of transaction id heard and reports
// whether it is the first. Only a transfer this client submitted has a
// result, most often one of the last few: the search starts there.
func (c *Client) firstResult(id string) bool {
	for i := min(c.next, len(c.Transfers)) - 1; i >= 0; i-- {
		if c.Transfers[i].Txn == id {
			first := !c.heard[i]
			c.heard[i] = true
			return first
		}
	}
	return false
}

// AddClients adds one client node per client of the workload.
func AddClients(w *sim.World, coordinator string, transfers []workload.Transfer, clients []string) {
	byClient, _ := workload.PerClient(transfers, func(t workload.Transfer) string { return t.Client })
	for _, name := range clients {
		ts := byClient[name]
		w.AddNode(name, func() sim.Node { return &Client{Coordinator: coordinator, Transfers: ts} })
	}
}
