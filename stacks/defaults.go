package stacks

import (
	"maps"
	"slices"

	"github.com/marketbus/market-bus/components/cluster"
	"github.com/marketbus/market-bus/components/monitoring"
	"github.com/marketbus/market-bus/gatedefaults"
	"github.com/marketbus/market-bus/stackenv"
)

// Defaults is the table of what a key left out of a stack's file takes: Load reads it,
// Pulumi.yaml's declared defaults and the README's defaults tables are checked against it
// (stacks/defaults_test.go). The components fill what is left unset after that
// (their withDefaults), so a value has one default: here if it differs per stack, in its
// component otherwise.
type Defaults struct {
	// Cluster is each known stack's market-bus:cluster; a stack not listed must bring its
	// own cluster config, and Cluster[OtherStacks] is what it starts from.
	Cluster map[string]ClusterSpec
	// Monitoring is each stack's market-bus:monitoring.
	Monitoring map[string]MonitoringSpec
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

// OtherStacks is the key of the stacks the project does not know by name.
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

	// local: three JVM brokers, the registry and the benchmark share 2 cores, and the brokers
	// spend that CPU per request (network and request-handler threads, replica fetchers, the
	// kernel's wake-ups), not per byte: 30k msg/s cost them about as much as 60k. So the local
	// gate sends 10 ms batches (at 100k msg/s on a warm cluster they cut the brokers' CPU
	// from 117 % to 102 % of a core and p99 from 288 to 229 ms against 5 ms; bench/README.md
	// "Where the time goes"), at 20k msg/s: a load this machine carries from a fresh start
	// with room to spare. The seed's 100k is beyond it (issue #19, README "Latency gate").
	// A 30 s window keeps one scheduler stall of the shared cores below 1 % of the records.
	// At least 60 s of warm-up: in five fresh starts the windows opened after 45-46 s of it
	// measured p99 218 and 95 ms, those opened after 50-70 s 35-70 ms; the brokers were
	// still compiling (README "Warm-up until steady").
	local := prod
	local.Rate, local.MinThroughputMsgPerSec, local.DurationSeconds, local.LingerMs = 20000, 19000, 30, 10
	local.WarmupSeconds = 60
	local.Producers, local.Consumers = gatedefaults.Producers, gatedefaults.Consumers

	monitoring := MonitoringSpec{
		PrometheusImage: "prom/prometheus:v2.53.2", GrafanaImage: "grafana/grafana:11.2.0",
		PrometheusPort: monitoring.DefaultPrometheusPort, GrafanaPort: monitoring.DefaultGrafanaPort,
		LagThresholdRecords: 10000, LagThresholdSeconds: 60,
		PrometheusURL: "http://prometheus-operated.monitoring.svc:9090",
	}
	devMonitoring := monitoring
	devMonitoring.ContactEmails = []string{"market-bus-dev@localhost"}
	// The local cluster is Apache Kafka, not Redpanda: there are no Redpanda metrics to watch.
	localMonitoring := monitoring
	localMonitoring.Enabled = ptr(false)

	return Defaults{
		Cluster: map[string]ClusterSpec{
			// A laptop's Docker cluster in dev-container mode.
			"dev": {ClientID: "market-bus-dev", Config: cluster.Config{Mode: ModeDocker, Brokers: 3,
				Image: DefaultImage, CPUCores: 1, Memory: cluster.MustQuantity("2Gi"), LogLevel: "info", DevContainerMode: true}},
			// The seed's production shape: 4 GiB nodes (3Gi for the broker), 50 GiB SSD volumes,
			// TLS from cert-manager and SCRAM.
			"prod": {ClientID: "market-bus-prod", Config: cluster.Config{Mode: ModeKubernetes, Brokers: 3, TLS: ptr(true),
				SASL:  &cluster.SASLConfig{Mechanism: "SCRAM-SHA-512", Username: "admin"},
				Image: DefaultImage, CPUCores: 1, Memory: cluster.MustQuantity("3Gi"), StorageSize: cluster.MustQuantity("50Gi"), LogLevel: "info",
				Namespace: "redpanda", StorageClass: "ssd", CertIssuer: "redpanda-ca", CertIssuerKind: "ClusterIssuer",
				ExternalServiceType: "LoadBalancer"}},
			// The Kafka stand-in of scripts/local-cluster.
			"local": {
				Config:            cluster.Config{Mode: ModeExternal, Brokers: 3},
				BootstrapServers:  []string{"127.0.0.1:19092", "127.0.0.1:29092", "127.0.0.1:39092"},
				SchemaRegistryURL: "http://127.0.0.1:18081/apis/ccompat/v7",
				ClientID:          "market-bus-local",
			},
			OtherStacks: {ClientID: "market-bus", Config: cluster.Config{Brokers: 3, Image: DefaultImage, CPUCores: 1,
				Memory: cluster.MustQuantity("2Gi"), LogLevel: "info"}},
		},
		Monitoring: map[string]MonitoringSpec{"dev": devMonitoring, "local": localMonitoring, OtherStacks: monitoring},
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

// clusterFor returns the cluster defaults of stack, and whether the project knows the stack.
// A stack the project does not know by name but that declares itself production (a
// prod-eu made from Pulumi.prod.yaml) starts from prod's cluster, so the production file
// carries only what differs from it there too.
func (d Defaults) clusterFor(stack, environment string) (ClusterSpec, bool) {
	if c, ok := d.Cluster[stack]; ok && stack != OtherStacks {
		return c, true
	}
	if stackenv.IsProduction(environment) {
		if c, ok := d.Cluster["prod"]; ok {
			return c, false
		}
	}
	return d.Cluster[OtherStacks], false
}

// monitoringFor returns the monitoring defaults of stack.
func (d Defaults) monitoringFor(stack string) MonitoringSpec {
	if m, ok := d.Monitoring[stack]; ok {
		return m
	}
	return d.Monitoring[OtherStacks]
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
