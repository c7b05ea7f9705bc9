package bench

import (
	"reflect"
	"sync"
	"testing"
)

func TestTracker(t *testing.T) {
	for _, tc := range []struct {
		name      string
		producers int
		per       int64
		acked     map[int][]int64 // producer → seqs; nil means all
		received  [][2]int64      // (producer, seq) in delivery order
		lost      int64
		ranges    []SeqRange
		dups      int64
		dupFirst  []SeqRange
	}{
		{
			name: "clean", producers: 2, per: 3,
			received: [][2]int64{{0, 0}, {1, 0}, {0, 1}, {1, 1}, {0, 2}, {1, 2}},
		},
		{
			name: "gap in the middle and at the end", producers: 1, per: 10,
			received: [][2]int64{{0, 0}, {0, 1}, {0, 5}, {0, 6}, {0, 7}},
			lost:     5,
			ranges:   []SeqRange{{0, 2, 4}, {0, 8, 9}},
		},
		{
			name: "gap across a 64-bit word boundary", producers: 1, per: 200,
			received: seqs(0, 60, 70, 200),
			lost:     10,
			ranges:   []SeqRange{{0, 60, 69}},
		},
		{
			name: "unacked records are not lost", producers: 1, per: 4,
			acked:    map[int][]int64{0: {0, 1}},
			received: [][2]int64{{0, 0}},
			lost:     1,
			ranges:   []SeqRange{{0, 1, 1}},
		},
		{
			name: "duplicates", producers: 2, per: 2,
			received: [][2]int64{{0, 0}, {0, 1}, {1, 0}, {0, 1}, {1, 1}, {1, 1}, {1, 1}},
			dups:     3,
			dupFirst: []SeqRange{{0, 1, 1}, {1, 1, 1}, {1, 1, 1}},
		},
		{
			name: "gaps of two producers", producers: 2, per: 3,
			received: [][2]int64{{0, 0}, {1, 2}},
			lost:     4,
			ranges:   []SeqRange{{0, 1, 2}, {1, 0, 1}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := NewTracker(tc.producers, tc.per)
			for p := range tc.producers {
				if tc.acked == nil {
					for s := range tc.per {
						tr.MarkAcked(p, s)
					}
				} else {
					for _, s := range tc.acked[p] {
						tr.MarkAcked(p, s)
					}
				}
			}
			for _, r := range tc.received {
				if _, ok := tr.MarkReceived(int(r[0]), r[1]); !ok {
					t.Fatalf("MarkReceived(%d, %d) out of range", r[0], r[1])
				}
			}
			lost, ranges := tr.Lost(maxExamples)
			if lost != tc.lost || !reflect.DeepEqual(ranges, tc.ranges) || tr.Missing() != tc.lost {
				t.Errorf("lost %d %v (missing %d), want %d %v", lost, ranges, tr.Missing(), tc.lost, tc.ranges)
			}
			dups, first := tr.Duplicates()
			if dups != tc.dups || !reflect.DeepEqual(first, tc.dupFirst) {
				t.Errorf("duplicates %d %v, want %d %v", dups, first, tc.dups, tc.dupFirst)
			}
		})
	}
}

// seqs returns producer-0 receipts of [from, to) and [from2, to2).
func seqs(from, to, from2, to2 int64) [][2]int64 {
	var out [][2]int64
	for s := from; s < to; s++ {
		out = append(out, [2]int64{0, s})
	}
	for s := from2; s < to2; s++ {
		out = append(out, [2]int64{0, s})
	}
	return out
}

func TestTrackerLimitsAndRange(t *testing.T) {
	tr := NewTracker(1, 100)
	for s := range int64(100) {
		tr.MarkAcked(0, s)
		if s%2 == 0 {
			tr.MarkReceived(0, s)
		}
	}
	lost, ranges := tr.Lost(3)
	if lost != 50 || len(ranges) != 3 || ranges[2] != (SeqRange{0, 5, 5}) {
		t.Errorf("Lost(3) = %d %v, want 50 and the first 3 gaps", lost, ranges)
	}
	if tr.MarkAcked(1, 0) || tr.MarkAcked(0, 100) || tr.MarkAcked(0, -1) {
		t.Error("out-of-range MarkAcked accepted")
	}
	if _, ok := tr.MarkReceived(-1, 0); ok {
		t.Error("out-of-range MarkReceived accepted")
	}
	if got := (SeqRange{2, 5, 9}).String(); got != "2/5-9" {
		t.Errorf("String = %q", got)
	}
}

func TestTrackerConcurrent(t *testing.T) {
	const per = 10_000
	tr := NewTracker(4, per)
	var wg sync.WaitGroup
	for p := range 4 {
		wg.Go(func() {
			for s := range int64(per) {
				tr.MarkAcked(p, s)
			}
		})
		for range 2 { // every record delivered twice, by two goroutines
			wg.Go(func() {
				for s := range int64(per) {
					tr.MarkReceived(p, s)
				}
			})
		}
	}
	wg.Wait()
	if lost, _ := tr.Lost(1); lost != 0 {
		t.Errorf("lost %d", lost)
	}
	if dups, _ := tr.Duplicates(); dups != 4*per {
		t.Errorf("duplicates %d, want %d", dups, 4*per)
	}
	if got := tr.Received(); got != 4*per {
		t.Errorf("received %d, want %d", got, 4*per)
	}
}
