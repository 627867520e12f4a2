package txn

import "github.com/faultline-sim/faultline/sim"

// Record is a coordinator's durable log entry of one transaction: where it
// stands (in the protocol's own phases), the outcome once decided, whom to
// tell, and whether every participant has acknowledged the outcome (Done).
// A Done record is kept as a tombstone: a duplicated or late Submit of a
// finished transaction must not run it a second time.
type Record[P any] struct {
	Phase        P
	Commit       bool
	Participants []string
	Client       string
	Done         bool
}

// Log is a coordinator's durable log: one Record per transaction, under
// Prefix.
type Log[P any] struct{ Prefix string }

// Read is the record of transaction id, if one was written.
func (l Log[P]) Read(env *sim.Env, id string) (Record[P], bool) {
	return sim.Load[Record[P]](env, l.Prefix+id)
}

// Write logs r for transaction id; it is durable (synced) when Write
// returns.
func (l Log[P]) Write(env *sim.Env, id string, r Record[P]) {
	sim.Put(env, l.Prefix+id, r)
	env.Sync()
}

// Logged is one transaction's record, as a restarted coordinator finds it.
type Logged[P any] struct {
	Txn string
	Record[P]
}

// Unfinished lists the records not Done, in transaction-id order: what a
// restarted coordinator must take up again.
func (l Log[P]) Unfinished(env *sim.Env) []Logged[P] {
	var out []Logged[P]
	for _, k := range env.Keys(l.Prefix) {
		if r, ok := sim.LoadIf(env, k, unfinished[P]); ok {
			out = append(out, Logged[P]{Txn: k[len(l.Prefix):], Record: r})
		}
	}
	return out
}

func unfinished[P any](r Record[P]) bool { return !r.Done }
