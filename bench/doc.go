// Package bench is an open-loop producer→consumer latency and throughput
// engine for Kafka-compatible brokers (Redpanda), built on franz-go.
//
// # Method
//
// The method follows the OpenMessaging Benchmark and the project's research
// notes (observe-bench-anchors.md §5–6):
//
//   - Open-loop schedule. Record k of a run has the intended send time
//     t0 + k/rate; producer p sends records k = p, p+P, p+2P, ... so the
//     run's rate is split evenly across P producers. A producer sleeps until
//     a record's intended time but never past it: when it is behind schedule
//     (the client blocked it) it sends at once and the delay is measured,
//     not hidden (no coordinated omission).
//   - One process, one monotonic clock. Producers and consumers share the
//     run's base time.Time; every timestamp is nanoseconds since that base
//     (time.Since is monotonic in Go), so latency is not subject to
//     wall-clock steps or cross-host clock offset.
//   - Payloads are Avro FX ticks ([schemas.FxTick]) in the Confluent wire
//     format (magic byte 0, 4-byte big-endian schema id, Avro body) carrying
//     the sequence, producer id, intended and actual send times. Consumers
//     validate every record.
//   - Latency histograms are HdrHistogram, 1 µs .. 60 s at 3 significant
//     digits: publish (ack − send), send delay (send − intended),
//     end-to-end corrected for coordinated omission (receive − intended)
//     and uncorrected end-to-end (receive − send). Only records whose
//     intended send time falls in the measured window (after the warm-up)
//     are recorded.
//   - Every acknowledged sequence must be received exactly once before the
//     drain timeout; gaps are reported as loss, repeats as duplicates.
//
// # Entry points
//
// [Run] executes one run for a [Config] and returns a [Result];
// [Thresholds.Check] turns a result into gate [Violation]s; [Sweep] finds the
// highest sustainable rate under a latency SLO. [Result.WriteJSON] and
// [Result.WriteSVG] write report artifacts.
package bench
