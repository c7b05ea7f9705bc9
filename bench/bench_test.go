package bench

import (
	"testing"
)

// The hot paths of a run, per record: encode (producer), decode and
// validate (consumer), tracker marks (both sides), histogram record.

func BenchmarkEncode(b *testing.B) {
	for _, size := range []int{128, 1024} {
		b.Run(sizeName(size), func(b *testing.B) {
			c, _ := NewCodec(1)
			pad := make([]byte, size)
			tick := sampleTick()
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for i := 0; b.Loop(); i++ {
				tick.Sequence = int64(i)
				tick.Padding = pad[:PaddingFor(&tick, size)]
				if _, err := c.Encode(&tick); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, size := range []int{128, 1024} {
		b.Run(sizeName(size), func(b *testing.B) {
			c, _ := NewCodec(1)
			tick := sampleTick()
			tick.Padding = make([]byte, PaddingFor(&tick, size))
			payload, _ := c.Encode(&tick)
			var out FxTick
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				if err := c.Decode(payload, &out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkTracker(b *testing.B) {
	const per = 1 << 20
	tr := NewTracker(1, per)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		seq := int64(i) & (per - 1)
		tr.MarkAcked(0, seq)
		tr.MarkReceived(0, seq)
	}
}

func BenchmarkTrackerLost(b *testing.B) {
	tr := NewTracker(4, 1_000_000) // a 4M-record run
	for p := range 4 {
		for s := range int64(1_000_000) {
			tr.MarkAcked(p, s)
			if s%1000 != 0 {
				tr.MarkReceived(p, s)
			}
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		tr.Lost(maxExamples)
	}
}

func BenchmarkRecordHistogram(b *testing.B) {
	h := newHist()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		recordNs(h, int64(i%5_000_000)*1000)
	}
}

func sizeName(n int) string {
	if n >= 1024 {
		return "1KiB"
	}
	return "128B"
}
