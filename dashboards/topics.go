//lint:file-ignore SA1019 the v1 dashboard model (deprecated in the SDK for v2) is the JSON that Grafana's dashboard API and the grafana Dashboard resource take

package dashboards

import (
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/marketbus/market-bus/dashboards/promql"
)

const slugTopics = "topic-metrics"

// TopicMetrics builds the per-topic dashboard: records and bytes in and
// out, partitions, replicas, partition skew and under-replicated replicas.
func TopicMetrics(o Options) (dashboard.Dashboard, error) {
	o, err := o.withDefaults()
	if err != nil {
		return dashboard.Dashboard{}, err
	}
	t := o.Thresholds
	m := newMatchers()
	sel := promql.Selector
	byTopic := func(expr string) string { return fmt.Sprintf("sum by (%s) (%s)", promql.LabelTopic, expr) }
	bytes := func(request string) string {
		return byTopic(rate(sel("redpanda_kafka_request_bytes_total", m.cluster, m.ns, m.topic, promql.Eq(promql.LabelRequest, request))))
	}
	// Per-partition high watermark, the base of the skew measure.
	hwm := fmt.Sprintf("max by (%s, %s) (%s)", promql.LabelTopic, promql.LabelPartition,
		sel("redpanda_kafka_max_offset", m.cluster, m.ns, m.topic))
	const legend = "{{redpanda_topic}}"

	b := newBoard(o, slugTopics, fmt.Sprintf("Topic Metrics (%s)", o.Stack),
		"Per-topic records, bytes, partitions, replicas and skew for the market-bus.", false).
		WithRow(dashboard.NewRowBuilder("Records")).
		WithPanel(graph("Records in per topic", "Records produced per second.", unitOpsPerSec, nil,
			target("A", byTopic(rate(sel("redpanda_kafka_records_produced_total", m.cluster, m.ns, m.topic))), legend))).
		WithPanel(graph("Records out per topic",
			"Records fetched per second (all fetchers, including replicas of other clusters).", unitOpsPerSec, nil,
			target("A", byTopic(rate(sel("redpanda_kafka_records_fetched_total", m.cluster, m.ns, m.topic))), legend))).
		WithRow(dashboard.NewRowBuilder("Bytes")).
		WithPanel(graph("Bytes in per topic", "Bytes produced per second.", unitBytesPerSec, nil,
			target("A", bytes("produce"), legend))).
		WithPanel(graph("Bytes out per topic",
			"Bytes fetched per second by consumers (follower fetches excluded).", unitBytesPerSec, nil,
			target("A", bytes("consume"), legend))).
		WithRow(dashboard.NewRowBuilder("Layout and balance")).
		WithPanel(single("Partitions", "Partitions per topic.", unitNone,
			thresholds(base(green)),
			target("A", fmt.Sprintf("max by (%s) (%s)", promql.LabelTopic,
				sel("redpanda_kafka_partitions", m.cluster, m.ns, m.topic)), legend)).
			TextMode(common.BigValueTextModeValueAndName).GraphMode(common.BigValueGraphModeNone)).
		WithPanel(single("Replicas",
			fmt.Sprintf("Replication factor per topic; red below %d.", t.ReplicationFactor), unitNone,
			thresholds(base(red), at(float64(t.ReplicationFactor), green)),
			target("A", fmt.Sprintf("max by (%s) (%s)", promql.LabelTopic,
				sel("redpanda_kafka_replicas", m.cluster, m.ns, m.topic)), legend)).
			TextMode(common.BigValueTextModeValueAndName).GraphMode(common.BigValueGraphModeNone)).
		WithPanel(single("Under-replicated replicas", "Replicas behind their leader, per topic.", unitNone,
			thresholds(base(green), at(countAbove(t.UnderReplicatedReplicas), red)),
			target("A", fmt.Sprintf("sum by (%s) (%s)", promql.LabelTopic,
				sel("redpanda_kafka_under_replicated_replicas", m.cluster, m.ns, m.topic)), legend)).
			TextMode(common.BigValueTextModeValueAndName).GraphMode(common.BigValueGraphModeNone).Span(statWidth * 2)).
		WithPanel(graph("Partition skew",
			"Standard deviation of the partitions' high watermarks as a share of their mean: "+
				"how unevenly keys spread records over partitions.", unitPercent,
			thresholds(base(green), at(t.PartitionSkewPercent, orange)),
			target("A", fmt.Sprintf("100 * stddev by (%[1]s) (%[2]s) / avg by (%[1]s) (%[2]s)", promql.LabelTopic, hwm), legend)).
			Span(24))
	return build(b)
}
