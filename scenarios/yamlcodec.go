package scenarios

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/plant"
	"go.yaml.in/yaml/v3"
)

// FileError is one complaint about a scenario file: the file, the line and
// the field (a dotted path such as system.params.vote-timeout).
type FileError struct {
	File  string
	Line  int
	Field string
	Err   error
}

func (e *FileError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s:%d: %s: %v", e.File, e.Line, e.Field, e.Err)
}

func (e *FileError) Unwrap() error { return e.Err }

// decoder turns yaml nodes into Go values by reflection, strictly: every
// key must name a field, every scalar must have the field's type. It keeps
// the line of every path it visits, so checks made after decoding (a
// protocol's Validate, an unknown node in a trigger) can still point at a
// line.
type decoder struct {
	file  string
	lines map[string]int
}

func newDecoder(file string) *decoder { return &decoder{file: file, lines: map[string]int{}} }

func (d *decoder) errAt(line int, path string, format string, args ...any) error {
	return &FileError{File: d.file, Line: line, Field: path, Err: fmt.Errorf(format, args...)}
}

// errPath is an error about a path decoded earlier: at its line, or at the
// nearest enclosing path that has one.
func (d *decoder) errPath(path string, err error) error {
	p := path
	for {
		if line, ok := d.lines[p]; ok {
			return &FileError{File: d.file, Line: line, Field: path, Err: err}
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			return &FileError{File: d.file, Line: 1, Field: path, Err: err}
		}
		p = p[:i]
	}
}

var (
	durationType       = reflect.TypeOf(time.Duration(0))
	faultsDurationType = reflect.TypeOf(faults.Duration(0))
	nodeType           = reflect.TypeOf(yaml.Node{})
	plantSetType       = reflect.TypeOf(plant.Set{})
	textUnmarshaler    = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
	textMarshaler      = reflect.TypeOf((*encoding.TextMarshaler)(nil)).Elem()
	jsonUnmarshaler    = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()
	jsonMarshaler      = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
)

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

func (d *decoder) scalar(n *yaml.Node, path, want string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", d.errAt(n.Line, path, "want %s, got %s", want, kindName(n))
	}
	return n.Value, nil
}

// parsed sets v to what parse makes of scalar n; text that parse refuses
// is an error naming the path, what was wanted and the text.
func (d *decoder) parsed(n *yaml.Node, v reflect.Value, path, want string, parse func(s string) (any, error)) error {
	s, err := d.scalar(n, path, want)
	if err != nil {
		return err
	}
	x, err := parse(s)
	if err != nil {
		return d.errAt(n.Line, path, "want %s, got %q", want, s)
	}
	v.Set(reflect.ValueOf(x).Convert(v.Type()))
	return nil
}

// decode sets v (addressable) from n; what names the keys in errors about
// unknown ones ("key", "parameter of 2pc").
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path, what string) error {
	d.lines[path] = n.Line
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return d.errAt(n.Line, path, "anchors and aliases are not supported")
	}
	t := v.Type()
	switch {
	case t == nodeType:
		v.Set(reflect.ValueOf(*n))
		return nil
	case t == durationType || t == faultsDurationType:
		return d.parsed(n, v, path, "a duration such as 150ms", func(s string) (any, error) { return time.ParseDuration(s) })
	case reflect.PointerTo(t).Implements(textUnmarshaler):
		s, err := d.scalar(n, path, "text")
		if err != nil {
			return err
		}
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			return d.errAt(n.Line, path, "%v", err)
		}
		return nil
	case reflect.PointerTo(t).Implements(jsonUnmarshaler):
		s, err := d.scalar(n, path, "a value")
		if err != nil {
			return err
		}
		raw := []byte(s)
		if n.Tag == "!!str" {
			raw, _ = json.Marshal(s)
		}
		if err := v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(raw); err != nil {
			return d.errAt(n.Line, path, "%v", err)
		}
		return nil
	}
	switch t.Kind() {
	case reflect.String:
		s, err := d.scalar(n, path, "text")
		if err != nil {
			return err
		}
		v.SetString(s)
	case reflect.Bool:
		// A quoted "true" is a string, not a bool.
		return d.parsed(n, v, path, "true or false", func(s string) (any, error) {
			if n.Tag != "!!bool" {
				return nil, strconv.ErrSyntax
			}
			return strconv.ParseBool(s)
		})
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return d.parsed(n, v, path, "a whole number", func(s string) (any, error) { return strconv.ParseInt(s, 10, t.Bits()) })
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return d.parsed(n, v, path, "a whole number not below 0", func(s string) (any, error) { return strconv.ParseUint(s, 10, t.Bits()) })
	case reflect.Float32, reflect.Float64:
		return d.parsed(n, v, path, "a number", func(s string) (any, error) {
			if n.Tag != "!!float" && n.Tag != "!!int" {
				return nil, strconv.ErrSyntax
			}
			return strconv.ParseFloat(s, t.Bits())
		})
	case reflect.Slice:
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			v.SetZero()
			return nil
		}
		if n.Kind != yaml.SequenceNode {
			return d.errAt(n.Line, path, "want a list, got %s", kindName(n))
		}
		s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
		for i, c := range n.Content {
			if err := d.decode(c, s.Index(i), fmt.Sprintf("%s[%d]", path, i), what); err != nil {
				return err
			}
		}
		v.Set(s)
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return fmt.Errorf("scenarios: cannot decode %v", t) // a build mistake, not bad input
		}
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			v.SetZero()
			return nil
		}
		if n.Kind != yaml.MappingNode {
			return d.errAt(n.Line, path, "want a mapping, got %s", kindName(n))
		}
		m := reflect.MakeMapWithSize(t, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			key, err := d.scalar(k, path, "a key")
			if err != nil {
				return err
			}
			kv := reflect.ValueOf(key).Convert(t.Key())
			if m.MapIndex(kv).IsValid() {
				return d.errAt(k.Line, path+"."+key, "given twice")
			}
			e := reflect.New(t.Elem()).Elem()
			if err := d.decode(val, e, path+"."+key, what); err != nil {
				return err
			}
			m.SetMapIndex(kv, e)
		}
		v.Set(m)
	case reflect.Pointer:
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			v.SetZero()
			return nil
		}
		p := reflect.New(t.Elem())
		if !v.IsNil() {
			p.Elem().Set(v.Elem())
		}
		if err := d.decode(n, p.Elem(), path, what); err != nil {
			return err
		}
		v.Set(p)
	case reflect.Struct:
		return d.decodeStruct(n, v, path, what)
	default:
		return fmt.Errorf("scenarios: cannot decode %v", t)
	}
	return nil
}

// decodeStruct sets the fields n names and leaves the others as they are,
// so v's prior value is the default of every field the file leaves out.
func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path, what string) error {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return d.errAt(n.Line, path, "want a mapping, got %s", kindName(n))
	}
	fields := fieldsOf(v.Type())
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		key, err := d.scalar(k, path, "a key")
		if err != nil {
			return err
		}
		sub := key
		if path != "" {
			sub = path + "." + key
		}
		f, ok := fieldByKey(fields, key)
		if !ok {
			return d.errAt(k.Line, sub, "unknown %s%s", what, knownKeys(fields, key))
		}
		if seen[key] {
			return d.errAt(k.Line, sub, "given twice")
		}
		seen[key] = true
		if err := d.decode(val, v.FieldByIndex(f.index), sub, what); err != nil {
			return err
		}
		d.lines[sub] = k.Line
	}
	return nil
}

func knownKeys(fields []field, key string) string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.key
	}
	if len(names) == 0 {
		return " (it takes none)"
	}
	return fmt.Sprintf(" (did you mean %q? known: %s)", obs.Closest(key, names), strings.Join(names, ", "))
}

// field is one settable field of a struct as a file names it.
type field struct {
	key       string
	index     []int
	omitEmpty bool
}

func fieldByKey(fs []field, key string) (field, bool) {
	for _, f := range fs {
		if f.key == key {
			return f, true
		}
	}
	return field{}, false
}

// fieldsOf lists a struct's fields as a file names them: the yaml tag's
// name, or the Go name in kebab case (VoteTimeout: vote-timeout); embedded
// structs are flattened, unexported fields and planted-bug sets (given as
// a list of names elsewhere) left out.
func fieldsOf(t reflect.Type) []field {
	var out []field
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || f.Type == plantSetType {
			continue
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct && name == "" {
			for _, sub := range fieldsOf(f.Type) {
				sub.index = append([]int{i}, sub.index...)
				out = append(out, sub)
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = obs.Kebab(f.Name)
		}
		omit := strings.Contains(opts, "omitempty") || strings.Contains(f.Tag.Get("json"), "omitempty")
		out = append(out, field{key: name, index: []int{i}, omitEmpty: omit})
	}
	return out
}

// encode is the yaml node of v. With sparse, fields at their zero value
// are left out (a file reads them as zero); otherwise every field is
// written, so the file does not depend on defaults.
func encode(v reflect.Value, sparse bool) *yaml.Node {
	t := v.Type()
	switch {
	case t == durationType || t == faultsDurationType:
		return str(time.Duration(v.Int()).String())
	case t.Implements(textMarshaler):
		b, err := v.Interface().(encoding.TextMarshaler).MarshalText()
		if err != nil {
			panic(fmt.Sprintf("scenarios: %v: %v", t, err))
		}
		return str(string(b))
	case t.Implements(jsonMarshaler) && t.Kind() != reflect.Struct:
		b, err := v.Interface().(json.Marshaler).MarshalJSON()
		if err != nil {
			panic(fmt.Sprintf("scenarios: %v: %v", t, err))
		}
		var s string
		if json.Unmarshal(b, &s) == nil {
			return str(s)
		}
		return plain(string(b))
	}
	switch t.Kind() {
	case reflect.String:
		return str(v.String())
	case reflect.Bool:
		return plain(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return plain(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return plain(strconv.FormatUint(v.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		return plain(strconv.FormatFloat(v.Float(), 'g', -1, t.Bits()))
	case reflect.Slice:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		flow := true
		for i := range v.Len() {
			c := encode(v.Index(i), sparse)
			flow = flow && (c.Kind == yaml.ScalarNode || (c.Kind == yaml.SequenceNode && c.Style == yaml.FlowStyle))
			n.Content = append(n.Content, c)
		}
		if flow {
			n.Style = yaml.FlowStyle
		}
		return n
	case reflect.Map:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle}
		keys := v.MapKeys()
		ks := make([]string, len(keys))
		for i, k := range keys {
			ks[i] = k.String()
		}
		slices.Sort(ks)
		for _, k := range ks {
			n.Content = append(n.Content, str(k), encode(v.MapIndex(reflect.ValueOf(k).Convert(t.Key())), sparse))
		}
		return n
	case reflect.Pointer:
		if v.IsNil() {
			return plain("null")
		}
		return encode(v.Elem(), sparse)
	case reflect.Struct:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, f := range fieldsOf(t) {
			fv := v.FieldByIndex(f.index)
			if (sparse || f.omitEmpty) && fv.IsZero() {
				continue
			}
			n.Content = append(n.Content, str(f.key), encode(fv, sparse))
		}
		if t == reflect.TypeOf(faults.Action{}) {
			n.Style = yaml.FlowStyle
		}
		return n
	}
	panic(fmt.Sprintf("scenarios: cannot encode %v", t))
}

func str(s string) *yaml.Node   { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }
func plain(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: s} }

// mapping builds a block mapping from key, value pairs, leaving out nil
// values.
func mapping(kv ...any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for i := 0; i+1 < len(kv); i += 2 {
		v, _ := kv[i+1].(*yaml.Node)
		if v == nil {
			continue
		}
		n.Content = append(n.Content, str(kv[i].(string)), v)
	}
	return n
}
