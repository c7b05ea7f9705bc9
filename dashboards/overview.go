//lint:file-ignore SA1019 the v1 dashboard model (deprecated in the SDK for v2) is the JSON that Grafana's dashboard API and the grafana Dashboard resource take

package dashboards

import (
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/marketbus/market-bus/dashboards/promql"
)

const slugOverview = "kafka-overview"

// KafkaOverview builds the cluster health dashboard: brokers up,
// throughput, under-replicated and leaderless partitions, storage, CPU,
// produce/fetch p95/p99 latency, internal RPC latency and the Kafka-API error
// rate. Panels with an alert draw its threshold.
func KafkaOverview(o Options) (dashboard.Dashboard, error) {
	o, err := o.withDefaults()
	if err != nil {
		return dashboard.Dashboard{}, err
	}
	t := o.Thresholds
	m := newMatchers()
	sel := promql.Selector
	req := func(r string) string { return promql.Eq(promql.LabelRequest, r) }
	server := func(s string) string { return promql.Eq(promql.LabelServer, s) }

	b := newBoard(o, slugOverview, fmt.Sprintf("Kafka Overview (%s)", o.Stack),
		"Redpanda cluster health, throughput and latency for the market-bus.", false).
		WithRow(dashboard.NewRowBuilder("Cluster health")).
		WithPanel(single("Brokers up",
			fmt.Sprintf("Brokers exporting metrics; %d expected.", t.Brokers), unitNone,
			thresholds(base(red), at(float64(t.Brokers), green)),
			target("A", fmt.Sprintf("count(%s) or on () vector(0)",
				sel("redpanda_application_uptime_seconds_total", m.cluster)), "brokers"))).
		WithPanel(single("Under-replicated replicas",
			"Replicas that are live but behind the leader, over the selected topics.", unitNone,
			thresholds(base(green), at(countAbove(t.UnderReplicatedReplicas), red)),
			target("A", fmt.Sprintf("sum(%s) or on () vector(0)",
				sel("redpanda_kafka_under_replicated_replicas", m.cluster, m.topic)), "under-replicated"))).
		WithPanel(single("Leaderless partitions",
			"Partitions without a quorum: unavailable for produce and fetch. Only the controller leader "+
				"exports the count: \"Unknown\" means brokers are up but none has it (no controller leader).", unitNone,
			thresholds(base(green), at(countAbove(t.LeaderlessPartitions), red)),
			// No "or vector(0)": a missing count is not zero. It is
			// unknown (-1, mapped to text) while brokers are up, and no
			// data when none is.
			target("A", fmt.Sprintf("max(%[1]s) or on () (count(%[2]s) * 0 - 1)",
				sel("redpanda_cluster_unavailable_partitions", m.cluster),
				sel("redpanda_application_uptime_seconds_total", m.cluster)), "leaderless")).
			Mappings(valueText(mapping{"-1", "Unknown", red}))).
		WithPanel(single("Storage health",
			"Worst broker disk state: OK, low space (writes continue) or degraded (writes refused).", unitNone,
			thresholds(base(green), at(diskLowSpace, orange), at(diskDegraded, red)),
			target("A", fmt.Sprintf("max(%s)", sel("redpanda_storage_disk_free_space_alert", m.cluster)), "state")).
			Mappings(valueText(
				mapping{"0", "OK", green},
				mapping{"1", "Low space", orange},
				mapping{"2", "Degraded", red}))).
		WithPanel(meter("Storage used",
			"Used share of the data disks of all brokers.",
			thresholds(base(green), at(t.StorageUsedWarnPercent, orange), at(t.StorageUsedCriticalPercent, red)),
			target("A", fmt.Sprintf("100 * (1 - sum(%s) / sum(%s))",
				sel("redpanda_storage_disk_free_bytes", m.cluster),
				sel("redpanda_storage_disk_total_bytes", m.cluster)), "used")).
			Height(graphHeight)).
		WithPanel(graph("Free disk per broker",
			"Free bytes on each broker's data disk; red below the disk alert's minimum.", unitBytes,
			thresholds(base(red), at(t.MinFreeDiskBytes, green)),
			target("A", fmt.Sprintf("min by (instance) (%s)", sel("redpanda_storage_disk_free_bytes", m.cluster)), "{{instance}}")).
			Span(statWidth * 3)).
		WithPanel(graph("CPU utilization",
			"Busy time of the Seastar reactors, averaged over the shards of each broker.", unitPercent,
			thresholds(base(green), at(cpuWarnPercent, orange), at(cpuCriticalPercent, red)),
			target("A", fmt.Sprintf("100 * avg by (instance) (%s)", rate(sel("redpanda_cpu_busy_seconds_total", m.cluster))), "{{instance}}")).
			Max(100).Span(24)).
		WithRow(dashboard.NewRowBuilder("Throughput")).
		WithPanel(graph("Throughput",
			"Bytes produced and consumed per second over the selected topics.", unitBytesPerSec, nil,
			target("A", fmt.Sprintf("sum by (%s) (%s)", promql.LabelRequest,
				rate(sel("redpanda_kafka_request_bytes_total", m.cluster, m.ns, m.topic,
					promql.Re(promql.LabelRequest, "produce|consume")))), "{{redpanda_request}}"))).
		WithPanel(graph("Records per second",
			"Records produced and fetched per second over the selected topics.", unitOpsPerSec, nil,
			target("A", fmt.Sprintf("sum(%s)", rate(sel("redpanda_kafka_records_produced_total", m.cluster, m.ns, m.topic))), "produced"),
			target("B", fmt.Sprintf("sum(%s)", rate(sel("redpanda_kafka_records_fetched_total", m.cluster, m.ns, m.topic))), "fetched"))).
		WithRow(dashboard.NewRowBuilder("Latency")).
		WithPanel(graph("Produce latency",
			fmt.Sprintf("Broker-side produce latency; the dashed line is the p99 SLO (%s).", t.ProduceP99), unitSeconds,
			thresholds(base(green), at(t.ProduceP99.Seconds(), red)),
			target("A", quantile(0.95, sel("redpanda_kafka_request_latency_seconds_bucket", m.cluster, req("produce"))), "p95"),
			target("B", quantile(0.99, sel("redpanda_kafka_request_latency_seconds_bucket", m.cluster, req("produce"))), "p99"))).
		WithPanel(graph("Fetch latency",
			"Broker-side fetch latency, including time a fetch waits for data (fetch.max.wait.ms).", unitSeconds, nil,
			target("A", quantile(0.95, sel("redpanda_kafka_request_latency_seconds_bucket", m.cluster, req("consume"))), "p95"),
			target("B", quantile(0.99, sel("redpanda_kafka_request_latency_seconds_bucket", m.cluster, req("consume"))), "p99"))).
		WithPanel(graph("Internal RPC latency",
			"Broker-to-broker RPC latency (replication, controller): slow disks or network show here first.", unitSeconds, nil,
			target("A", quantile(0.95, sel("redpanda_rpc_request_latency_seconds_bucket", m.cluster, server("internal"))), "p95"),
			target("B", quantile(0.99, sel("redpanda_rpc_request_latency_seconds_bucket", m.cluster, server("internal"))), "p99"))).
		WithPanel(graph("Kafka API error rate",
			"Share of Kafka-API requests that failed; the dashed line is the alert threshold.", unitPercent,
			thresholds(base(green), at(t.KafkaRPCErrorPercent, red)),
			target("A", fmt.Sprintf("100 * sum(%s) / sum(%s)",
				rate(sel("redpanda_rpc_request_errors_total", m.cluster, server("kafka"))),
				rate(sel("redpanda_rpc_request_latency_seconds_count", m.cluster, server("kafka")))), "errors")))
	return build(b)
}

// redpanda_storage_disk_free_space_alert levels.
const (
	diskLowSpace = 1
	diskDegraded = 2
)
