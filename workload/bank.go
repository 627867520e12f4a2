package workload

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/faultline-sim/faultline/fields"
)

// Bank configures the bank-transfer workload.
type Bank struct {
	Banks           int           // participants, one per bank
	AccountsPerBank int           //
	InitialBalance  int64         // per account
	Clients         int           //
	Transfers       int           // in all, spread round-robin over clients
	Interval        time.Duration // mean gap between one client's transfers
	MaxAmount       int64         // amounts are drawn from [1, MaxAmount]
	Start           time.Duration // first possible submission time
}

// DefaultBank is the workload of the bank scenarios: 3 banks, 4 clients,
// 100 transfers; amounts large enough that some transfers are refused for
// insufficient funds and some collide on locks.
func DefaultBank() Bank {
	return Bank{Banks: 3, AccountsPerBank: 4, InitialBalance: 100, Clients: 4, Transfers: 100,
		Interval: 20 * time.Millisecond, MaxAmount: 60, Start: time.Millisecond}
}

// Validate reports an impossible setting, naming the field.
func (b Bank) Validate() error {
	f := &fields.Check{Of: "bank workload"}
	f.That(b.Banks >= 2, "banks must be at least 2 (a transfer spans two), got %d", b.Banks)
	f.AtLeast("accounts per bank", b.AccountsPerBank, 1)
	f.That(b.InitialBalance >= 0, "initial balance %d is negative", b.InitialBalance)
	f.AtLeast("clients", b.Clients, 1).Count("transfers", b.Transfers).Positive("interval", b.Interval)
	f.That(b.MaxAmount >= 1, "max amount must be at least 1, got %d", b.MaxAmount)
	return f.Err()
}

// BankName is the role name of bank i (from 1): the bank is participant i.
func BankName(i int) string { return "participant-" + strconv.Itoa(i) }

// ClientName is the role name of client i (from 1).
func ClientName(i int) string { return "client-" + strconv.Itoa(i) }

// AccountName names account j (from 1) of bank i (from 1).
func AccountName(bank, j int) string { return "acct-" + strconv.Itoa(bank) + "." + strconv.Itoa(j) }

// BalanceKey is the durable-store key under which a bank keeps an account's
// committed balance (an int64). Checkers read final balances through it.
const BalanceKey = "balance/"

// Accounts lists each bank's accounts, by bank name.
func (b Bank) Accounts() map[string][]string {
	out := make(map[string][]string, b.Banks)
	for i := 1; i <= b.Banks; i++ {
		out[BankName(i)] = b.accountsOf(i)
	}
	return out
}

// accountsOf lists the accounts of bank i (from 1).
func (b Bank) accountsOf(i int) []string {
	out := make([]string, b.AccountsPerBank)
	for j := range out {
		out[j] = AccountName(i, j+1)
	}
	return out
}

// BankNames lists the banks in order.
func (b Bank) BankNames() []string { return Names(b.Banks, BankName) }

// ClientNames lists the clients in order.
func (b Bank) ClientNames() []string { return Names(b.Clients, ClientName) }

// InitialTotal is the money in the system before any transfer.
func (b Bank) InitialTotal() int64 {
	return int64(b.Banks*b.AccountsPerBank) * b.InitialBalance
}

// Transfer moves Amount from one account to another at a different bank.
type Transfer struct {
	Txn      string
	Client   string
	At       time.Duration // when the client submits it
	FromBank string
	From     string
	ToBank   string
	To       string
	Amount   int64
}

func (t Transfer) String() string {
	return fmt.Sprintf("%s %s at %v: %d %s@%s -> %s@%s", t.Txn, t.Client, t.At, t.Amount, t.From, t.FromBank, t.To, t.ToBank)
}

// Generate draws the transfers from r. The clients draw in turn, one
// transfer each, but the result holds one client's transfers after
// another's (client 1's first), each client's in submission order: that
// way PerClient hands each client its part of this array, not a copy.
func (b Bank) Generate(r *rand.Rand) []Transfer {
	// Names are made once here, not per transfer: a sweep generates a
	// workload per seed. The transaction ids are cut from one string for
	// the same reason; they do not depend on r.
	banks, clients := b.BankNames(), b.ClientNames()
	accounts := make([][]string, b.Banks)
	for i := range accounts {
		accounts[i] = b.accountsOf(i + 1)
	}
	out := make([]Transfer, b.Transfers)
	first := make([]int, b.Clients) // where client c's transfers begin in out
	idBytes := make([]byte, 0, 8*b.Transfers)
	for c := range first {
		if c > 0 {
			first[c] = first[c-1] + b.transfersOf(c-1)
		}
		for k := 1; k <= b.transfersOf(c); k++ {
			idBytes = appendTxnID(idBytes, c+1, k)
		}
	}
	ids, p, at := string(idBytes), 0, 0
	for c := range first {
		for k := 1; k <= b.transfersOf(c); k++ {
			var id [40]byte
			n := len(appendTxnID(id[:0], c+1, k))
			out[p].Txn, p, at = ids[at:at+n], p+1, at+n
		}
	}
	next := make([]time.Duration, b.Clients)
	count := make([]int, b.Clients)
	for c := range next {
		next[c] = b.Start
	}
	for i := 0; i < b.Transfers; i++ {
		c := i % b.Clients
		next[c] += time.Duration(float64(b.Interval) * r.ExpFloat64())
		t := &out[first[c]+count[c]]
		count[c]++
		fb := 1 + r.IntN(b.Banks)
		tb := 1 + r.IntN(b.Banks-1)
		if tb >= fb {
			tb++
		}
		t.Client, t.At = clients[c], next[c]
		t.FromBank, t.From = banks[fb-1], accounts[fb-1][r.IntN(b.AccountsPerBank)]
		t.ToBank, t.To = banks[tb-1], accounts[tb-1][r.IntN(b.AccountsPerBank)]
		t.Amount = 1 + r.Int64N(b.MaxAmount)
	}
	return out
}

// transfersOf is how many transfers client c (from 0) makes: the
// transfers are dealt round-robin.
func (b Bank) transfersOf(c int) int {
	n := b.Transfers / b.Clients
	if c < b.Transfers%b.Clients {
		n++
	}
	return n
}

// appendTxnID appends the id of client c's k-th transfer (both from 1),
// as "c1-t3".
func appendTxnID(b []byte, c, k int) []byte {
	b = strconv.AppendInt(append(b, 'c'), int64(c), 10)
	return strconv.AppendInt(append(b, "-t"...), int64(k), 10)
}

// LastSubmission is the time of the latest transfer.
func LastSubmission(ts []Transfer) time.Duration {
	var last time.Duration
	for _, t := range ts {
		if t.At > last {
			last = t.At
		}
	}
	return last
}
