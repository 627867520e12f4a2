package obs

import "fmt"

// Holder: a lock server's own state for Lock changed — Client now holds it
// with Token, or nobody does (Client ""). Every lock service records one
// whenever its authoritative state changes (a grant, a release, an expiry,
// a key set, deleted or expired, a lock znode becoming lowest, a state
// recovered or lost on restart), so checkers can tell, for any true moment,
// who really held a lock: the client that a quorum of the service's
// servers (one for a single server, a majority for Redlock) records as
// holder. A crashed server records nothing and counts for nobody until it
// records again.
type Holder struct {
	Lock   string
	Client string
	Token  int64 // the fencing token of that holding, 0 if the service has none
	// Durable: the state survives a crash of the server that recorded it
	// (a lease in a durable store, a Redis key with append-only
	// persistence). A state that is not durable is gone with the crash.
	Durable bool
}

func (Holder) Kind() string { return "holder" }

// StorageRead: the protected resource handled a read of Key by Client
// holding Token. A fenced storage refuses (Rejected) a read whose token is
// lower than the highest it has seen for Key, and raises that fence with
// every read it accepts: otherwise a stale holder could read, lose its
// lease, and write back over a newer holder's update with a token the fence
// still admits.
type StorageRead struct {
	Key      string
	Client   string
	Token    int64
	Version  int64
	Rejected bool
}

func (StorageRead) Kind() string { return "storage-read" }

func (f Holder) String() string {
	if f.Client == "" {
		return "holder " + f.Lock + " free"
	}
	return fmt.Sprintf("holder %s %s token=%d durable=%t", f.Lock, f.Client, f.Token, f.Durable)
}

func (f StorageRead) String() string {
	s := fmt.Sprintf("storage-read %s by %s token=%d version=%d", f.Key, f.Client, f.Token, f.Version)
	if f.Rejected {
		s += " rejected"
	}
	return s
}

func init() {
	Register[Holder]("a lock server's own record of who holds a lock changed (client empty: free)")
	Register[StorageRead]("the protected storage handled a read (rejected: fenced off)")
}
