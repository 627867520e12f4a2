package obs

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// The vocabulary: every fact kind registered once, its attributes derived
// from its struct by reflection when it registers. Attributes are what
// fault triggers match ("where": {"all-yes": "true"}) and what `simrun
// facts` lists, so a user can write a trigger without reading Go.
//
// An attribute is named after its field in kebab case (AllYes: all-yes,
// ReadVersion: read-version, OK: ok) unless a `fact` tag says otherwise:
//
//	fact:"name"               another name
//	fact:",alias=lock"        a second name for the same attribute
//	fact:",values=get|set"    a string field with a closed set of values
//	fact:"-"                  not an attribute
//
// Its type comes from the field's: string, bool, int (any integer),
// duration (time.Duration, written as "150ms"), enum (a string type with
// declared values, see Enum, or a string field whose values the tag lists)
// or count (a slice: the number of elements). The values= form is for
// fields filled from a protocol's own names (a Redis command, a ZooKeeper
// error), where a Go type of obs's would only add conversions.

// AttrType is what values an attribute takes.
type AttrType string

const (
	String   AttrType = "string"
	Bool     AttrType = "bool"
	Int      AttrType = "int"
	Duration AttrType = "duration"
	EnumType AttrType = "enum"
	Count    AttrType = "count"
)

// Attr is one attribute of a fact kind.
type Attr struct {
	Name    string   `json:"name"`
	Aliases []string `json:"aliases,omitempty"`
	Type    AttrType `json:"type"`
	// Values are an enum's declared values.
	Values []string `json:"values,omitempty"`

	field  int
	format func(reflect.Value) string
	enum   reflect.Type
	listed []string // values from the tag
}

// KindInfo is one registered fact kind.
type KindInfo struct {
	Name  string `json:"kind"`
	Doc   string `json:"doc"`
	Attrs []Attr `json:"attrs"`

	typ reflect.Type
}

var (
	kinds  = map[string]*KindInfo{}
	byType = map[reflect.Type]*KindInfo{}
	enums  = map[reflect.Type][]string{}
)

// Register adds fact type F to the vocabulary under its Kind, with a
// one-line description. A protocol package registers its own facts in an
// init function; a duplicate kind or an attribute of an unsupported type
// panics at start-up, naming it.
func Register[F Fact](doc string) {
	var f F
	t := reflect.TypeOf(f)
	name := f.Kind()
	if t.Kind() != reflect.Struct {
		panic(fmt.Sprintf("obs: fact %s is a %s, not a struct", name, t.Kind()))
	}
	if _, dup := kinds[name]; dup {
		panic("obs: fact kind " + name + " registered twice")
	}
	k := &KindInfo{Name: name, Doc: doc, typ: t}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("fact")
		if tag == "-" || !sf.IsExported() {
			continue
		}
		a := Attr{Name: kebab(sf.Name), field: i}
		opts := strings.Split(tag, ",")
		if opts[0] != "" {
			a.Name = opts[0]
		}
		if err := a.setType(sf.Type); err != nil {
			panic(fmt.Sprintf("obs: fact %s field %s: %v", name, sf.Name, err))
		}
		for _, o := range opts[1:] {
			if al, ok := strings.CutPrefix(o, "alias="); ok {
				a.Aliases = append(a.Aliases, al)
			}
			if vs, ok := strings.CutPrefix(o, "values="); ok && a.Type == String {
				a.Type, a.listed = EnumType, strings.Split(vs, "|")
			}
		}
		k.Attrs = append(k.Attrs, a)
	}
	kinds[name] = k
	byType[t] = k
}

// Enum declares the values of an enumerated string type. An attribute of
// that type only matches, and a trigger may only ask for, these values. A
// protocol with a value of its own declares it the same way.
func Enum[T ~string](values ...T) {
	t := reflect.TypeOf(values).Elem()
	for _, v := range values {
		enums[t] = append(enums[t], string(v))
	}
}

var durationType = reflect.TypeOf(time.Duration(0))

func (a *Attr) setType(t reflect.Type) error {
	switch {
	case t == durationType:
		a.Type, a.format = Duration, func(v reflect.Value) string { return time.Duration(v.Int()).String() }
	case t.Kind() == reflect.String && t.PkgPath() != "":
		a.Type, a.enum, a.format = EnumType, t, reflect.Value.String
	case t.Kind() == reflect.String:
		a.Type, a.format = String, reflect.Value.String
	case t.Kind() == reflect.Bool:
		a.Type, a.format = Bool, func(v reflect.Value) string { return strconv.FormatBool(v.Bool()) }
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64:
		a.Type, a.format = Int, func(v reflect.Value) string { return strconv.FormatInt(v.Int(), 10) }
	case t.Kind() == reflect.Slice:
		a.Type, a.format = Count, func(v reflect.Value) string { return strconv.Itoa(v.Len()) }
	default:
		return fmt.Errorf("unsupported attribute type %s", t)
	}
	return nil
}

// values are the attribute's allowed values: an enum's, or nil for any.
func (a Attr) values() []string {
	if a.enum == nil {
		return a.listed
	}
	return enums[a.enum]
}

// Is reports whether n names the attribute.
func (a Attr) Is(n string) bool {
	if a.Name == n {
		return true
	}
	for _, al := range a.Aliases {
		if al == n {
			return true
		}
	}
	return false
}

// CheckValue reports whether v is a value of the attribute's type,
// naming the type (and, for an enum, the values and the closest one).
func (a Attr) CheckValue(v string) error {
	var err error
	switch a.Type {
	case Bool:
		_, err = strconv.ParseBool(v)
		if err != nil || (v != "true" && v != "false") {
			return fmt.Errorf("attribute %s is a bool: %q is not true or false", a.Name, v)
		}
	case Int:
		if _, err = strconv.ParseInt(v, 10, 64); err != nil {
			return fmt.Errorf("attribute %s is an int: %q is not one", a.Name, v)
		}
	case Count:
		if n, err := strconv.Atoi(v); err != nil || n < 0 {
			return fmt.Errorf("attribute %s is a count: %q is not a whole number", a.Name, v)
		}
	case Duration:
		if _, err = time.ParseDuration(v); err != nil {
			return fmt.Errorf("attribute %s is a duration: %q is not one (e.g. 150ms)", a.Name, v)
		}
	case EnumType:
		// "" matches a fact that leaves the field empty (a ZooKeeper
		// answer without error, a decision recorded without via).
		vals := a.values()
		if v != "" && !slices.Contains(vals, v) {
			return fmt.Errorf("attribute %s has no value %q (did you mean %q? values: %s)", a.Name, v, Closest(v, vals), strings.Join(vals, ", "))
		}
	}
	return nil
}

// Lookup returns the registered kind name, or an error naming the known
// kinds and the closest one.
func Lookup(name string) (*KindInfo, error) {
	if k, ok := kinds[name]; ok {
		return k, nil
	}
	names := KindNames()
	return nil, fmt.Errorf("unknown fact kind %q (did you mean %q? known kinds: %s)", name, Closest(name, names), strings.Join(names, ", "))
}

// Attr returns the kind's attribute named (or aliased) n, or an error
// naming its attributes and the closest one.
func (k *KindInfo) Attr(n string) (Attr, error) {
	for _, a := range k.Attrs {
		if a.Is(n) {
			return a, nil
		}
	}
	names := k.AttrNames()
	return Attr{}, fmt.Errorf("fact kind %s has no attribute %q (did you mean %q? its attributes: %s)", k.Name, n, Closest(n, names), strings.Join(names, ", "))
}

// AttrNames lists the kind's attribute names and aliases, in field order.
func (k *KindInfo) AttrNames() []string {
	var out []string
	for _, a := range k.Attrs {
		out = append(out, a.Name)
		out = append(out, a.Aliases...)
	}
	return out
}

// CheckWhere validates a trigger's conditions against the kind: every key
// an attribute, every value of its type. Keys are checked in sorted order
// so the error is the same on every run.
func (k *KindInfo) CheckWhere(where map[string]string) error {
	for _, n := range slices.Sorted(maps.Keys(where)) {
		a, err := k.Attr(n)
		if err != nil {
			return err
		}
		if err := a.CheckValue(where[n]); err != nil {
			return fmt.Errorf("fact kind %s: %w", k.Name, err)
		}
	}
	return nil
}

// Describe is the kind with its attributes on one line, for listings:
// "votes-in  txn:string all-yes:bool".
func (k *KindInfo) Describe() string {
	parts := []string{k.Name}
	for _, a := range k.Attrs {
		p := a.Name
		for _, al := range a.Aliases {
			p += "|" + al
		}
		p += ":" + string(a.Type)
		if vals := a.values(); len(vals) > 0 {
			p += "(" + strings.Join(vals, "|") + ")"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " ")
}

// Vocabulary lists every registered kind, sorted by name, with enum values
// filled in.
func Vocabulary() []KindInfo {
	out := make([]KindInfo, 0, len(kinds))
	for _, n := range KindNames() {
		k := *kinds[n]
		k.Attrs = append([]Attr(nil), k.Attrs...)
		for i := range k.Attrs {
			k.Attrs[i].Values = k.Attrs[i].values()
		}
		out = append(out, k)
	}
	return out
}

// KindNames lists the registered kinds, sorted.
func KindNames() []string {
	return slices.Sorted(maps.Keys(kinds))
}

// AttrOf returns attribute n of fact f as text, the form triggers match.
func AttrOf(f Fact, n string) (string, bool) {
	k, ok := byType[reflect.TypeOf(f)]
	if !ok {
		return "", false
	}
	for _, a := range k.Attrs {
		if a.Is(n) {
			return a.format(reflect.ValueOf(f).Field(a.field)), true
		}
	}
	return "", false
}

// Conforms reports whether f is a registered kind whose enum attributes
// hold declared values: what a protocol records must be expressible in a
// trigger.
func Conforms(f Fact) error {
	k, ok := byType[reflect.TypeOf(f)]
	if !ok {
		return fmt.Errorf("fact %T (kind %s) is not registered", f, f.Kind())
	}
	v := reflect.ValueOf(f)
	for _, a := range k.Attrs {
		if a.Type != EnumType {
			continue
		}
		if s := v.Field(a.field).String(); s != "" && !slices.Contains(a.values(), s) {
			return fmt.Errorf("fact %s: %s=%q is not a declared value (%s)", k.Name, a.Name, s, strings.Join(a.values(), ", "))
		}
	}
	return nil
}

// Kebab is how Faultline names a Go field in its text formats (fact
// attributes here, scenario file keys in package scenarios).
func Kebab(s string) string { return kebab(s) }

// kebab turns a Go field name into an attribute name: AllYes -> all-yes,
// ReadVersion -> read-version, OK -> ok, TTL -> ttl.
func kebab(s string) string {
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) && i > 0 {
			prevLower := unicode.IsLower(r[i-1]) || unicode.IsDigit(r[i-1])
			nextLower := i+1 < len(r) && unicode.IsLower(r[i+1])
			if prevLower || (unicode.IsUpper(r[i-1]) && nextLower) {
				b.WriteByte('-')
			}
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}

// Closest is the candidate nearest to s by edit distance (ties: the first
// in order), for "did you mean" suggestions; "" if there are none. A
// candidate that s abbreviates ("coord" for "coordinator") counts as one
// edit away.
func Closest(s string, candidates []string) string {
	best, bestD := "", -1
	for _, c := range candidates {
		d := editDistance(s, c)
		if s != "" && strings.HasPrefix(c, s) {
			d = min(d, 1)
		}
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance, with a swap of '_' for '-'
// costing nothing: all_yes is meant as all-yes.
func editDistance(a, b string) int {
	a, b = strings.ReplaceAll(a, "_", "-"), strings.ReplaceAll(b, "_", "-")
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
