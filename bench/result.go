package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// Throughput is the achieved rate over the measured window: records acked
// (produce) or received (consume) while the window was open, divided by its
// length. MB is 10^6 bytes of record values.
type Throughput struct {
	ProduceMsgPerSec float64 `json:"produce_msg_per_sec"`
	ProduceMBPerSec  float64 `json:"produce_mb_per_sec"`
	ConsumeMsgPerSec float64 `json:"consume_msg_per_sec"`
	ConsumeMBPerSec  float64 `json:"consume_mb_per_sec"`
}

// Counts are whole-run record counts (warm-up included).
type Counts struct {
	// Scheduled is the number of records the schedule called for.
	Scheduled int64 `json:"scheduled"`
	// Sent is the number of records handed to a producer client.
	Sent int64 `json:"sent"`
	// Acked is the number of records the broker acknowledged.
	Acked int64 `json:"acked"`
	// Received is the number of records consumers read (valid or not,
	// duplicates included).
	Received int64 `json:"received"`
	// ProduceErrors is the number of records whose produce failed.
	ProduceErrors int64 `json:"produce_errors"`
	// ConsumeErrors is the number of fetch errors.
	ConsumeErrors int64 `json:"consume_errors"`
	// Lost is the number of acked sequences never received by the end of
	// the drain timeout.
	Lost int64 `json:"lost"`
	// Duplicates is the number of repeated deliveries of a sequence.
	Duplicates int64 `json:"duplicates"`
}

// Result is the outcome of one [Run]. Latencies cover records whose intended
// send time fell in the measured window.
type Result struct {
	Config    Config    `json:"config"`
	StartedAt time.Time `json:"started_at"`
	// WindowSeconds is the length of the measured window.
	WindowSeconds float64 `json:"window_seconds"`
	// WarmUpSeconds is the warm-up the run took: Config.WarmUp, or with an adaptive
	// warm-up the time until the cluster was steady (at most Config.MaxWarmUp).
	WarmUpSeconds float64 `json:"warm_up_seconds"`
	// Partitions is the topic's partition count during the run.
	Partitions int `json:"partitions"`
	// TopicCreated reports whether the run created the topic.
	TopicCreated bool `json:"topic_created"`
	// TopicDeleted reports whether the run deleted the topic afterwards.
	TopicDeleted bool `json:"topic_deleted"`

	// Publish is ack − actual send.
	Publish LatencySummary `json:"publish"`
	// SendDelay is actual send − intended send: how far producers fell
	// behind the schedule.
	SendDelay LatencySummary `json:"send_delay"`
	// EndToEnd is receive − intended send: end-to-end latency corrected
	// for coordinated omission. Gates and sweeps use this one.
	EndToEnd LatencySummary `json:"e2e"`
	// EndToEndUncorrected is receive − actual send.
	EndToEndUncorrected LatencySummary `json:"e2e_uncorrected"`

	Throughput Throughput `json:"throughput"`
	Counts     Counts     `json:"counts"`

	// LostRanges lists the first gaps as producer/sequence ranges.
	LostRanges []SeqRange `json:"lost_ranges,omitempty"`
	// DuplicateExamples lists the first duplicated sequences.
	DuplicateExamples []SeqRange `json:"duplicate_examples,omitempty"`
	// ProduceErrorExamples and ConsumeErrorExamples hold the first errors.
	ProduceErrorExamples []string `json:"produce_error_examples,omitempty"`
	ConsumeErrorExamples []string `json:"consume_error_examples,omitempty"`
	// Validation is the consumer-side payload validation.
	Validation ValidationReport `json:"validation"`

	// Curves are the latency-by-percentile series drawn by WriteSVG.
	Curves []Curve `json:"curves"`
}

// DataErrors lists integrity problems (loss, duplicates, invalid payloads,
// produce errors) as human-readable lines; it is empty for a clean run.
func (r *Result) DataErrors() []string {
	var out []string
	if r.Counts.Lost > 0 {
		out = append(out, fmt.Sprintf("%d acked records never received, first gaps %v", r.Counts.Lost, r.LostRanges))
	}
	if r.Counts.Duplicates > 0 {
		out = append(out, fmt.Sprintf("%d duplicate deliveries, e.g. %v", r.Counts.Duplicates, r.DuplicateExamples))
	}
	if r.Validation.Failed > 0 {
		out = append(out, fmt.Sprintf("%d records failed validation %v, e.g. %v", r.Validation.Failed, r.Validation.ByKind, r.Validation.Examples))
	}
	if r.Counts.ProduceErrors > 0 {
		out = append(out, fmt.Sprintf("%d produce errors, e.g. %v", r.Counts.ProduceErrors, r.ProduceErrorExamples))
	}
	return out
}

// WriteJSON writes the result as indented JSON.
func (r *Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("bench: writing result JSON: %w", err)
	}
	return nil
}

// Phase names reported in Progress.
const (
	PhaseWarmUp  = "warm-up"
	PhaseMeasure = "measure"
	PhaseDrain   = "drain"
)

// Progress is a once-a-second snapshot of a running benchmark.
type Progress struct {
	Elapsed    time.Duration `json:"elapsed"`
	Phase      string        `json:"phase"`
	TargetRate int           `json:"target_rate"`
	// SendRate and ReceiveRate are msg/s over the last interval.
	SendRate    float64 `json:"send_rate"`
	ReceiveRate float64 `json:"receive_rate"`
	// P99Ms is the corrected end-to-end p99 of every record received so
	// far, warm-up included.
	P99Ms    float64 `json:"p99_ms"`
	Sent     int64   `json:"sent"`
	Acked    int64   `json:"acked"`
	Received int64   `json:"received"`
}

// String formats p as one log line.
func (p Progress) String() string {
	return fmt.Sprintf("%6.1fs %-7s target=%d send=%.0f msg/s recv=%.0f msg/s p99=%.2f ms sent=%d acked=%d recv=%d",
		p.Elapsed.Seconds(), p.Phase, p.TargetRate, p.SendRate, p.ReceiveRate, p.P99Ms, p.Sent, p.Acked, p.Received)
}

// ProgressWriter returns an OnProgress callback writing one line per
// snapshot to w. Write errors are ignored (progress is best effort).
func ProgressWriter(w io.Writer) func(Progress) {
	return func(p Progress) { _, _ = fmt.Fprintln(w, p.String()) }
}
