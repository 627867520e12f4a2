package txn

import (
	"fmt"
	"reflect"
	"time"

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
// probability. The error names the protocol and
// the Go field. A protocol checks its own relations between fields (3PC's
// uncertain timeout above the vote timeout, Paxos Commit's F) after this.
func ValidateConfig(protocol string, cfg any) error {
	v := reflect.ValueOf(cfg)
	if v.Kind() != reflect.Struct {
		return fmt.Errorf("%s: configuration must be a struct, got %T", protocol, cfg)
	}
	if err := positiveDurations(protocol, v); err != nil {
		return err
	}
	if f := v.FieldByName("UnilateralAbort"); f.IsValid() && f.Kind() == reflect.Float64 {
		if p := f.Float(); !(p >= 0 && p <= 1) {
			return fmt.Errorf("%s: UnilateralAbort %v is not a probability (0 to 1)", protocol, p)
		}
	}
	return nil
}

var durationType = reflect.TypeOf(time.Duration(0))

// positiveDurations walks the fields in declaration order, into embedded
// structs, so the first bad field reported is the first one declared.
func positiveDurations(protocol string, v reflect.Value) error {
	t := v.Type()
	for i := range t.NumField() {
		f, fv := t.Field(i), v.Field(i)
		switch {
		case f.Type == durationType:
			d := time.Duration(fv.Int())
			if f.Tag.Get("commit") == "optional" && d == 0 {
				continue
			}
			if d <= 0 {
				return fmt.Errorf("%s: %s must be positive, got %v", protocol, f.Name, d)
			}
		case f.Anonymous && f.Type.Kind() == reflect.Struct:
			if err := positiveDurations(protocol, fv); err != nil {
				return err
			}
		}
	}
	return nil
}

// Enabled is the planted bugs switched on.
func (c Common) Enabled() plant.Set { return c.Bugs }
