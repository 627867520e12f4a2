package lockmgr

import (
	"fmt"
	"time"

	"github.com/faultline-sim/faultline/protocol/lockkit"
)

// Acquire asks for a lock. A client resends the same request (same Req)
// until it has an answer; Attempt counts the sends, so the grant can say
// which send it answered and the client can date its lease from that send.
type Acquire struct {
	Lock    string
	Req     lockkit.Req
	Attempt int
}

// Grant: the client holds Lock with Token for TTL from the manager's
// decision, which came after the client sent attempt Attempt.
type Grant struct {
	Lock    string
	Req     lockkit.Req
	Token   int64
	Attempt int
	TTL     time.Duration
}

// Queued: the request waits in the lock's queue at Position (1 = next).
type Queued struct {
	Lock     string
	Req      lockkit.Req
	Position int
}

// Deny refuses a request; Reason is one of the Reason constants.
type Deny struct {
	Lock   string
	Req    lockkit.Req
	Reason string
}

// Release gives a lock back; Token says which grant is being released, so
// a stale release cannot free a later holder's lock.
type Release struct {
	Lock  string
	Req   lockkit.Req
	Token int64
}

// ReleaseReply: OK false means the client was not the holder of that
// grant any more (its lease had run out).
type ReleaseReply struct {
	Lock string
	Req  lockkit.Req
	OK   bool
}

// Reasons for a Deny.
const (
	ReasonBusy     = "busy"     // held, and the queue is full
	ReasonDeadlock = "deadlock" // the request closed a wait-for cycle
	ReasonTimeout  = "timeout"  // waited longer than the wait timeout
)

func (m Acquire) String() string {
	return fmt.Sprintf("acquire %s req=%s attempt=%d", m.Lock, m.Req, m.Attempt)
}
func (m Grant) String() string {
	return fmt.Sprintf("grant %s req=%s token=%d attempt=%d ttl=%v", m.Lock, m.Req, m.Token, m.Attempt, m.TTL)
}
func (m Queued) String() string {
	return fmt.Sprintf("queued %s req=%s position=%d", m.Lock, m.Req, m.Position)
}
func (m Deny) String() string {
	return fmt.Sprintf("deny %s req=%s reason=%s", m.Lock, m.Req, m.Reason)
}
func (m Release) String() string {
	return fmt.Sprintf("release %s req=%s token=%d", m.Lock, m.Req, m.Token)
}
func (m ReleaseReply) String() string {
	return fmt.Sprintf("release-reply %s req=%s ok=%t", m.Lock, m.Req, m.OK)
}
