package obs

import (
	"fmt"
)

// Promise: an acceptor promised not to accept any ballot below Ballot for
// one consensus instance (Paxos Commit: Instance is the participant whose
// vote the instance decides). Ballots are totally ordered integers.
type Promise struct {
	Txn      string
	Instance string
	Ballot   int64
}

func (Promise) Kind() string { return "promise" }

// Accept: an acceptor accepted Value at Ballot for one instance. A value is
// chosen once Quorum acceptors accept it at the same ballot.
type Accept struct {
	Txn      string
	Instance string
	Ballot   int64
	Value    string `fact:",values=prepared|aborted"`
	Quorum   int
}

func (Accept) Kind() string { return "accept" }

func (p Promise) String() string {
	return fmt.Sprintf("promise %s/%s b%d", p.Txn, p.Instance, p.Ballot)
}
func (a Accept) String() string {
	return fmt.Sprintf("accept %s/%s b%d %s", a.Txn, a.Instance, a.Ballot, a.Value)
}

func init() {
	Register[Promise]("a Paxos acceptor promised to accept no lower ballot for an instance")
	Register[Accept]("a Paxos acceptor accepted a value at a ballot for an instance")
}
