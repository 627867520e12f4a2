// Package obs is the vocabulary of observations: the facts protocols record
// (through sim.Env.Observe) and checkers and fault triggers read.
//
// It is the contract between a protocol and everything that judges it. A
// protocol plugged into Faultline — including one written by a user — is
// checked by the commit checkers as soon as it records Begin, Vote and
// Decide facts, whatever its messages look like.
//
// Every fact has a Kind and named attributes, so fault triggers can be
// written as data ("when a votes-in fact with all-yes=true is observed,
// crash the coordinator") and run against any protocol that records it.
//
// The vocabulary (vocab.go) is the schema of all this: each fact kind is
// registered once (Register, in an init function next to its struct), and
// its attributes are derived from the struct's fields by reflection at
// registration — their names in kebab case, their types (string, bool,
// int, duration, count of a slice, or an enum) from the fields' types.
// Fields whose values are a closed set (how a decision was learned, why a
// lock was refused or a critical section left) are typed strings whose
// values are declared with Enum, so checkers match named constants
// (LeaveLeaseEnding) rather than free text, and a trigger can only ask for
// a value some protocol records. Fault schedules are validated against
// the vocabulary, naming the closest kind, attribute or value on a typo;
// `simrun facts` lists it. A fact's String is its canonical trace line and
// is written by hand, so trace hashes do not depend on the vocabulary.
package obs

import "fmt"

// Fact is one observation. Its String is its canonical trace form; its
// attributes come from the vocabulary (Register, AttrOf).
type Fact interface {
	fmt.Stringer
	Kind() string
}

// KindOf is the kind name of fact type F, for code that names a kind
// without holding a fact (checkers listing what they read).
func KindOf[F Fact]() string {
	var f F
	return f.Kind()
}
