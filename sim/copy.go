package sim

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"unsafe"
)

// copyIn is the value a Put stores: v itself when v's type holds no
// references (an interface value of such a type is already a private copy,
// since nothing can change a boxed value), a deep copy otherwise. A value
// that is not plain data panics, naming the key.
func copyIn(key string, v any) any {
	switch v.(type) {
	case nil:
		panic(fmt.Errorf("sim: Put %q: a nil value cannot be stored (store a typed zero value, or Delete the key)", strings.Clone(key)))
	case bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64, string:
		return v
	}
	t := reflect.TypeOf(v)
	p := planFor(t)
	if p.err != "" {
		panic(fmt.Errorf("sim: Put %q: a %v cannot be stored: %s; durable values are plain data", strings.Clone(key), t, p.err))
	}
	if p.flat {
		return v
	}
	if p.slices != nil {
		return p.copyRecord(v)
	}
	return deepCopy(key, reflect.ValueOf(v)).Interface()
}

// copyOut is the value a read hands out: a copy, so that changing a loaded
// slice or map does not change the store behind the node's back. copied
// is false when v is handed out as is (it holds no references).
func copyOut(v any) (c any, copied bool) {
	switch v.(type) {
	case bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64, string:
		return v, false
	}
	p := planFor(reflect.TypeOf(v))
	if p.flat {
		return v, false
	}
	if p.slices != nil {
		return p.copyRecord(v), true
	}
	return deepCopy("", reflect.ValueOf(v)).Interface(), true
}

// plan is what copying needs to know of a type, worked out once per type.
type plan struct {
	flat bool   // no slice, map or interface inside: assignment copies it fully
	err  string // why the type cannot be stored, or ""
	// A record — a struct whose only references are slices of flat
	// elements, in it or in structs inside it, the usual shape of a log
	// record — is copied by copyRecord: one allocation for the struct and
	// one per non-empty slice, with none of reflection's boxing. typ is
	// its type word in an interface; slices locates its slices.
	typ    unsafe.Pointer
	slices []sliceField
}

type sliceField struct {
	index  []int          // for reflect.Value.FieldByIndex
	offset uintptr        // from the start of the struct
	elem   reflect.Type   // flat
	key    unsafe.Pointer // elem's typeKey, for the slice cache
	// arrays[n] is [n]elem for the short lengths most slices have, made
	// when the plan is, so a copy need not look the type up.
	arrays [9]reflect.Type
}

// sliceHeader is the layout of a slice value.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

// recordSlices lists the slices of a struct type that is a record (see
// plan), or returns false.
func recordSlices(t reflect.Type, index []int, base uintptr, out []sliceField) ([]sliceField, bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if planFor(f.Type).flat {
			continue
		}
		at := append(append([]int(nil), index...), i)
		switch {
		case f.Type.Kind() == reflect.Slice && planFor(f.Type.Elem()).flat:
			sf := sliceField{index: at, offset: base + f.Offset, elem: f.Type.Elem(), key: typeKey(f.Type.Elem())}
			for n := 1; n < len(sf.arrays); n++ {
				sf.arrays[n] = reflect.ArrayOf(n, sf.elem)
			}
			out = append(out, sf)
		case f.Type.Kind() == reflect.Struct:
			var ok bool
			if out, ok = recordSlices(f.Type, at, base+f.Offset, out); !ok {
				return nil, false
			}
		default:
			return nil, false
		}
	}
	return out, true
}

// copyRecord copies v, a record (p.slices != nil): a new struct holding
// v's fields, then a new backing array for each slice. The copy is
// returned as an interface pointing at the new struct, which nothing else
// refers to, as boxing it would give, without a third copy.
func (p *plan) copyRecord(v any) any {
	src := reflect.ValueOf(v)
	n := reflect.New(src.Type())
	n.Elem().Set(src)
	dst := n.UnsafePointer()
	p.copySlices(dst, src, nil)
	var x any
	e := (*eface)(unsafe.Pointer(&x))
	e.typ, e.data = p.typ, dst
	return x
}

// copySlices gives the record at dst, a private copy of src, slices of
// its own: a new backing array for each of src's non-empty slices, or one
// the cache holds with the same content.
func (p *plan) copySlices(dst unsafe.Pointer, src reflect.Value, cache sliceCache) {
	for i := range p.slices {
		f := &p.slices[i]
		sv := src.FieldByIndex(f.index)
		h := (*sliceHeader)(unsafe.Add(dst, f.offset))
		switch l := sv.Len(); {
		case sv.IsNil():
		case l == 0:
			h.cap = 0 // nothing of the original is reachable through it
		default:
			recent := cache[f.key]
			if data := recent.find(sv.UnsafePointer(), l, f.elem.Size()); data != nil {
				h.data, h.len, h.cap = data, l, l
				continue
			}
			var at reflect.Type
			if l < len(f.arrays) {
				at = f.arrays[l]
			} else {
				at = reflect.ArrayOf(l, f.elem)
			}
			arr := reflect.New(at)
			reflect.Copy(arr.Elem(), sv)
			h.data, h.len, h.cap = arr.UnsafePointer(), l, l
			if cache != nil {
				if recent == nil {
					recent = &recentCopies{}
					cache[f.key] = recent
				}
				recent.add(sliceCopy{data: h.data, len: l})
			}
		}
	}
}

// sliceCache holds, per element type, the last few slices a world's
// records were given by copySlices. A record written again with the same slice
// content — a log record rewritten, the list of participants every node
// of a transaction stores — shares that stored copy, which nothing ever
// changes (reads hand out copies), instead of making another.
type sliceCache map[unsafe.Pointer]*recentCopies // by typeKey of the element type

type sliceCopy struct {
	data unsafe.Pointer
	len  int
}

// recentCopies is a small ring: records of the transactions in flight at
// once take turns. Sixteen hold the participant lists of a bank
// workload's transactions (with four they evicted one another); a miss
// costs a length compare each.
type recentCopies struct {
	c    [16]sliceCopy
	next int
}

func (r *recentCopies) add(c sliceCopy) {
	r.c[r.next] = c
	r.next = (r.next + 1) % len(r.c)
}

// find returns a copy holding the n elements at src, or nil.
func (r *recentCopies) find(src unsafe.Pointer, n int, elemSize uintptr) unsafe.Pointer {
	if r == nil {
		return nil
	}
	for _, c := range r.c {
		if c.data != nil && c.len == n && c.equal(src, elemSize) {
			return c.data
		}
	}
	return nil
}

// equal reports whether the len elements at src are bytewise those of
// the copy. Equal bytes are equal content (a string's bytes are its
// pointer and length); different bytes only cost a copy.
func (c sliceCopy) equal(src unsafe.Pointer, elemSize uintptr) bool {
	n := uintptr(c.len) * elemSize
	return bytes.Equal(unsafe.Slice((*byte)(c.data), n), unsafe.Slice((*byte)(src), n))
}

// plans caches plan by reflect.Type. Worlds run in parallel in sweeps, so
// the cache is shared safely; it only saves work and never changes a result.
var plans sync.Map

func planFor(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	p := analyze(t, map[reflect.Type]bool{})
	if t.Kind() == reflect.Struct && !p.flat && p.err == "" && !pointerShaped(t) {
		if slices, ok := recordSlices(t, nil, 0, nil); ok && len(slices) > 0 {
			p.slices = slices
			zero := reflect.Zero(t).Interface()
			p.typ = (*eface)(unsafe.Pointer(&zero)).typ
		}
	}
	plans.Store(t, &p)
	return &p
}

// analyze works out a type's plan. visiting breaks recursive types, which
// can only recurse through a slice, map, interface or pointer and so are
// never flat.
func analyze(t reflect.Type, visiting map[reflect.Type]bool) plan {
	if visiting[t] {
		return plan{}
	}
	visiting[t] = true
	defer delete(visiting, t)
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128, reflect.String:
		return plan{flat: true}
	case reflect.Array:
		e := analyze(t.Elem(), visiting)
		if e.err != "" {
			return plan{err: "element: " + e.err}
		}
		return plan{flat: e.flat || t.Len() == 0}
	case reflect.Slice:
		if e := analyze(t.Elem(), visiting); e.err != "" {
			return plan{err: "element: " + e.err}
		}
		return plan{}
	case reflect.Map:
		if k := analyze(t.Key(), visiting); k.err != "" {
			return plan{err: "map key: " + k.err}
		}
		if e := analyze(t.Elem(), visiting); e.err != "" {
			return plan{err: "map value: " + e.err}
		}
		return plan{}
	case reflect.Interface:
		return plan{} // what it holds is checked when a value is copied
	case reflect.Struct:
		flat := true
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			p := analyze(f.Type, visiting)
			if p.err != "" {
				return plan{err: "field " + f.Name + ": " + p.err}
			}
			if !p.flat && !f.IsExported() {
				// Copying it would take package unsafe; an encoder such as
				// gob would drop it silently. Refusing it is clearer.
				return plan{err: fmt.Sprintf("unexported field %s holds a %v, which must be copied; export the field", f.Name, f.Type)}
			}
			flat = flat && p.flat
		}
		return plan{flat: flat}
	default: // pointer, unsafe pointer, func, chan
		return plan{err: fmt.Sprintf("%v is a %v", t, t.Kind())}
	}
}

// deepCopy copies v, whose type has been analyzed without error; key only
// names the value if an interface inside it holds something unstorable.
func deepCopy(key string, v reflect.Value) reflect.Value {
	t := v.Type()
	if planFor(t).flat {
		return v
	}
	switch t.Kind() {
	case reflect.Slice:
		if v.IsNil() {
			return reflect.Zero(t)
		}
		n := reflect.MakeSlice(t, v.Len(), v.Len())
		if planFor(t.Elem()).flat {
			reflect.Copy(n, v)
			return n
		}
		for i := 0; i < v.Len(); i++ {
			n.Index(i).Set(deepCopy(key, v.Index(i)))
		}
		return n
	case reflect.Array:
		n := reflect.New(t).Elem()
		for i := 0; i < v.Len(); i++ {
			n.Index(i).Set(deepCopy(key, v.Index(i)))
		}
		return n
	case reflect.Map:
		if v.IsNil() {
			return reflect.Zero(t)
		}
		n := reflect.MakeMapWithSize(t, v.Len())
		for it := v.MapRange(); it.Next(); {
			n.SetMapIndex(deepCopy(key, it.Key()), deepCopy(key, it.Value()))
		}
		return n
	case reflect.Struct:
		n := reflect.New(t).Elem()
		n.Set(v)
		for i := 0; i < t.NumField(); i++ {
			if !planFor(t.Field(i).Type).flat {
				n.Field(i).Set(deepCopy(key, v.Field(i)))
			}
		}
		return n
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		e := v.Elem()
		p := planFor(e.Type())
		if p.err != "" {
			panic(fmt.Errorf("sim: Put %q: a %v inside a %v cannot be stored: %s; durable values are plain data", strings.Clone(key), e.Type(), t, p.err))
		}
		if p.flat {
			return v
		}
		n := reflect.New(t).Elem()
		n.Set(deepCopy(key, e))
		return n
	}
	return v
}
