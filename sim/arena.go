package sim

import (
	"fmt"
	"reflect"
	"time"
	"unsafe"
)

// Send is Env.Send for a message whose type is known where it is sent.
// Env.Send takes the message as an interface, so the caller boxes it on
// the heap, one allocation per send; Send instead copies it into the
// world's arena for its type, a block of messages allocated at once. The
// message stays immutable once sent, as with Env.Send: its arena slot is
// written once, never reused, and lives while anything refers to it (a
// second delivery, the trace, a checker).
func Send[M Message](e *Env, to NodeID, m M) {
	if e.dead {
		return
	}
	e.Send(to, box(e.w, m).(Message))
}

// Observe is Env.Observe for a fact whose type is known where it is
// recorded; like Send, it keeps the fact in the world's arena for its
// type instead of boxing it by itself.
func Observe[F fmt.Stringer](e *Env, f F) {
	if e.dead {
		return
	}
	e.Observe(box(e.w, f).(fmt.Stringer))
}

// SetTimer is Env.SetTimer for a tag whose type is known where the timer
// is set; like Send, it keeps the tag in the world's arena for its type.
func SetTimer[T any](e *Env, d time.Duration, tag T) TimerID {
	if e.dead {
		return 0
	}
	return e.SetTimer(d, box(e.w, tag))
}

// Put is Env.Put for a value whose type is known where it is written:
// the stored copy is made in the world's arena for its type rather than
// boxed by itself, so a write of a flat value allocates nothing and a
// record (see plan) only its slices. It copies, checks and panics as
// Env.Put does.
func Put[T any](e *Env, key string, v T) {
	if !e.beginWrite() { // the same accounting as Env.Put (the golden hashes of the mid-crash scenarios depend on it)
		return
	}
	e.p.store.putCopied(key, arenaFor[T](e.w).stored(e.w, key, v))
	e.wrote(EffPut, key)
}

// stored is the copy of v a Put keeps (copyIn's, made in the arena).
func (a *arena[T]) stored(w *World, key string, v T) any {
	if a.plan == nil {
		a.plan = planFor(reflect.TypeFor[T]())
	}
	p := a.plan
	switch {
	case p.err != "" || a.direct:
		return copyIn(key, v)
	case p.flat:
		return a.box(v)
	case p.slices != nil:
		x := a.box(v) // a private copy of the struct, its slices still shared
		if w.slices == nil {
			w.slices = sliceCache{}
		}
		p.copySlices((*eface)(unsafe.Pointer(&x)).data, reflect.ValueOf(x), w.slices)
		return x
	}
	return copyIn(key, v)
}

// arenaChunk is how many values of one type an arena block holds at
// most; the first blocks are smaller, so a type used a few times in a run
// costs little.
const (
	arenaChunk = 128
	arenaFirst = 8
)

// arena keeps values of one type T for interface values that point into
// it. An interface holding a T that is not pointer-shaped is a type word
// and a pointer to a copy of the T that nothing ever writes again; box
// makes exactly that, with the copy in the current block instead of an
// allocation of its own.
type arena[T any] struct {
	block []T
	typ   unsafe.Pointer // T's type word in an interface
	// direct: T is pointer-shaped (held in the interface word itself) or
	// of size 0; boxing it allocates nothing, so box does it plainly.
	direct bool
	plan   *plan // T's, once a Put needs it
}

// eface is the layout of an empty interface value.
type eface struct {
	typ, data unsafe.Pointer
}

func newArena[T any]() *arena[T] {
	a := &arena[T]{}
	t := reflect.TypeFor[T]()
	if t.Size() == 0 || pointerShaped(t) {
		a.direct = true
		return a
	}
	var zero any = *new(T)
	a.typ = (*eface)(unsafe.Pointer(&zero)).typ
	return a
}

// pointerShaped reports whether an interface holds a t in its data word
// itself rather than a pointer to it: the compiler's rule (a pointer, map,
// channel, func or unsafe pointer, or a struct or array of one element
// that is).
func pointerShaped(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.UnsafePointer, reflect.Map, reflect.Chan, reflect.Func:
		return true
	case reflect.Struct:
		return t.NumField() == 1 && pointerShaped(t.Field(0).Type)
	case reflect.Array:
		return t.Len() == 1 && pointerShaped(t.Elem())
	}
	return false
}

func (a *arena[T]) box(v T) any {
	if a.direct {
		return v
	}
	if len(a.block) == cap(a.block) {
		a.block = make([]T, 0, min(arenaChunk, max(arenaFirst, 2*cap(a.block))))
	}
	a.block = append(a.block, v)
	var x any
	e := (*eface)(unsafe.Pointer(&x))
	e.typ, e.data = a.typ, unsafe.Pointer(&a.block[len(a.block)-1])
	return x
}

// box returns v as an interface value kept in w's arena for its type.
func box[T any](w *World, v T) any { return arenaFor[T](w).box(v) }

// typeKey is t's type descriptor's address, which identifies the type
// as t does, as a map key that hashes as one word.
func typeKey(t reflect.Type) unsafe.Pointer {
	return (*eface)(unsafe.Pointer(&t)).data // reflect.Type's data word: the *rtype
}

func arenaFor[T any](w *World) *arena[T] {
	// Keyed by the type descriptor's address rather than by the
	// reflect.Type interface: hashing an interface key costs a type switch
	// and a hash of its own on every typed send, fact and write.
	key := typeKey(reflect.TypeFor[T]())
	a, ok := w.arenas[key].(*arena[T])
	if !ok {
		a = newArena[T]()
		if w.arenas == nil {
			w.arenas = map[unsafe.Pointer]any{}
		}
		w.arenas[key] = a
	}
	return a
}
