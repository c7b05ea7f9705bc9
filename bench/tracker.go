package bench

import (
	"fmt"
	"math/bits"
	"sync"
	"sync/atomic"
)

// SeqRange is an inclusive range of sequences of one producer.
type SeqRange struct {
	Producer int   `json:"producer"`
	From     int64 `json:"from"`
	To       int64 `json:"to"`
}

// String formats the range as "producer/from-to" (or "producer/seq").
func (r SeqRange) String() string {
	if r.From == r.To {
		return fmt.Sprintf("%d/%d", r.Producer, r.From)
	}
	return fmt.Sprintf("%d/%d-%d", r.Producer, r.From, r.To)
}

// Tracker records, per producer, which sequences were acknowledged by the
// broker and which were received by a consumer, in two bitmaps (one bit per
// sequence: 1M records cost 256 KiB). It finds gaps (acknowledged, never
// received) and duplicates (received more than once).
//
// MarkAcked and MarkReceived are safe for concurrent use and lock-free; the
// reporting methods may run concurrently with them.
type Tracker struct {
	perProducer int64
	acked       [][]uint64
	received    [][]uint64

	dups     atomic.Int64
	dupMu    sync.Mutex
	dupFirst []SeqRange // first few duplicate sequences
}

// NewTracker returns a tracker for producers producers, each sending at most
// perProducer sequences numbered from 0.
func NewTracker(producers int, perProducer int64) *Tracker {
	words := (perProducer + 63) / 64
	t := &Tracker{
		perProducer: perProducer,
		acked:       make([][]uint64, producers),
		received:    make([][]uint64, producers),
	}
	for p := range producers {
		t.acked[p] = make([]uint64, words)
		t.received[p] = make([]uint64, words)
	}
	return t
}

// Has reports whether (producer, seq) is within the tracker's range.
func (t *Tracker) Has(producer int, seq int64) bool {
	return producer >= 0 && producer < len(t.acked) && seq >= 0 && seq < t.perProducer
}

// MarkAcked records that the broker acknowledged (producer, seq). It returns
// false if the pair is out of range.
func (t *Tracker) MarkAcked(producer int, seq int64) bool {
	if !t.Has(producer, seq) {
		return false
	}
	atomic.OrUint64(&t.acked[producer][seq>>6], 1<<(uint64(seq)&63))
	return true
}

// MarkReceived records that a consumer received (producer, seq). dup is true
// if it had been received before; ok is false if the pair is out of range.
func (t *Tracker) MarkReceived(producer int, seq int64) (dup, ok bool) {
	if !t.Has(producer, seq) {
		return false, false
	}
	bit := uint64(1) << (uint64(seq) & 63)
	if atomic.OrUint64(&t.received[producer][seq>>6], bit)&bit == 0 {
		return false, true
	}
	if t.dups.Add(1) <= maxExamples {
		t.dupMu.Lock()
		if len(t.dupFirst) < maxExamples {
			t.dupFirst = append(t.dupFirst, SeqRange{Producer: producer, From: seq, To: seq})
		}
		t.dupMu.Unlock()
	}
	return true, true
}

// Missing counts sequences acknowledged but not (yet) received.
func (t *Tracker) Missing() int64 {
	var n int64
	for p := range t.acked {
		a, r := t.acked[p], t.received[p]
		for i := range a {
			n += int64(bits.OnesCount64(atomic.LoadUint64(&a[i]) &^ atomic.LoadUint64(&r[i])))
		}
	}
	return n
}

// Lost returns the number of sequences acknowledged but never received, and
// up to limit of the gaps as ranges, in producer then sequence order.
func (t *Tracker) Lost(limit int) (int64, []SeqRange) {
	var (
		n      int64
		ranges []SeqRange
	)
	for p := range t.acked {
		a, r := t.acked[p], t.received[p]
		open := false
		for i := range a {
			w := atomic.LoadUint64(&a[i]) &^ atomic.LoadUint64(&r[i])
			n += int64(bits.OnesCount64(w))
			if w == 0 {
				open = false
				continue
			}
			if len(ranges) >= limit && !open {
				continue
			}
			for b := range 64 {
				seq := int64(i)*64 + int64(b)
				if w&(1<<uint(b)) != 0 {
					if open && ranges[len(ranges)-1].To == seq-1 {
						ranges[len(ranges)-1].To = seq
						continue
					}
					open = false
					if len(ranges) < limit {
						ranges = append(ranges, SeqRange{Producer: p, From: seq, To: seq})
						open = true
					}
				} else {
					open = false
				}
			}
		}
	}
	return n, ranges
}

// Duplicates returns the number of repeated deliveries and the first few
// duplicated sequences.
func (t *Tracker) Duplicates() (int64, []SeqRange) {
	t.dupMu.Lock()
	defer t.dupMu.Unlock()
	return t.dups.Load(), append([]SeqRange(nil), t.dupFirst...)
}

// Received counts distinct received sequences.
func (t *Tracker) Received() int64 {
	var n int64
	for _, r := range t.received {
		for i := range r {
			n += int64(bits.OnesCount64(atomic.LoadUint64(&r[i])))
		}
	}
	return n
}
