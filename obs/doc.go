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
