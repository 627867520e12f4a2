package sim

import (
	"fmt"
	"reflect"
	"runtime"
	"strconv"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"
)

type arenaMsg struct {
	Txn  string
	Ops  []int
	N    int64
	Done bool
}

func (m arenaMsg) String() string { return fmt.Sprintf("%s %v %d %t", m.Txn, m.Ops, m.N, m.Done) }

type onePointer struct{ p *int }

type empty struct{}

// Values boxed through an arena read back as what was boxed, compare
// equal to plainly boxed ones, survive garbage collection and later
// changes to the original, across many blocks — for pointer-shaped and
// empty types too, which are boxed plainly.
func TestArenaBoxesAreOrdinaryInterfaceValues(t *testing.T) {
	w := newWorld(t, Config{})
	var boxed []any
	ops := []int{1, 2}
	for i := range 3 * arenaChunk {
		boxed = append(boxed, box(w, arenaMsg{Txn: fmt.Sprint("t", i), Ops: ops, N: int64(i), Done: i%2 == 0}))
	}
	x := 7
	direct := []any{box(w, &x), box(w, onePointer{&x}), box(w, [1]*int{&x}), box(w, map[string]int{"a": 1}), box(w, empty{}),
		box(w, int64(1)<<40), box(w, "str"), box(w, true)}
	ops[0] = 99 // the boxed messages share the slice, as plain boxing does
	runtime.GC()
	for i, b := range boxed {
		m, ok := b.(arenaMsg)
		require.True(t, ok)
		require.Equal(t, arenaMsg{Txn: fmt.Sprint("t", i), Ops: ops, N: int64(i), Done: i%2 == 0}, m)
		require.Equal(t, fmt.Sprintf("t%d [99 2] %d %t", i, i, i%2 == 0), fmt.Sprint(b))
	}
	require.Equal(t, &x, direct[0].(*int))
	require.Equal(t, onePointer{&x}, direct[1])
	require.Equal(t, [1]*int{&x}, direct[2])
	require.Equal(t, map[string]int{"a": 1}, direct[3])
	require.Equal(t, any(empty{}), direct[4])
	require.True(t, direct[5] == any(int64(1)<<40), "comparable boxes compare as plain ones")
	require.True(t, direct[6] == any("str"))
	require.True(t, direct[7] == any(true))
	require.True(t, box(w, onePointer{}) == any(onePointer{}))
}

func TestPointerShapedFollowsTheCompilersRule(t *testing.T) {
	for v, want := range map[any]bool{
		new(int): true, onePointer{}: true, [1]*int{}: true, struct{ c chan int }{}: true,
		struct {
			p *int
			q *int
		}{}: false,
		struct {
			p *int
			_ [0]int
		}{}: false,
		[2]*int{}: false, 3: false, "s": false, empty{}: false, struct{ s string }{}: false,
	} {
		require.Equal(t, want, pointerShaped(reflect.TypeOf(v)), "%T", v)
	}
}

// A message sent twice (the network duplicates) and a fact recorded
// through the arena reach the node and the history as sent.
func TestSendAndObserveThroughTheArena(t *testing.T) {
	w := newWorld(t, Config{Seed: 3, Network: Link{Latency: time.Millisecond, Duplicate: 1}})
	var got []arenaMsg
	w.AddNode("a", func() Node {
		return &recorder{onStart: func(env *Env) {
			for i := range 200 {
				Send(env, 1, arenaMsg{Txn: fmt.Sprint("t", i), N: int64(i)})
			}
			Observe(env, note{"sent"})
		}}
	})
	w.AddNode("b", func() Node {
		return &recorder{onMsg: func(env *Env, from NodeID, m Message) { got = append(got, m.(arenaMsg)) }}
	})
	w.Run()
	require.Len(t, got, 400, "each delivered twice")
	for i, m := range got {
		require.Equal(t, int64(i/2), m.N)
		require.Equal(t, fmt.Sprint("t", i/2), m.Txn)
	}
	require.Contains(t, observed(w, "a"), "sent")
}

func TestArenaSendAllocatesAboutOncePerBlock(t *testing.T) {
	w := newWorld(t, Config{NoTrace: true})
	w.AddNode("a", func() Node { return &recorder{} })
	w.Run()
	env := w.procs[0].env
	m := quickMsg{Txn: "t1", N: 1}
	Send(env, 0, m) // makes the arena
	allocs := testing.AllocsPerRun(10*arenaChunk, func() { Send(env, 0, m) })
	require.Less(t, allocs, 0.1, "about a block per %d sends, and the queue's growth", arenaChunk)
}

// quickMsg writes its own trace text, as a protocol's hot messages do.
type quickMsg struct {
	Txn string
	N   int64
}

func (m quickMsg) String() string { return string(m.AppendTrace(nil)) }
func (m quickMsg) AppendTrace(b []byte) []byte {
	return strconv.AppendInt(append(append(b, m.Txn...), ' '), m.N, 10)
}

// sim.Put stores what Env.Put stores — a private copy — for flat values,
// records and other values alike, and refuses what Env.Put refuses.
func TestTypedPutCopiesAsPutDoes(t *testing.T) {
	ops, peers := []logOp{{"a", -5}}, []string{"p1", "p2"}
	w := storeWorld(t, func(env *Env) {
		Put(env, "n", int64(1)<<40)
		Put(env, "rec", logRec{Txn: "t1", Ops: ops, Peers: peers, Empty: []int{}})
		Put(env, "map", map[string]int{"a": 1})
		Put[any](env, "any", []string{"x"})
		ops[0].Delta, peers[0] = 99, "changed"
	})
	s := w.Store(0)
	n, _ := LoadFrom[int64](s, "n")
	require.Equal(t, int64(1)<<40, n)
	rec, _ := LoadFrom[logRec](s, "rec")
	require.Equal(t, logRec{Txn: "t1", Ops: []logOp{{"a", -5}}, Peers: []string{"p1", "p2"}, Empty: []int{}}, rec)
	m, _ := LoadFrom[map[string]int](s, "map")
	require.Equal(t, map[string]int{"a": 1}, m)
	x, _ := LoadFrom[[]string](s, "any")
	require.Equal(t, []string{"x"}, x)
	require.Equal(t, 4, s.Writes())

	require.PanicsWithError(t, `sim: Put "p": a *int cannot be stored: *int is a ptr; durable values are plain data`, func() {
		storeWorld(t, func(env *Env) { Put(env, "p", new(int)) })
	})
}

func TestTypedPutAllocatesOnlyTheSlices(t *testing.T) {
	w := storeWorld(t, func(env *Env) {})
	env := w.procs[0].env
	rec := logRec{Txn: "t1", Ops: []logOp{{"a", -5}}, Peers: []string{"p1"}}
	Put(env, "rec", rec)
	Put(env, "n", int64(1000))
	require.Zero(t, testing.AllocsPerRun(100, func() { Put(env, "n", int64(1000)) }), "a flat value")
	require.Zero(t, testing.AllocsPerRun(100, func() { Put(env, "rec", rec) }), "a record written again: its slices shared")
	i := int64(0)
	require.LessOrEqual(t, testing.AllocsPerRun(100, func() {
		i++
		rec.Ops[0].Delta, rec.Peers[0] = i, "p1"
		Put(env, "rec", rec)
	}), 1.05, "a record with new ops: a copy of them only")
}

// Records sharing a stored slice copy keep their own content when the
// slice they were written from changes.
func TestSharedSliceCopiesStayPrivate(t *testing.T) {
	peers := []string{"p1", "p2"}
	w := storeWorld(t, func(env *Env) {
		Put(env, "a", logRec{Txn: "a", Peers: peers})
		Put(env, "b", logRec{Txn: "b", Peers: peers})
		peers[0] = "changed"
		Put(env, "c", logRec{Txn: "c", Peers: peers})
	})
	s := w.Store(0)
	for k, want := range map[string][]string{"a": {"p1", "p2"}, "b": {"p1", "p2"}, "c": {"changed", "p2"}} {
		r, _ := LoadFrom[logRec](s, k)
		require.Equal(t, want, r.Peers, k)
	}
	a, _ := s.get("a")
	b, _ := s.get("b")
	require.Equal(t, unsafe.SliceData(a.(logRec).Peers), unsafe.SliceData(b.(logRec).Peers), "a and b share one stored copy")
}

// TestEachTypeKeepsItsOwnArena checks the arena key: each type gets an
// arena of its own, found again on the next use (were the key the same
// for every type, each use of another type would replace the arena and
// every value would cost a block).
func TestEachTypeKeepsItsOwnArena(t *testing.T) {
	w, err := New(Config{})
	require.NoError(t, err)
	a, b := arenaFor[arenaMsg](w), arenaFor[note](w)
	for range 3 {
		require.Same(t, a, arenaFor[arenaMsg](w))
		require.Same(t, b, arenaFor[note](w))
	}
	require.Len(t, w.arenas, 2)
}
