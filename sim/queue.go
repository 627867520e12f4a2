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
// the event loop at the throughput the kernel aims for. An item holds no
// pointer — its payload waits in the queue's payloads, at slot — so
// moving items in the heap needs no write barriers and the collector
// never scans the heap array.
type item struct {
	at   time.Duration
	seq  uint64
	id   uint64 // message or timer id
	node NodeID // receiver, timer owner, or node to start
	from NodeID
	inc  uint32 // incarnation of the timer owner, or of a paused receiver
	slot int32  // payloads index + 1 of the Message, timer tag or Fault; 0: none
	kind itemKind
	held bool // a delivery held back while its receiver was paused
}

func (a *item) less(b *item) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.seq < b.seq
}

type queue struct {
	h        []item
	payloads []any
	free     []int32 // free payload slots
}

func (q *queue) len() int { return len(q.h) }

func (q *queue) push(it item, payload any) {
	it.slot = 0
	if payload != nil {
		if n := len(q.free); n > 0 {
			it.slot, q.free = q.free[n-1]+1, q.free[:n-1]
			q.payloads[it.slot-1] = payload
		} else {
			q.payloads = append(q.payloads, payload)
			it.slot = int32(len(q.payloads))
		}
	}
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

// pop removes the first item and hands over its payload.
func (q *queue) pop() (item, any) {
	top := q.h[0]
	var payload any
	if top.slot > 0 {
		payload = q.payloads[top.slot-1]
		q.payloads[top.slot-1] = nil
		q.free = append(q.free, top.slot-1)
	}
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
	return top, payload
}
