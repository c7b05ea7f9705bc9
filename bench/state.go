package bench

import (
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
	winStart       int64 // measured window [winStart, winEnd)
	winEnd         int64
	total          int64 // scheduled records, all producers
	tracker        *Tracker
	// writers resolves each record's schema id through the registry; nil when the run has
	// no registry and consumers decode with FxTickSchema.
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
	return &runState{
		cfg:            cfg,
		base:           base,
		baseWallMicros: base.UnixMicro(),
		total:          total,
		tracker:        NewTracker(cfg.Producers, perProducer),
	}
}

// start fixes the schedule origin t0 at now and derives the window.
func (s *runState) start() {
	s.t0 = s.now()
	s.winStart = s.t0 + int64(s.cfg.WarmUp)
	s.winEnd = s.winStart + int64(s.cfg.Duration)
}

// now is the monotonic time since base in ns.
func (s *runState) now() int64 { return int64(time.Since(s.base)) }

// inWindow reports whether t (ns since base) is in the measured window.
func (s *runState) inWindow(t int64) bool { return t >= s.winStart && t < s.winEnd }

// phase names the run phase at t.
func (s *runState) phase(t int64) string {
	switch {
	case t < s.winStart:
		return PhaseWarmUp
	case t < s.winEnd:
		return PhaseMeasure
	}
	return PhaseDrain
}
