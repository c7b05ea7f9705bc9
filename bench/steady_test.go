package bench

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// TestAdaptiveWarmUp: a steady cluster opens the window soon after the minimum warm-up; a
// cluster that never meets the steady p99 is measured after the longest warm-up. Either
// way the window has its full length, every record of it is counted, and the warm-up used
// is reported. Only lower bounds are asserted on time: a busy machine may delay the
// decision, never advance it.
func TestAdaptiveWarmUp(t *testing.T) {
	cases := []struct {
		name              string
		steady            time.Duration
		minWarm, wantWarm time.Duration
	}{
		{"steady at once", 10 * time.Second, 300 * time.Millisecond, 300 * time.Millisecond},
		{"never steady", time.Nanosecond, 300 * time.Millisecond, 2 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestCluster(t)
			cfg := testConfig(c, "bench-adaptive")
			cfg.WarmUp = tc.minWarm
			cfg.MaxWarmUp = 2 * time.Second
			cfg.SteadyP99 = tc.steady
			cfg.Duration = time.Second
			res, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if res.WarmUpSeconds < tc.wantWarm.Seconds() || res.WarmUpSeconds > (cfg.MaxWarmUp+adaptiveSlack).Seconds() {
				t.Errorf("warm-up used %.2fs, want >= %v and <= max + slack", res.WarmUpSeconds, tc.wantWarm)
			}
			if res.WindowSeconds != cfg.Duration.Seconds() {
				t.Errorf("window %.3fs, want the full %v", res.WindowSeconds, cfg.Duration)
			}
			// The schedule ends with the window: rate x (warm-up used + window) records.
			want := int64(float64(cfg.Rate) * (res.WarmUpSeconds + res.WindowSeconds))
			if d := res.Counts.Scheduled - want; d < -1 || d > 1 {
				t.Errorf("scheduled %d records, want %d", res.Counts.Scheduled, want)
			}
			if res.Counts.Lost != 0 || res.Counts.Received != res.Counts.Scheduled {
				t.Errorf("counts %+v: every scheduled record must arrive", res.Counts)
			}
			if n := res.EndToEnd.Count; n < int64(cfg.Rate)-1 || n > int64(cfg.Rate)+1 {
				t.Errorf("window measured %d records, want the %d of one second", n, cfg.Rate)
			}
		})
	}
}

func TestAdaptiveWarmUpValidation(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*Config)
		want   string
	}{
		{"max below min", func(c *Config) { c.WarmUp, c.MaxWarmUp, c.SteadyP99 = 10*time.Second, 5*time.Second, time.Millisecond }, "max_warm_up"},
		{"no steady p99", func(c *Config) { c.WarmUp, c.MaxWarmUp = time.Second, 5*time.Second }, "steady_p99"},
		{"fixed warm-up needs no steady p99", func(c *Config) { c.WarmUp, c.MaxWarmUp = time.Second, 0 }, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Defaults()
			cfg.SchemaID = testSchemaID
			tc.mutate(&cfg)
			err := cfg.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Validate = %v, want an error naming %s", err, tc.want)
			}
		})
	}
}

// TestSinceLast: the interval histogram holds only what was recorded since the last call.
func TestSinceLast(t *testing.T) {
	whole := newHist()
	for range 100 {
		_ = whole.RecordValue(5000) // a slow first interval: 5 ms
	}
	first, counts := sinceLast(whole, nil)
	if first.TotalCount() != 100 {
		t.Fatalf("first interval holds %d records, want 100", first.TotalCount())
	}
	for range 50 {
		_ = whole.RecordValue(100)
	}
	var second *hdrhistogram.Histogram
	second, _ = sinceLast(whole, counts)
	if second.TotalCount() != 50 || second.ValueAtQuantile(99) > 101 {
		t.Errorf("second interval: %d records, p99 %d µs; want 50 records at 100 µs", second.TotalCount(), second.ValueAtQuantile(99))
	}
}

// TestSteadyStreak: the window opens only after enough steady intervals in a row; a slow or
// empty interval starts the count again.
func TestSteadyStreak(t *testing.T) {
	interval := func(us ...int64) *hdrhistogram.Histogram {
		h := newHist()
		for _, v := range us {
			_ = h.RecordValue(v)
		}
		return h
	}
	fast, slow, empty := interval(1000, 2000), interval(1000, 90_000), interval()
	cases := []struct {
		name      string
		intervals []*hdrhistogram.Histogram
		want      []bool
	}{
		{"three fast in a row", []*hdrhistogram.Histogram{fast, fast, fast}, []bool{false, false, true}},
		{"a slow one restarts", []*hdrhistogram.Histogram{fast, fast, slow, fast, fast, fast}, []bool{false, false, false, false, false, true}},
		{"an empty one restarts", []*hdrhistogram.Histogram{fast, empty, fast, fast, fast}, []bool{false, false, false, false, true}},
		{"stays steady", []*hdrhistogram.Histogram{fast, fast, fast, fast}, []bool{false, false, true, true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := steadyStreak{need: 3, limitUs: 50_000}
			for i, h := range tc.intervals {
				if got := s.observe(h); got != tc.want[i] {
					t.Errorf("interval %d: steady = %v, want %v", i, got, tc.want[i])
				}
			}
		})
	}
}
