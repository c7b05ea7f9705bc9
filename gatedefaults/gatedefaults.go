// Package gatedefaults holds the latency gate's defaults: the load profile and the seed's
// latency SLO that the provider's LatencyGate applies to an input left out, that
// bench.Defaults starts from, and that the stacks' table of defaults (stacks/defaults.go)
// starts every stack's gate from. They are constants so no caller can change them for
// another.
//
// The per-stack parts of the gate (offered rate, window, throughput floor, clients) are the
// stacks' to choose and live in their table; a program using the provider directly must set
// rate, durationSeconds and the thresholds itself.
package gatedefaults

// The gate's own topic and its shape. The provider creates the topic with these when the
// stack does not manage it; stacks take the replication factor as min(3, brokers).
const (
	Topic             = "market-bus-gate"
	Partitions        = 12
	ReplicationFactor = 3
)

// Subject is the registered schema the payloads are encoded with (schemas/fx_tick.avsc).
const Subject = "fx-stream-global-value"

// Warm-up: WarmupSeconds of load before the window, then, up to MaxWarmupSeconds, on until
// one second's p99 is at most half of the p99 threshold. A freshly started Kafka broker
// compiles its hot paths for its first minute or two under load (README "Warm-up until
// steady"); a fixed 5 s warm-up measured that JIT, not the cluster.
const (
	WarmupSeconds    = 10.0
	MaxWarmupSeconds = 90.0
)

// The producer profile of the research notes (§6): acks=all, 1 ms linger, 128 KiB batches,
// no compression, 256-byte records (an FX tick with a little padding), one client each way.
const (
	MessageSize   = 256
	Acks          = "all"
	LingerMs      = 1.0
	BatchMaxBytes = 128 << 10
	Compression   = "none"
	Producers     = 1
	Consumers     = 1
)

// The seed's latency SLO: average and p99 end-to-end latency, in milliseconds.
const (
	MaxAvgLatencyMs = 50.0
	MaxP99LatencyMs = 100.0
)
