package bench

import (
	"errors"
	"fmt"
)

// Thresholds are the pass/fail limits of a latency gate. A zero limit is not
// checked. Latency limits apply to the corrected end-to-end latency
// (receive − intended send), which includes client-side queueing.
type Thresholds struct {
	// MaxAvgMs is the highest acceptable average e2e latency.
	MaxAvgMs float64 `json:"max_avg_ms,omitempty"`
	// MaxP99Ms is the highest acceptable p99 e2e latency.
	MaxP99Ms float64 `json:"max_p99_ms,omitempty"`
	// MinMsgPerSec is the lowest acceptable achieved rate, checked against
	// both the produce and the consume rate over the window.
	MinMsgPerSec float64 `json:"min_msg_per_sec,omitempty"`
	// AllowDataErrors turns off the integrity checks that are otherwise
	// always part of Check: lost or duplicated records, invalid payloads
	// and produce errors each give a violation.
	AllowDataErrors bool `json:"allow_data_errors,omitempty"`
}

// Violation is one missed threshold.
type Violation struct {
	Metric   string  `json:"metric"`
	Measured float64 `json:"measured"`
	Target   float64 `json:"target"`
	// Op is the comparison the measurement had to satisfy: "<=" or ">=".
	Op   string `json:"op"`
	Unit string `json:"unit"`
}

// String formats v as "METRIC: measured X UNIT vs target OP Y UNIT".
func (v Violation) String() string {
	return fmt.Sprintf("%s: measured %s %s vs target %s %s %s",
		v.Metric, fmtNum(v.Measured), v.Unit, v.Op, fmtNum(v.Target), v.Unit)
}

func fmtNum(f float64) string {
	if f == float64(int64(f)) {
		return fmt.Sprintf("%d", int64(f))
	}
	return fmt.Sprintf("%.2f", f)
}

// Validate rejects negative limits.
func (t Thresholds) Validate() error {
	var errs []error
	for _, f := range []struct {
		name string
		v    float64
	}{{"max_avg_ms", t.MaxAvgMs}, {"max_p99_ms", t.MaxP99Ms}, {"min_msg_per_sec", t.MinMsgPerSec}} {
		if f.v < 0 {
			errs = append(errs, fmt.Errorf("bench thresholds: %s = %g: must be >= 0 (0 disables the check)", f.name, f.v))
		}
	}
	return errors.Join(errs...)
}

// Check compares r with the thresholds and returns the violations, or nil
// when r passes.
func (t Thresholds) Check(r *Result) []Violation {
	var out []Violation
	add := func(metric string, measured, target float64, op, unit string) {
		out = append(out, Violation{Metric: metric, Measured: measured, Target: target, Op: op, Unit: unit})
	}
	if t.MaxAvgMs > 0 && r.EndToEnd.AvgMs() > t.MaxAvgMs {
		add("e2e avg latency (corrected)", r.EndToEnd.AvgMs(), t.MaxAvgMs, "<=", "ms")
	}
	if t.MaxP99Ms > 0 && r.EndToEnd.P99Ms() > t.MaxP99Ms {
		add("e2e p99 latency (corrected)", r.EndToEnd.P99Ms(), t.MaxP99Ms, "<=", "ms")
	}
	if t.MinMsgPerSec > 0 {
		if r.Throughput.ProduceMsgPerSec < t.MinMsgPerSec {
			add("produce rate", r.Throughput.ProduceMsgPerSec, t.MinMsgPerSec, ">=", "msg/s")
		}
		if r.Throughput.ConsumeMsgPerSec < t.MinMsgPerSec {
			add("consume rate", r.Throughput.ConsumeMsgPerSec, t.MinMsgPerSec, ">=", "msg/s")
		}
	}
	if !t.AllowDataErrors {
		for _, c := range []struct {
			metric string
			n      int64
		}{
			{"lost records", r.Counts.Lost},
			{"duplicate records", r.Counts.Duplicates},
			{"invalid records", r.Validation.Failed},
			{"produce errors", r.Counts.ProduceErrors},
		} {
			if c.n > 0 {
				add(c.metric, float64(c.n), 0, "<=", "records")
			}
		}
	}
	return out
}
