package plant

import (
	"fmt"
	"sort"
	"strings"

	"github.com/faultline-sim/faultline/obs"
)

// Bug is one planted mistake a protocol can switch on.
type Bug struct {
	Name        string // as given to `simrun --bug`
	Description string // what the protocol then does wrong, in a sentence
}

// Catalog is the bugs one protocol offers, in a stable order.
type Catalog []Bug

// Names lists the bug names in catalog order.
func (c Catalog) Names() []string {
	out := make([]string, len(c))
	for i, b := range c {
		out[i] = b.Name
	}
	return out
}

// Lookup finds a bug by name.
func (c Catalog) Lookup(name string) (Bug, bool) {
	for _, b := range c {
		if b.Name == name {
			return b, true
		}
	}
	return Bug{}, false
}

// Enable returns s with the bug name switched on. s itself is unchanged.
// An unknown name is an error listing the known ones and, when one is
// close, suggesting it.
func (c Catalog) Enable(s Set, name string) (Set, error) {
	if _, ok := c.Lookup(name); !ok {
		return s, c.unknown(name)
	}
	if s.On(name) {
		return s, nil
	}
	on := make([]string, 0, len(s.on)+1)
	on = append(on, s.on...)
	on = append(on, name)
	sort.Strings(on)
	return Set{on: on}, nil
}

// Of returns the set of the named bugs, refusing any unknown name.
func (c Catalog) Of(names ...string) (Set, error) {
	var s Set
	for _, n := range names {
		var err error
		if s, err = c.Enable(s, n); err != nil {
			return Set{}, err
		}
	}
	return s, nil
}

func (c Catalog) unknown(name string) error {
	if len(c) == 0 {
		return fmt.Errorf("no planted bug %q (this protocol has none)", name)
	}
	return fmt.Errorf("no planted bug %q (did you mean %q? have: %s)", name, obs.Closest(name, c.Names()), strings.Join(c.Names(), ", "))
}

// Set is the enabled bugs of one configuration. The zero Set has none.
// It is a value: Enable builds a new one, so copies never share changes.
type Set struct {
	on []string // sorted, distinct, each a name of the catalog it came from
}

// On reports whether the bug name is switched on.
func (s Set) On(name string) bool {
	for _, n := range s.on {
		if n == name {
			return true
		}
	}
	return false
}

// Names lists the enabled bugs, sorted.
func (s Set) Names() []string { return append([]string(nil), s.on...) }

// Empty reports whether no bug is on.
func (s Set) Empty() bool { return len(s.on) == 0 }

// String is the enabled names joined by commas, "" for none.
func (s Set) String() string { return strings.Join(s.on, ",") }

// Planter is a configuration that offers planted bugs: its catalog, the
// bugs it has on, and the same configuration with exactly a given set on.
// C is the configuration's own type (or the interface it is used through),
// so With hands back what it was given.
type Planter[C any] interface {
	Planted() Catalog
	Enabled() Set
	WithBugs(Set) C
}

// With returns c with the bug name switched on as well, or an error
// listing the bugs c offers. It is WithBug written once for every
// protocol.
func With[C Planter[C]](c C, name string) (C, error) {
	s, err := c.Planted().Enable(c.Enabled(), name)
	if err != nil {
		var zero C
		return zero, err
	}
	return c.WithBugs(s), nil
}
