package bench

import (
	"context"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// steadyInterval is the interval whose end-to-end p99 decides whether the cluster is steady.
const steadyInterval = time.Second

// steadyIntervals is how many intervals in a row must each meet the steady p99: on shared
// cores one quiet second happens during a JIT or GC storm too, and a window opened on it
// measured p99 99.9 ms on a cluster that was steady at 30-60 ms a minute later.
const steadyIntervals = 3

// adaptiveSlack is how far past MaxWarmUp the schedule reaches, so that a decision taken
// late (a busy machine delays the watcher too) still gets its whole window.
const adaptiveSlack = 5 * time.Second

// watchSteady ends an adaptive warm-up: from cfg.WarmUp on, it opens the measured window
// after steadyIntervals intervals in a row whose corrected end-to-end p99 is at most
// cfg.SteadyP99, and at cfg.MaxWarmUp at the latest. Only records received during an
// interval count, so a slow first minute does not hold the decision back once the cluster
// has caught up.
func watchSteady(ctx context.Context, st *runState, consumers []*consumer) {
	ticker := time.NewTicker(steadyInterval)
	defer ticker.Stop()
	minAt := st.t0 + int64(st.cfg.WarmUp)
	maxAt := st.t0 + int64(st.cfg.MaxWarmUp)
	steadyUs := st.cfg.SteadyP99.Microseconds()
	whole := newHist()
	var prev []int64
	streak := steadyStreak{need: steadyIntervals, limitUs: steadyUs}
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		whole.Reset()
		for _, c := range consumers {
			c.liveP99Into(whole)
		}
		interval, counts := sinceLast(whole, prev)
		prev = counts
		now := st.now()
		if now+int64(windowOpenLead) >= maxAt {
			st.openWindow(now)
			return
		}
		if streak.observe(interval) && now >= minAt {
			st.openWindow(now)
			return
		}
	}
}

// steadyStreak counts consecutive intervals whose p99 is within limitUs; an interval with
// no records breaks the streak (nothing arrived: nothing shows the cluster is steady).
type steadyStreak struct {
	need, run int
	limitUs   int64
}

// observe records one interval and reports whether the last need intervals were steady.
func (s *steadyStreak) observe(interval *hdrhistogram.Histogram) bool {
	if interval.TotalCount() > 0 && interval.ValueAtQuantile(99) <= s.limitUs {
		s.run++
	} else {
		s.run = 0
	}
	return s.run >= s.need
}

// sinceLast returns the histogram of what whole recorded since the counts prev were taken
// (all of it when prev is nil), and whole's counts for the next call.
func sinceLast(whole *hdrhistogram.Histogram, prev []int64) (*hdrhistogram.Histogram, []int64) {
	snap := whole.Export()
	counts := append([]int64(nil), snap.Counts...)
	for i := range snap.Counts {
		if i < len(prev) {
			snap.Counts[i] -= prev[i]
		}
	}
	return hdrhistogram.Import(snap), counts
}
