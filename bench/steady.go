package bench

import (
	"context"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// steadyInterval is the interval whose end-to-end p99 decides whether the cluster is steady.
const steadyInterval = time.Second

// adaptiveSlack is how far past MaxWarmUp the schedule reaches, so that a decision taken
// late (a busy machine delays the watcher too) still gets its whole window.
const adaptiveSlack = 5 * time.Second

// watchSteady ends an adaptive warm-up: from cfg.WarmUp on, it opens the measured window
// after the first interval whose corrected end-to-end p99 is at most cfg.SteadyP99, and
// at cfg.MaxWarmUp at the latest. Only records received during the interval count, so a
// slow first minute does not hold the decision back once the cluster has caught up.
func watchSteady(ctx context.Context, st *runState, consumers []*consumer) {
	ticker := time.NewTicker(steadyInterval)
	defer ticker.Stop()
	minAt := st.t0 + int64(st.cfg.WarmUp)
	maxAt := st.t0 + int64(st.cfg.MaxWarmUp)
	steadyUs := st.cfg.SteadyP99.Microseconds()
	whole := newHist()
	var prev []int64
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
		if now >= minAt && interval.TotalCount() > 0 && interval.ValueAtQuantile(99) <= steadyUs {
			st.openWindow(now)
			return
		}
	}
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
