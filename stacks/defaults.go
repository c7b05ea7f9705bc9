package stacks

import (
	"maps"
	"slices"

	"github.com/marketbus/market-bus/gatedefaults"
)

// Defaults is the table of what a key left out of a stack's file takes: Load reads it,
// Pulumi.yaml's declared defaults and the README's defaults tables are checked against it
// (stacks/defaults_test.go). The cluster's defaults are still in defaultsFor (spec.go).
type Defaults struct {
	// Topics and Schemas are the same for every stack: Pulumi.yaml declares them as the
	// defaults of market-bus:topics and market-bus:schemas, and the Pulumi engine hands the
	// declared value to a stack whose file leaves the key out. Load falls back to these when
	// the key is absent altogether (a Source without the engine).
	Topics  []TopicSpec
	Schemas []SchemaSpec
	// Gate is the latency gate of each stack the project knows; Gate[OtherStacks] serves
	// every other stack. Pulumi.yaml declares market-bus:gate: {}, so each field a stack
	// leaves out comes from here.
	Gate map[string]GateSpec
}

// OtherStacks is the Defaults.Gate key of the stacks the project does not know by name.
const OtherStacks = ""

// DefaultTable returns the project's table of defaults, a new copy on each call.
func DefaultTable() Defaults {
	// prod: the seed's SLO at the seed's load (100k msg/s), with headroom offered.
	prod := GateSpec{MaxAvgLatencyMs: gatedefaults.MaxAvgLatencyMs, MaxP99LatencyMs: gatedefaults.MaxP99LatencyMs, MinThroughputMsgPerSec: 100000,
		Rate: 110000, DurationSeconds: 60, WarmupSeconds: gatedefaults.WarmupSeconds, MaxWarmupSeconds: gatedefaults.MaxWarmupSeconds,
		MessageSize: gatedefaults.MessageSize, Producers: 2, Consumers: 2, Partitions: gatedefaults.Partitions, Acks: gatedefaults.Acks,
		LingerMs: gatedefaults.LingerMs, Compression: gatedefaults.Compression, Topic: gatedefaults.Topic, Subject: gatedefaults.Subject}

	// dev: a laptop's Docker cluster in dev-container mode: a short gate at a modest load.
	dev := prod
	dev.Rate, dev.MinThroughputMsgPerSec, dev.DurationSeconds, dev.WarmupSeconds = 20000, 19000, 20, 5
	dev.Producers, dev.Consumers = gatedefaults.Producers, gatedefaults.Consumers

	// local: three JVM brokers, the registry and the benchmark share 2 cores here, and the
	// brokers spend that CPU per request (network and request-handler threads, replica
	// fetchers), not per byte: at 40k msg/s with 1 ms batches the host ran out of CPU and
	// p99 sat at 150-270 ms even warm, while 5 ms batches at 20k-30k msg/s kept it at
	// 60-70 ms. So the local gate offers 20k msg/s in 5 ms batches: a load this machine
	// carries with room to spare from a fresh start (README "Latency gate"). A 30 s window
	// keeps one scheduler stall of the shared cores below 1 % of the records.
	local := prod
	local.Rate, local.MinThroughputMsgPerSec, local.DurationSeconds, local.LingerMs = 20000, 19000, 30, 5
	local.Producers, local.Consumers = gatedefaults.Producers, gatedefaults.Consumers

	return Defaults{
		Topics: []TopicSpec{
			// retention.bytes (per partition) keeps each broker's share within the 80 % of a
			// 50 GiB volume at the gate's certified 100,000 msg/s × 256 B: 7 days of that alone
			// would be about 14 TiB per broker (see package capacity).
			{Name: "market-telemetry", Partitions: 12, ReplicationFactor: 3,
				Config: map[string]string{"retention.ms": "604800000", "retention.bytes": "1073741824", "cleanup.policy": "delete", "min.insync.replicas": "2"}},
			{Name: "fx-stream-global", Partitions: 12, ReplicationFactor: 3,
				Config: map[string]string{"retention.ms": "86400000", "retention.bytes": "536870912", "cleanup.policy": "delete", "min.insync.replicas": "2"}},
		},
		Schemas: []SchemaSpec{
			{Subject: "market-telemetry-value", File: "schemas/market_telemetry.avsc"},
			{Subject: gatedefaults.Subject, File: "schemas/fx_tick.avsc"},
		},
		Gate: map[string]GateSpec{"prod": prod, "dev": dev, "local": local, OtherStacks: prod},
	}
}

// gateFor returns the gate defaults of stack.
func (d Defaults) gateFor(stack string) GateSpec {
	if g, ok := d.Gate[stack]; ok {
		return g
	}
	return d.Gate[OtherStacks]
}

// topics returns a copy of the default topics, so a Spec never shares a map with the table.
func (d Defaults) topics() []TopicSpec {
	out := slices.Clone(d.Topics)
	for i := range out {
		out[i].Config = maps.Clone(out[i].Config)
	}
	return out
}

// schemas returns a copy of the default subjects.
func (d Defaults) schemas() []SchemaSpec { return slices.Clone(d.Schemas) }
