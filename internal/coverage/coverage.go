package coverage

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/sim"
)

// Tally is what the runs of one protocol exercised.
type Tally struct {
	Protocol string
	Runs     int
	Facts    map[string]int // fact kind -> times recorded
	Values   map[string]int // "kind attr=value" -> times recorded
	Messages map[string]int // message type -> times sent
}

func newTally(protocol string) *Tally {
	return &Tally{Protocol: protocol, Facts: map[string]int{}, Values: map[string]int{}, Messages: map[string]int{}}
}

// Options choose the seeds and the planted bug of a coverage run.
type Options struct {
	From, To uint64
	Bug      string
}

// Collect runs seeds From..To of spec and tallies them.
func Collect(spec scenarios.Spec, o Options) (*Tally, error) {
	if o.To < o.From {
		return nil, fmt.Errorf("coverage: seed range %d-%d is empty", o.From, o.To)
	}
	t := newTally("")
	count := func(w *sim.World) {
		w.OnEffect(func(e sim.Effect) {
			if e.Kind == sim.EffSend {
				t.Messages[MessageType(e.Msg)]++
			}
		})
	}
	for seed := o.From; ; seed++ {
		out, err := scenarios.Run(spec, scenarios.Options{Seed: seed, NoTrace: true, Bug: o.Bug, Watch: count})
		if err != nil {
			return nil, err
		}
		t.Protocol = out.Protocol
		t.Runs++
		for _, ob := range out.History.Observations {
			if f, ok := ob.Data.(obs.Fact); ok {
				t.addFact(f)
			}
		}
		if seed == o.To {
			return t, nil
		}
	}
}

// MessageType names a message by its Go type: "twopc.Prepare".
func MessageType(m any) string {
	if m == nil {
		return "<nil>"
	}
	return reflect.TypeOf(m).String()
}

func (t *Tally) addFact(f obs.Fact) {
	kind := f.Kind()
	t.Facts[kind]++
	k, err := obs.Lookup(kind)
	if err != nil {
		return
	}
	for _, a := range k.Attrs {
		if a.Type != obs.EnumType && a.Type != obs.Bool && !hasValues(kind, a.Name) {
			continue
		}
		if v, ok := obs.AttrOf(f, a.Name); ok {
			t.Values[kind+" "+a.Name+"="+v]++
		}
	}
}

// hasValues: a string attribute with a closed set of values (values= in
// its tag) is enumerated like an enum.
func hasValues(kind, attr string) bool { return len(declared(kind, attr)) > 0 }

// vocab is the vocabulary by kind, read once every package has
// registered its facts (package variables are set after the imports'
// init functions ran).
var vocab = func() map[string]obs.KindInfo {
	m := map[string]obs.KindInfo{}
	for _, k := range obs.Vocabulary() {
		m[k.Name] = k
	}
	return m
}()

func declared(kind, attr string) []string {
	for _, a := range vocab[kind].Attrs {
		if a.Name == attr {
			if a.Type == obs.Bool {
				return []string{"false", "true"}
			}
			return a.Values
		}
	}
	return nil
}

// Merge adds u's counts to t (same protocol).
func (t *Tally) Merge(u *Tally) {
	t.Runs += u.Runs
	addCounts(t.Facts, u.Facts)
	addCounts(t.Values, u.Values)
	addCounts(t.Messages, u.Messages)
}

func addCounts(to, from map[string]int) {
	for k, n := range from {
		to[k] += n
	}
}

// Universe is what a protocol is known to record and send: the union over
// every registered scenario of that protocol, seeds 1..seeds each.
type Universe struct {
	Protocol  string
	Facts     []string // kinds, sorted
	Values    []string // "kind attr=value" for every declared value of a recorded kind's attributes, sorted
	Messages  []string // message types, sorted
	Scenarios []string // the scenarios it was drawn from
}

// UniverseOf builds the universe of protocol from the registered
// scenarios.
func UniverseOf(protocol string, seeds uint64) (*Universe, error) {
	all := newTally(protocol)
	u := &Universe{Protocol: protocol}
	for _, s := range scenarios.All() {
		if s.System.Protocol() != protocol {
			continue
		}
		t, err := Collect(s, Options{From: 1, To: seeds})
		if err != nil {
			return nil, err
		}
		all.Merge(t)
		u.Scenarios = append(u.Scenarios, s.Name)
	}
	u.Facts = slices.Sorted(maps.Keys(all.Facts))
	u.Messages = slices.Sorted(maps.Keys(all.Messages))
	for _, kind := range u.Facts {
		for _, a := range vocab[kind].Attrs {
			for _, v := range declared(kind, a.Name) {
				u.Values = append(u.Values, kind+" "+a.Name+"="+v)
			}
		}
	}
	sort.Strings(u.Values)
	return u, nil
}

// Missing lists the universe's entries t never saw.
func (t *Tally) Missing(u *Universe) (facts, values, messages []string) {
	return absent(u.Facts, t.Facts), absent(u.Values, t.Values), absent(u.Messages, t.Messages)
}

func absent(all []string, seen map[string]int) []string {
	out := []string{}
	for _, x := range all {
		if seen[x] == 0 {
			out = append(out, x)
		}
	}
	return out
}

// Counts renders a count map as "name n" lines in name order.
func Counts(m map[string]int) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, fmt.Sprintf("%s %d", k, m[k]))
	}
	return out
}
