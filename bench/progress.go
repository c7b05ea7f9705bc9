package bench

import (
	"context"
	"time"
)

// progressInterval is how often OnProgress is called.
const progressInterval = time.Second

// reportProgress calls st.cfg.OnProgress every interval until ctx is done.
func reportProgress(ctx context.Context, st *runState, consumers []*consumer, interval time.Duration) {
	if st.cfg.OnProgress == nil {
		return
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	h := newHist()
	lastAt, lastSent, lastRecv := st.now(), st.sent.Load(), st.received.Load()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		now := st.now()
		sent, recv := st.sent.Load(), st.received.Load()
		secs := float64(now-lastAt) / float64(time.Second)
		h.Reset()
		for _, c := range consumers {
			c.liveP99Into(h)
		}
		st.cfg.OnProgress(Progress{
			Elapsed:     time.Duration(now - st.t0),
			Phase:       st.phase(now),
			TargetRate:  st.cfg.Rate,
			SendRate:    float64(sent-lastSent) / secs,
			ReceiveRate: float64(recv-lastRecv) / secs,
			P99Ms:       float64(h.ValueAtQuantile(99)) / 1000,
			Sent:        sent,
			Acked:       st.acked.Load(),
			Received:    recv,
		})
		lastAt, lastSent, lastRecv = now, sent, recv
	}
}
