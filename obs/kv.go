package obs

import (
	"fmt"
)

// The facts of an optimistic, versioned key-value store and of the
// inventory workload on it. A client records KVCall when an operation
// begins and KVReturn when its answer arrives, however often the request
// was resent: together they are the register's linearizability history.

// KVCall: the client began a read of Key, or a compare-and-set that writes
// Value if Key is still at version Expect.
type KVCall struct {
	Req    string
	Key    string
	Op     KVOp
	Expect int64
	Value  int64
}

func (KVCall) Kind() string { return "kv-call" }

// KVReturn: the answer. A read returns Value at Version; a cas returns OK
// (and the version it created) or a conflict (and the version it found).
type KVReturn struct {
	Req     string
	Key     string
	Op      KVOp
	OK      bool
	Value   int64
	Version int64
}

func (KVReturn) Kind() string { return "kv-return" }

// KVApplied: the store changed Key to Value at Version for Client.
type KVApplied struct {
	Key     string
	Client  string
	Version int64
	Value   int64
}

func (KVApplied) Kind() string { return "kv-applied" }

// Order: the client started an order for Units of Item.
type Order struct {
	Order string
	Item  string
	Units int64
}

func (Order) Kind() string { return "order" }

// Sold: the client's order succeeded: Units of Item are sold.
type Sold struct {
	Order string
	Item  string
	Units int64
}

func (Sold) Kind() string { return "sold" }

// OutOfStock: the client found too few units left (Stock) and gave up.
type OutOfStock struct {
	Order string
	Item  string
	Stock int64
}

func (OutOfStock) Kind() string { return "out-of-stock" }

func (f KVCall) String() string {
	if f.Op == "cas" {
		return fmt.Sprintf("kv-call %s req=%s cas expect-version=%d value=%d", f.Key, f.Req, f.Expect, f.Value)
	}
	return fmt.Sprintf("kv-call %s req=%s %s", f.Key, f.Req, f.Op)
}
func (f KVReturn) String() string {
	return fmt.Sprintf("kv-return %s req=%s %s ok=%t value=%d version=%d", f.Key, f.Req, f.Op, f.OK, f.Value, f.Version)
}
func (f KVApplied) String() string {
	return fmt.Sprintf("kv-applied %s from=%s version=%d value=%d", f.Key, f.Client, f.Version, f.Value)
}
func (f Order) String() string { return fmt.Sprintf("order %s %d of %s", f.Order, f.Units, f.Item) }
func (f Sold) String() string  { return fmt.Sprintf("sold %s %d of %s", f.Order, f.Units, f.Item) }
func (f OutOfStock) String() string {
	return fmt.Sprintf("out-of-stock %s %s stock=%d", f.Order, f.Item, f.Stock)
}

// KVOp is an operation on the versioned store.
type KVOp string

const (
	KVRead KVOp = "read"
	KVCas  KVOp = "cas" // compare-and-set against a version
)

func init() {
	Enum(KVRead, KVCas)
	Register[KVCall]("a client began a read or compare-and-set on the versioned store")
	Register[KVReturn]("the answer to a store operation")
	Register[KVApplied]("the store changed a key to a value at a new version")
	Register[Order]("a client started an order for units of an item")
	Register[Sold]("a client's order succeeded")
	Register[OutOfStock]("a client found too few units left and gave up")
}
