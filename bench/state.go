package bench

import (
	"math"
	"sync/atomic"
	"time"
)

// runState is what producers, consumers and the progress reporter of one run
// share. Times are ns since base (monotonic).
type runState struct {
	cfg            Config
	base           time.Time
	baseWallMicros int64 // base as Unix µs, for FxTick.event_time
	t0             int64 // schedule origin
	// The measured window [winStart, winEnd). With an adaptive warm-up it opens while the
	// run is going (openWindow); until then winStart is in the far future.
	winStart, winEnd atomic.Int64
	// total is the number of records scheduled, all producers; an adaptive warm-up that
	// ends early lowers it once, before any producer gets near it.
	total   atomic.Int64
	tracker *Tracker
	// writers resolves each record's schema id through the registry; nil when the run has
	// no registry and consumers decode with schemas.FxTick.
	writers *writerSchemas

	sent, acked, received atomic.Int64
	// Records acked / received while the window was open, and their bytes.
	ackedWin, ackedWinBytes atomic.Int64
	recvWin, recvWinBytes   atomic.Int64

	produceErrs exampleLog
	consumeErrs exampleLog
	validation  validationLog
}

func newRunState(cfg Config, base time.Time) *runState {
	total := cfg.scheduledRecords()
	perProducer := (total + int64(cfg.Producers) - 1) / int64(cfg.Producers)
	s := &runState{
		cfg:            cfg,
		base:           base,
		baseWallMicros: base.UnixMicro(),
		tracker:        NewTracker(cfg.Producers, perProducer),
	}
	s.total.Store(total)
	return s
}

// start fixes the schedule origin t0 at now and, for a fixed warm-up, the window.
func (s *runState) start() {
	s.t0 = s.now()
	if s.cfg.adaptiveWarmUp() {
		s.winStart.Store(math.MaxInt64)
		s.winEnd.Store(math.MaxInt64)
		return
	}
	s.winStart.Store(s.t0 + int64(s.cfg.WarmUp))
	s.winEnd.Store(s.t0 + int64(s.cfg.WarmUp+s.cfg.Duration))
}

// windowOpenLead is how far after the decision an adaptive window opens: every record
// intended at or after it is sent after the window is published, so producers and
// consumers classify each record alike.
const windowOpenLead = 100 * time.Millisecond

// openWindow opens the measured window of an adaptive warm-up, decided at now, and trims
// the schedule to end with it. It returns the warm-up the run takes.
func (s *runState) openWindow(now int64) time.Duration {
	start := max(now+int64(windowOpenLead), s.t0+int64(s.cfg.WarmUp))
	// The schedule was sized for the longest warm-up plus some slack; a decision later
	// than that (a stalled machine) shortens the window, and the result says so.
	limit := s.t0 + int64(s.cfg.scheduleLength())
	start = min(start, limit)
	end := min(start+int64(s.cfg.Duration), limit)
	s.total.Store(scheduleIndexBefore(end-s.t0, int64(s.cfg.Rate)))
	s.winEnd.Store(end)
	s.winStart.Store(start)
	return time.Duration(start - s.t0)
}

// warmUpUsed is the warm-up the run took (or takes), once the window is known.
func (s *runState) warmUpUsed() time.Duration {
	if w := s.winStart.Load(); w != math.MaxInt64 {
		return time.Duration(w - s.t0)
	}
	return s.cfg.longestWarmUp()
}

// now is the monotonic time since base in ns.
func (s *runState) now() int64 { return int64(time.Since(s.base)) }

// inWindow reports whether t (ns since base) is in the measured window. winStart is read
// first: openWindow stores it last, so a reader that sees the new start also sees the new
// end.
func (s *runState) inWindow(t int64) bool {
	start := s.winStart.Load()
	return t >= start && t < s.winEnd.Load()
}

// phase names the run phase at t.
func (s *runState) phase(t int64) string {
	start := s.winStart.Load()
	end := s.winEnd.Load()
	switch {
	case t < start:
		return PhaseWarmUp
	case t < end:
		return PhaseMeasure
	}
	return PhaseDrain
}
