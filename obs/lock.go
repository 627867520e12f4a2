package obs

import (
	"fmt"
	"strings"
	"time"
)

// The facts of lock protocols. A lock client records a request when it
// first asks for a lock and exactly one of granted or denied when it learns
// the answer, so each acquire is one operation of a linearizability history
// however often the request was resent; releases likewise. Req names the
// operation, unique per client. Facts recorded by a client do not name it:
// the observation's node does.

// LockRequest: the client asked for Lock (an acquire operation began).
type LockRequest struct {
	Lock string
	Req  string
}

func (LockRequest) Kind() string { return "lock-request" }

// LockGranted: the client learned it holds Lock with fencing token Token.
type LockGranted struct {
	Lock  string
	Req   string
	Token int64
}

func (LockGranted) Kind() string { return "lock-granted" }

// LockDenied: the client's request was refused, for Reason.
type LockDenied struct {
	Lock   string
	Req    string
	Reason DenyReason
}

func (LockDenied) Kind() string { return "lock-denied" }

// DenyReason is why a lock request was refused.
type DenyReason string

const (
	DenyBusy     DenyReason = "busy"     // held (and the manager's queue full, or no queue)
	DenyDeadlock DenyReason = "deadlock" // the request closed a wait-for cycle and was chosen as the victim
	DenyTimeout  DenyReason = "timeout"  // it waited too long in the manager's queue
	// DenyValidity: Redlock got a majority but too late, with less than
	// the clock-drift margin of its TTL left.
	DenyValidity       DenyReason = "validity"
	DenySessionExpired DenyReason = "session-expired" // ZooKeeper: the session ended while it waited
)

// LockRelease: the client asked to release Lock (a release began).
type LockRelease struct {
	Lock  string
	Req   string
	Token int64
}

func (LockRelease) Kind() string { return "lock-release" }

// LockReleased: the release's answer; OK false means the manager did not
// take the client for the holder (its lease had run out).
type LockReleased struct {
	Lock  string
	Req   string
	Token int64
	OK    bool
}

func (LockReleased) Kind() string { return "lock-released" }

// EnterCS: the client believes it holds Lock and starts working on the
// resource Lock protects. From here to LeaveCS (or the client's crash) it
// would act on the resource as the only holder.
type EnterCS struct {
	Lock  string
	Token int64
}

func (EnterCS) Kind() string { return "cs-enter" }

// LeaveCS: the client no longer believes it holds Lock, for Why.
type LeaveCS struct {
	Lock  string
	Token int64
	Why   LeaveWhy
}

func (LeaveCS) Kind() string { return "cs-leave" }

// LeaveWhy is why a client left its critical section.
type LeaveWhy string

const (
	LeaveDone LeaveWhy = "done" // the work is finished
	// LeaveLeaseEnding: it stopped before its lease could run out; the
	// lock is no longer its to hand back.
	LeaveLeaseEnding    LeaveWhy = "lease-ending"
	LeaveSessionExpired LeaveWhy = "session-expired" // ZooKeeper: it learned its session expired
	LeaveSuspended      LeaveWhy = "suspended"       // ZooKeeper: it cannot know whether its session lives
	LeaveFenced         LeaveWhy = "fenced"          // the storage refused its token
	LeaveLost           LeaveWhy = "lost"            // Redis: extending its lease failed, the lock is gone
)

// JobStart: a client started one unit of work (a job needing Locks, an
// order); with JobDone it is what the progress checker measures.
type JobStart struct {
	Job   string
	Locks []string
}

func (JobStart) Kind() string { return "job-start" }

// JobDone: the client finished the job.
type JobDone struct{ Job string }

func (JobDone) Kind() string { return "job-done" }

// LockGrant: the manager granted Lock to Client (server side).
type LockGrant struct {
	Lock   string
	Client string
	Req    string
	Token  int64
}

func (LockGrant) Kind() string { return "grant" }

// LeaseExpired: the manager freed Lock because Client's lease with Token
// ran out. It is the server-side operation of the lock history.
type LeaseExpired struct {
	Lock   string
	Client string
	Token  int64
}

func (LeaseExpired) Kind() string { return "lease-expired" }

// Deadlock: the manager found a wait-for cycle when Victim's request for
// Lock was queued, and refused that request to break it. Cycle lists the
// clients, first and last the same (attribute cycle: its length).
type Deadlock struct {
	Lock   string
	Cycle  []string
	Victim string
}

func (Deadlock) Kind() string { return "deadlock" }

// WaitTimeout: in timeout-only mode, the manager refused Client's request
// for Lock after it had waited Waited in the queue.
type WaitTimeout struct {
	Lock   string
	Client string
	Waited time.Duration
}

func (WaitTimeout) Kind() string { return "wait-timeout" }

// StorageWrite: the protected resource handled a write to Key from Client,
// who read version ReadVersion and holds a lock with Token. PrevVersion is
// the version the write found: when it differs from ReadVersion, another
// write came between the client's read and its write, and one of the two
// updates is lost. Rejected writes (fencing) changed nothing.
type StorageWrite struct {
	Key         string
	Client      string
	Token       int64
	ReadVersion int64
	PrevVersion int64
	Version     int64
	Value       int64
	Rejected    bool
}

func (StorageWrite) Kind() string { return "storage-write" }

func (f LockRequest) String() string { return fmt.Sprintf("lock-request %s req=%s", f.Lock, f.Req) }
func (f LockGranted) String() string {
	return fmt.Sprintf("lock-granted %s req=%s token=%d", f.Lock, f.Req, f.Token)
}
func (f LockDenied) String() string {
	return fmt.Sprintf("lock-denied %s req=%s reason=%s", f.Lock, f.Req, f.Reason)
}
func (f LockRelease) String() string {
	return fmt.Sprintf("lock-release %s req=%s token=%d", f.Lock, f.Req, f.Token)
}
func (f LockReleased) String() string {
	return fmt.Sprintf("lock-released %s req=%s token=%d ok=%t", f.Lock, f.Req, f.Token, f.OK)
}
func (f EnterCS) String() string { return fmt.Sprintf("cs-enter %s token=%d", f.Lock, f.Token) }
func (f LeaveCS) String() string {
	return fmt.Sprintf("cs-leave %s token=%d why=%s", f.Lock, f.Token, f.Why)
}
func (f JobStart) String() string {
	if len(f.Locks) == 0 {
		return "job-start " + f.Job
	}
	return fmt.Sprintf("job-start %s locks=%s", f.Job, strings.Join(f.Locks, ","))
}
func (f JobDone) String() string { return "job-done " + f.Job }
func (f LockGrant) String() string {
	return fmt.Sprintf("grant %s to=%s req=%s token=%d", f.Lock, f.Client, f.Req, f.Token)
}
func (f LeaseExpired) String() string {
	return fmt.Sprintf("lease-expired %s holder=%s token=%d", f.Lock, f.Client, f.Token)
}
func (f Deadlock) String() string {
	return fmt.Sprintf("deadlock on %s cycle=%s victim=%s", f.Lock, strings.Join(f.Cycle, "->"), f.Victim)
}
func (f WaitTimeout) String() string {
	return fmt.Sprintf("wait-timeout %s client=%s waited=%v", f.Lock, f.Client, f.Waited)
}
func (f StorageWrite) String() string {
	s := fmt.Sprintf("storage-write %s from=%s token=%d read-version=%d prev-version=%d", f.Key, f.Client, f.Token, f.ReadVersion, f.PrevVersion)
	if f.Rejected {
		return s + " rejected"
	}
	return s + fmt.Sprintf(" -> version=%d value=%d", f.Version, f.Value)
}

func init() {
	Enum(DenyBusy, DenyDeadlock, DenyTimeout, DenyValidity, DenySessionExpired)
	Enum(LeaveDone, LeaveLeaseEnding, LeaveSessionExpired, LeaveSuspended, LeaveFenced, LeaveLost)
	Register[LockRequest]("a client asked for a lock (an acquire began)")
	Register[LockGranted]("a client learned it holds a lock, with a fencing token")
	Register[LockDenied]("a client's lock request was refused")
	Register[LockRelease]("a client asked to release a lock (a release began)")
	Register[LockReleased]("a release's answer; ok false: the service did not take the client for the holder")
	Register[EnterCS]("a client believes it holds a lock and starts working on what it protects")
	Register[LeaveCS]("a client no longer believes it holds a lock")
	Register[JobStart]("a client started a job (needing locks, or an order)")
	Register[JobDone]("a client finished a job")
	Register[LockGrant]("the lock manager granted a lock to a client (server side)")
	Register[LeaseExpired]("the lock manager freed a lock whose holder's lease ran out")
	Register[Deadlock]("the lock manager found a wait-for cycle and refused the victim's request")
	Register[WaitTimeout]("the lock manager refused a request that waited too long in its queue")
	Register[StorageWrite]("the protected storage handled a write (rejected: fenced off)")
}
