package peer

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/faultline-sim/faultline/workload"
)

// Config is the workload and the network's latency.
type Config struct {
	Bank        workload.Bank
	Seed        uint64
	Latency     time.Duration // every message takes Latency plus up to Jitter
	Jitter      time.Duration
	VoteTimeout time.Duration // the coordinator aborts a transaction missing a vote by then
}

// Default is 2pc-bank's shape: its workload, 1ms+2ms latency, 100ms vote
// timeout.
func Default(seed uint64) Config {
	return Config{Bank: workload.DefaultBank(), Seed: seed, Latency: time.Millisecond, Jitter: 2 * time.Millisecond,
		VoteTimeout: 100 * time.Millisecond}
}

// Result is what a run did.
type Result struct {
	Committed, Aborted int
	Messages           int
	Total              int64 // money in every account at the end
	Elapsed            time.Duration
}

// the messages
type (
	submit struct {
		t     workload.Transfer
		reply chan<- any // the client's inbox
	}
	prepare struct {
		txn     string
		account string
		delta   int64 // negative: a debit
	}
	vote struct {
		txn  string
		bank string
		yes  bool
	}
	decision struct {
		txn    string
		commit bool
	}
	ack    struct{ txn string }
	result struct {
		txn    string
		commit bool
	}
	voteTimeout struct{ txn string }
)

// network delivers each message after its latency, on a goroutine of its
// own, as a test with sleeps does; it stops delivering once done closes.
type network struct {
	cfg      Config
	done     <-chan struct{}
	mu       sync.Mutex
	rng      *rand.Rand
	messages int
}

func (n *network) send(to chan<- any, m any) {
	n.mu.Lock()
	d := n.cfg.Latency
	if n.cfg.Jitter > 0 {
		d += time.Duration(n.rng.Int64N(int64(n.cfg.Jitter)))
	}
	n.messages++
	n.mu.Unlock()
	go func() {
		time.Sleep(d)
		select {
		case to <- m:
		case <-n.done:
		}
	}()
}

// bank is one participant: balances, and account locks taken at prepare
// without waiting (a busy account means a "no" vote).
type bank struct {
	name     string
	inbox    chan any
	coord    chan<- any
	balance  map[string]int64
	locked   map[string]string // account -> transaction
	prepared map[string]prepare
}

func (b *bank) run(net *network, done <-chan struct{}) {
	for {
		select {
		case <-done:
			return
		case m := <-b.inbox:
			switch m := m.(type) {
			case prepare:
				_, busy := b.locked[m.account]
				yes := !busy && b.balance[m.account]+m.delta >= 0
				if yes {
					b.locked[m.account] = m.txn
					b.prepared[m.txn] = m
				}
				net.send(b.coord, vote{txn: m.txn, bank: b.name, yes: yes})
			case decision:
				if p, ok := b.prepared[m.txn]; ok {
					if m.commit {
						b.balance[p.account] += p.delta
					}
					delete(b.locked, p.account)
					delete(b.prepared, m.txn)
				}
				net.send(b.coord, ack{txn: m.txn})
			}
		}
	}
}

// txnState is the coordinator's record of one transaction.
type txnState struct {
	t       workload.Transfer
	reply   chan<- any
	votes   int
	decided bool
	acks    int
	timer   *time.Timer
}

type coordinator struct {
	inbox   chan any
	banks   map[string]chan any
	txns    map[string]*txnState
	log     map[string]bool // the decisions, as a durable log would hold them
	timeout time.Duration
}

// run serves transactions until every one of total is decided and acked.
func (c *coordinator) run(net *network, total int, finished chan<- struct{}, done <-chan struct{}) {
	completed := 0
	for completed < total {
		var m any
		select {
		case <-done:
			return
		case m = <-c.inbox:
		}
		switch m := m.(type) {
		case submit:
			id := m.t.Txn
			st := &txnState{t: m.t, reply: m.reply}
			c.txns[id] = st
			net.send(c.banks[m.t.FromBank], prepare{txn: id, account: m.t.From, delta: -m.t.Amount})
			net.send(c.banks[m.t.ToBank], prepare{txn: id, account: m.t.To, delta: m.t.Amount})
			st.timer = time.AfterFunc(c.timeout, func() {
				select {
				case c.inbox <- voteTimeout{id}:
				case <-done:
				}
			})
		case vote:
			st := c.txns[m.txn]
			if st == nil || st.decided {
				continue
			}
			st.votes++
			switch {
			case !m.yes:
				c.decide(net, m.txn, st, false)
			case st.votes == 2:
				c.decide(net, m.txn, st, true)
			}
		case voteTimeout:
			if st := c.txns[m.txn]; st != nil && !st.decided {
				c.decide(net, m.txn, st, false)
			}
		case ack:
			st := c.txns[m.txn]
			if st == nil {
				continue
			}
			if st.acks++; st.acks == 2 {
				delete(c.txns, m.txn)
				completed++
			}
		}
	}
	close(finished)
}

func (c *coordinator) decide(net *network, id string, st *txnState, commit bool) {
	st.decided = true
	st.timer.Stop()
	c.log[id] = commit
	for _, b := range []string{st.t.FromBank, st.t.ToBank} {
		net.send(c.banks[b], decision{txn: id, commit: commit})
	}
	net.send(st.reply, result{txn: id, commit: commit})
}

// Run plays the workload to the end: every transfer submitted at its
// time, decided, and acknowledged by both banks. Every goroutine it starts
// has returned when it returns.
func Run(cfg Config) (Result, error) {
	if err := cfg.Bank.Validate(); err != nil {
		return Result{}, fmt.Errorf("peer: %w", err)
	}
	start := time.Now()
	done := make(chan struct{})
	net := &network{cfg: cfg, done: done, rng: rand.New(rand.NewPCG(cfg.Seed, 1))}
	transfers := cfg.Bank.Generate(rand.New(rand.NewPCG(cfg.Seed, 2)))

	coord := &coordinator{inbox: make(chan any, 64), banks: map[string]chan any{}, txns: map[string]*txnState{},
		log: map[string]bool{}, timeout: cfg.VoteTimeout}
	var banks []*bank
	for name, accounts := range cfg.Bank.Accounts() {
		b := &bank{name: name, inbox: make(chan any, 64), coord: coord.inbox, balance: map[string]int64{},
			locked: map[string]string{}, prepared: map[string]prepare{}}
		for _, a := range accounts {
			b.balance[a] = cfg.Bank.InitialBalance
		}
		coord.banks[name] = b.inbox
		banks = append(banks, b)
	}

	var wg sync.WaitGroup
	finished := make(chan struct{})
	for _, b := range banks {
		wg.Go(func() { b.run(net, done) })
	}
	wg.Go(func() { coord.run(net, len(transfers), finished, done) })

	// Each client submits its transfers at their times and collects its
	// results.
	byClient := map[string][]workload.Transfer{}
	for _, t := range transfers {
		byClient[t.Client] = append(byClient[t.Client], t)
	}
	var mu sync.Mutex
	res := Result{}
	var clients sync.WaitGroup
	for _, ts := range byClient {
		clients.Go(func() {
			inbox := make(chan any, len(ts))
			for _, t := range ts {
				time.Sleep(start.Add(t.At).Sub(time.Now()))
				net.send(coord.inbox, submit{t: t, reply: inbox})
			}
			for range ts {
				r := (<-inbox).(result)
				mu.Lock()
				if r.commit {
					res.Committed++
				} else {
					res.Aborted++
				}
				mu.Unlock()
			}
		})
	}
	clients.Wait()
	<-finished
	close(done)
	wg.Wait()

	res.Elapsed = time.Since(start)
	res.Messages = net.messages
	for _, b := range banks {
		for _, v := range b.balance {
			res.Total += v
		}
	}
	return res, nil
}
