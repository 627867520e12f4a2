package txn

import (
	"fmt"
	"reflect"
	"time"

	"github.com/faultline-sim/faultline/fields"
	"github.com/faultline-sim/faultline/protocol/plant"
)

// Common is the part of a commit protocol's configuration every protocol
// has. A protocol's Config embeds it next to its own timeouts.
type Common struct {
	// VoteTimeout is how long the coordinator waits for votes before it
	// gives up on the missing ones (2PC and 3PC abort; Paxos Commit takes
	// over the silent participants' instances with a higher ballot).
	VoteTimeout time.Duration
	// UnilateralAbort is the chance a participant aborts a transaction on
	// its own before voting (votes no), as the article allows.
	UnilateralAbort float64
	// Bugs are the planted bugs switched on, from the protocol's catalog.
	Bugs plant.Set
}

// ValidateConfig is the one validation of a commit protocol's
// configuration: every time.Duration field of cfg (its timeouts, intervals
// and windows, embedded Common included) must be positive — or, tagged
// `commit:"optional"`, zero for off — and UnilateralAbort must be a
// probability. The error names the protocol and the Go field (the
// project's one field check, package fields, says it). A protocol checks
// its own relations between fields (3PC's uncertain timeout above the vote
// timeout, Paxos Commit's F) after this.
func ValidateConfig(protocol string, cfg any) error {
	v := reflect.ValueOf(cfg)
	if v.Kind() != reflect.Struct {
		return fmt.Errorf("%s: configuration must be a struct, got %T", protocol, cfg)
	}
	f := &fields.Check{Of: protocol}
	positiveDurations(f, v)
	if u := v.FieldByName("UnilateralAbort"); u.IsValid() && u.Kind() == reflect.Float64 {
		f.Probability("UnilateralAbort", u.Float())
	}
	return f.Err()
}

var durationType = reflect.TypeOf(time.Duration(0))

// positiveDurations walks the fields in declaration order, into embedded
// structs, so the first bad field reported is the first one declared.
func positiveDurations(f *fields.Check, v reflect.Value) {
	t := v.Type()
	for i := range t.NumField() {
		sf, fv := t.Field(i), v.Field(i)
		switch {
		case sf.Type == durationType:
			if d := time.Duration(fv.Int()); d != 0 || sf.Tag.Get("commit") != "optional" {
				f.Positive(sf.Name, d)
			}
		case sf.Anonymous && sf.Type.Kind() == reflect.Struct:
			positiveDurations(f, fv)
		}
	}
}

// Enabled is the planted bugs switched on.
func (c Common) Enabled() plant.Set { return c.Bugs }
