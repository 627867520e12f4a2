package sim

import "time"

type itemKind uint8

const (
	itemStart itemKind = iota
	itemDeliver
	itemTimer
	itemFault
	itemResume
)

// item is one pending event. Items are kept by value in a hand-written
// binary heap: container/heap's interface calls cost more than the rest of
// the event loop at the throughput the kernel aims for.
type item struct {
	at      time.Duration
	seq     uint64
	kind    itemKind
	node    NodeID // receiver, timer owner, or node to start
	from    NodeID
	inc     uint32 // incarnation of the timer owner, or of a paused receiver
	held    bool   // a delivery held back while its receiver was paused
	id      uint64 // message or timer id
	payload any    // Message, timer tag, or Fault
}

func (a *item) less(b *item) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.seq < b.seq
}

type queue struct{ h []item }

func (q *queue) len() int { return len(q.h) }

func (q *queue) push(it item) {
	q.h = append(q.h, it)
	i := len(q.h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !q.h[i].less(&q.h[p]) {
			break
		}
		q.h[i], q.h[p] = q.h[p], q.h[i]
		i = p
	}
}

func (q *queue) peek() *item { return &q.h[0] }

func (q *queue) pop() item {
	top := q.h[0]
	n := len(q.h) - 1
	q.h[0] = q.h[n]
	q.h[n] = item{}
	q.h = q.h[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && q.h[r].less(&q.h[l]) {
			m = r
		}
		if !q.h[m].less(&q.h[i]) {
			break
		}
		q.h[i], q.h[m] = q.h[m], q.h[i]
		i = m
	}
	return top
}
