package provider

import (
	"github.com/pulumi/pulumi-go-provider/infer"

	"github.com/marketbus/market-bus/gatedefaults"
)

// LatencyGate measures producer→consumer latency and throughput on the cluster every time it
// is created or updated, and fails the update when a threshold is missed. Because a failed
// create or update leaves the gate's inputs unrecorded, the next `up` measures again.
type LatencyGate struct{}

// LatencyGateArgs are the load, the thresholds and what triggers a new measurement.
type LatencyGateArgs struct {
	Enabled *bool `pulumi:"enabled,optional"`

	Topic             *string `pulumi:"topic,optional"`
	Partitions        *int    `pulumi:"partitions,optional"`
	ReplicationFactor *int    `pulumi:"replicationFactor,optional"`
	SchemaID          int     `pulumi:"schemaId"`

	Rate            int      `pulumi:"rate"`
	DurationSeconds float64  `pulumi:"durationSeconds"`
	WarmupSeconds   *float64 `pulumi:"warmupSeconds,optional"`
	// MaxWarmupSeconds, above WarmupSeconds, lets the warm-up go on until the cluster is
	// steady (see bench.Config.MaxWarmUp).
	MaxWarmupSeconds *float64 `pulumi:"maxWarmupSeconds,optional"`
	MessageSize      *int     `pulumi:"messageSize,optional"`
	Acks             *string  `pulumi:"acks,optional"`
	LingerMs         *float64 `pulumi:"lingerMs,optional"`
	BatchMaxBytes    *int     `pulumi:"batchMaxBytes,optional"`
	Compression      *string  `pulumi:"compression,optional"`
	Producers        *int     `pulumi:"producers,optional"`
	Consumers        *int     `pulumi:"consumers,optional"`

	MaxAvgLatencyMs        float64 `pulumi:"maxAvgLatencyMs"`
	MaxP99LatencyMs        float64 `pulumi:"maxP99LatencyMs"`
	MinThroughputMsgPerSec float64 `pulumi:"minThroughputMsgPerSec"`

	// Watch holds values whose change must trigger a new measurement: topic ids, the
	// cluster's bootstrap servers, a manual trigger.
	Watch     []string `pulumi:"watch,optional"`
	ReportDir *string  `pulumi:"reportDir,optional"`
	// SASL, when set, is the gate's own principal: its clients log in as this user instead
	// of the provider's superuser, so the gate proves what its ACLs allow.
	SASL *SASLConfig `pulumi:"sasl,optional"`
}

// LatencyGateState is the last passing measurement.
type LatencyGateState struct {
	LatencyGateArgs
	Passed              bool    `pulumi:"passed"`
	Skipped             bool    `pulumi:"skipped"`
	MeasuredAt          string  `pulumi:"measuredAt"`
	WarmupSecondsUsed   float64 `pulumi:"warmupSecondsUsed"`
	AvgLatencyMs        float64 `pulumi:"avgLatencyMs"`
	P50LatencyMs        float64 `pulumi:"p50LatencyMs"`
	P90LatencyMs        float64 `pulumi:"p90LatencyMs"`
	P99LatencyMs        float64 `pulumi:"p99LatencyMs"`
	P999LatencyMs       float64 `pulumi:"p999LatencyMs"`
	MaxLatencyMs        float64 `pulumi:"maxLatencyMs"`
	PublishP99Ms        float64 `pulumi:"publishP99Ms"`
	ThroughputMsgPerSec float64 `pulumi:"throughputMsgPerSec"`
	ThroughputMBPerSec  float64 `pulumi:"throughputMBPerSec"`
	Received            int     `pulumi:"received"`
	Lost                int     `pulumi:"lost"`
	Duplicates          int     `pulumi:"duplicates"`
	InvalidPayloads     int     `pulumi:"invalidPayloads"`
	ReportJSON          string  `pulumi:"reportJson"`
	ReportSVG           string  `pulumi:"reportSvg"`
}

// Annotate documents the resource.
func (g *LatencyGate) Annotate(a infer.Annotator) {
	a.Describe(g, "Runs an open-loop producer→consumer benchmark (Avro FX ticks in the Confluent wire format, "+
		"latency corrected for coordinated omission) and fails the update when a threshold is missed.")
}

// Annotate documents the inputs.
func (g *LatencyGateArgs) Annotate(a infer.Annotator) {
	a.Describe(&g.Enabled, "Run the gate; when false the resource records that it was skipped.")
	a.SetDefault(&g.Enabled, true)
	a.Describe(&g.Topic, "Dedicated topic the gate writes to; created when missing.")
	a.SetDefault(&g.Topic, gatedefaults.Topic)
	a.Describe(&g.Partitions, "Partitions of the gate topic when the gate creates it.")
	a.SetDefault(&g.Partitions, gatedefaults.Partitions)
	a.Describe(&g.ReplicationFactor, "Replication factor of the gate topic when the gate creates it.")
	a.SetDefault(&g.ReplicationFactor, gatedefaults.ReplicationFactor)
	a.Describe(&g.SchemaID, "Schema Registry id of the FX tick schema the payloads are encoded with.")
	a.Describe(&g.Rate, "Offered load in messages per second (open loop).")
	a.Describe(&g.DurationSeconds, "Length of the measured window.")
	a.Describe(&g.WarmupSeconds, "Load before the window that is not measured.")
	a.SetDefault(&g.WarmupSeconds, gatedefaults.WarmupSeconds)
	a.Describe(&g.MaxWarmupSeconds, "When above warmupSeconds, the warm-up goes on until one second's p99 is at most half of "+
		"maxP99LatencyMs (the cluster is steady), and at most this long; the window keeps its full length. 0: a fixed warm-up.")
	a.SetDefault(&g.MaxWarmupSeconds, gatedefaults.MaxWarmupSeconds)
	a.Describe(&g.MessageSize, "Record size in bytes on the wire.")
	a.SetDefault(&g.MessageSize, gatedefaults.MessageSize)
	a.Describe(&g.Acks, "all, leader or none.")
	a.SetDefault(&g.Acks, gatedefaults.Acks)
	a.Describe(&g.LingerMs, "Producer linger in milliseconds.")
	a.SetDefault(&g.LingerMs, gatedefaults.LingerMs)
	a.Describe(&g.BatchMaxBytes, "Producer batch size limit in bytes.")
	a.SetDefault(&g.BatchMaxBytes, gatedefaults.BatchMaxBytes)
	a.Describe(&g.Compression, "none, gzip, snappy, lz4 or zstd.")
	a.SetDefault(&g.Compression, gatedefaults.Compression)
	a.Describe(&g.Producers, "Producer clients.")
	a.SetDefault(&g.Producers, gatedefaults.Producers)
	a.Describe(&g.Consumers, "Consumer clients.")
	a.SetDefault(&g.Consumers, gatedefaults.Consumers)
	a.Describe(&g.MaxAvgLatencyMs, "Highest acceptable average end-to-end latency.")
	a.Describe(&g.MaxP99LatencyMs, "Highest acceptable p99 end-to-end latency.")
	a.Describe(&g.MinThroughputMsgPerSec, "Lowest acceptable achieved rate (produced and consumed).")
	a.Describe(&g.Watch, "Values whose change makes the gate measure again (topic ids, cluster addresses, a trigger).")
	a.Describe(&g.ReportDir, "Directory for the JSON report and SVG latency curve of each run.")
	a.Describe(&g.SASL, "Credentials the gate's clients log in with (its own principal); the provider's when absent. The password is a secret.")
}

// Annotate documents the outputs.
func (g *LatencyGateState) Annotate(a infer.Annotator) {
	a.Describe(&g.Passed, "Whether the last measurement met every threshold.")
	a.Describe(&g.Skipped, "Whether the gate was disabled.")
	a.Describe(&g.WarmupSecondsUsed, "The warm-up the measurement took before its window opened.")
	a.Describe(&g.AvgLatencyMs, "Average end-to-end latency (corrected for coordinated omission).")
	a.Describe(&g.P99LatencyMs, "p99 end-to-end latency (corrected for coordinated omission).")
	a.Describe(&g.PublishP99Ms, "p99 of ack − send, for comparison with tools that only measure this.")
	a.Describe(&g.ThroughputMsgPerSec, "Achieved rate: the lower of produce and consume over the window.")
}

func (a LatencyGateArgs) enabled() bool { return a.Enabled == nil || *a.Enabled }
