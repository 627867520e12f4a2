package scenarios

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/protocol/txn"
)

// The commit family: the atomic-commit protocols `simrun compare` runs
// under every fault class. A protocol joins with one line,
//
//	scenarios.RegisterCommit(myproto.Default())
//
// in an init function (the built-ins register below); from then on
// compare.Run, `simrun compare --protocols` and CompareSpec know it, and
// every CommitBank running it is judged by the checkers it registered.

type commitMember struct {
	proto txn.Protocol
	extra []checker.Checker
}

var commitFamily = map[string]commitMember{}

// RegisterCommit adds a commit protocol, in its default configuration, to
// the family under its Name, with the checkers it needs beyond the
// family's own (atomicity, conservation, blocking, liveness) — Paxos
// Commit's ballot checker, say. Registering a name twice panics: two
// packages claiming one name is a build mistake, not a run-time condition.
func RegisterCommit(p txn.Protocol, extra ...checker.Checker) {
	name := p.Name()
	if _, dup := commitFamily[name]; dup {
		panic("scenarios: commit protocol " + name + " registered twice")
	}
	registerProtocol(name, protocolEntry{family: familyCommit, def: p})
	commitFamily[name] = commitMember{proto: p, extra: extra}
}

// CommitProtocolNames lists the registered commit protocols, sorted.
func CommitProtocolNames() []string {
	return slices.Sorted(maps.Keys(commitFamily))
}

// CommitProtocol is the registered protocol of that name, in its default
// configuration.
func CommitProtocol(name string) (txn.Protocol, error) {
	m, ok := commitFamily[name]
	if !ok {
		return nil, fmt.Errorf("unknown protocol %q (have: %s)", name, strings.Join(CommitProtocolNames(), ", "))
	}
	return m.proto, nil
}

// extraCheckers are the checkers a protocol registered besides the
// family's; none for a protocol that is not registered.
func extraCheckers(p txn.Protocol) []checker.Checker { return commitFamily[p.Name()].extra }
