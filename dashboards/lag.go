//lint:file-ignore SA1019 the v1 dashboard model (deprecated in the SDK for v2) is the JSON that Grafana's dashboard API and the grafana Dashboard resource take

package dashboards

import (
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/marketbus/market-bus/dashboards/promql"
)

const slugLag = "consumer-lag"

// ConsumerLag builds the consumer-lag dashboard: lag per group, topic and
// partition (computed from offsets, works on every Redpanda version), lag in
// seconds, production versus consumption rate, and the Redpanda 25.1+
// redpanda_kafka_consumer_group_lag_max/sum gauges.
func ConsumerLag(o Options) (dashboard.Dashboard, error) {
	o, err := o.withDefaults()
	if err != nil {
		return dashboard.Dashboard{}, err
	}
	t := o.Thresholds
	m := newMatchers()
	sel := promql.Selector
	gtp := fmt.Sprintf("%s, %s, %s", promql.LabelGroup, promql.LabelTopic, promql.LabelPartition)
	gt := fmt.Sprintf("%s, %s", promql.LabelGroup, promql.LabelTopic)
	tp := fmt.Sprintf("%s, %s", promql.LabelTopic, promql.LabelPartition)
	lag := promql.ConsumerLag(nil, []string{m.cluster, m.topic}, []string{m.cluster, m.group, m.topic})
	// Records per second appended to each partition; partitions with no
	// traffic are dropped so the division below cannot yield +Inf.
	produceRate := fmt.Sprintf("max by (%s) (%s > 0)", tp, rate(sel("redpanda_kafka_max_offset", m.cluster, m.ns, m.topic)))
	lagThresholds := func() *dashboard.ThresholdsConfigBuilder {
		return thresholds(base(green), at(t.ConsumerLagRecords, red))
	}

	b := newBoard(o, slugLag, fmt.Sprintf("Consumer Lag (%s)", o.Stack),
		"Consumer-group lag for the market-bus, in records and in seconds.", true).
		WithRow(dashboard.NewRowBuilder("Groups")).
		WithPanel(single("Consumer groups", "Groups with committed offsets.", unitNone,
			thresholds(base(green)),
			target("A", fmt.Sprintf("count(count by (%s) (%s))", promql.LabelGroup,
				sel("redpanda_kafka_consumer_group_committed_offset", m.cluster)), "groups"))).
		WithPanel(single("Members per group",
			"Live consumers per group; a group with none is not consuming at all.", unitNone,
			thresholds(base(red), at(1, green)),
			target("A", fmt.Sprintf("max by (%s) (%s)", promql.LabelGroup,
				sel("redpanda_kafka_consumer_group_consumers", m.cluster, m.group)), "{{redpanda_group}}"))).
		WithPanel(single("Worst partition lag",
			fmt.Sprintf("Largest lag of any selected partition, in records; the alert fires above %v.", t.ConsumerLagRecords), unitNone,
			lagThresholds(),
			target("A", fmt.Sprintf("max(%s)", lag), "max lag")).
			Span(statWidth * 2)).
		WithRow(dashboard.NewRowBuilder("Lag")).
		WithPanel(graph("Lag per partition",
			"Records behind per group, topic and partition: high watermark minus committed offset.", unitNone,
			lagThresholds(),
			target("A", fmt.Sprintf("sum by (%s) (%s)", gtp, lag),
				"{{redpanda_group}} {{redpanda_topic}}/{{redpanda_partition}}"))).
		WithPanel(graph("Lag per group and topic", "Records behind, summed over partitions.", unitNone, nil,
			target("A", fmt.Sprintf("sum by (%s) (%s)", gt, lag), "{{redpanda_group}} {{redpanda_topic}}"))).
		WithPanel(graph("Lag in seconds",
			"Worst partition lag divided by that partition's produce rate: how long the group needs "+
				"to catch up at the current rate. Empty while nothing is produced.", unitSeconds,
			thresholds(base(green), at(t.ConsumerLagTime.Seconds(), red)),
			target("A", fmt.Sprintf("max by (%s) (%s / on (%s) group_left %s)", gt, lag, tp, produceRate),
				"{{redpanda_group}} {{redpanda_topic}}"))).
		WithPanel(graph("Production vs consumption",
			"Records appended per topic versus offsets committed per group and topic; a group "+
				"below its topic's line is falling behind.", unitOpsPerSec, nil,
			// Every replica exports its partition's high watermark: take
			// each partition once (max), then add partitions up, or RF 3
			// draws production three times too high.
			target("A", fmt.Sprintf("sum by (%s) (max by (%s) (%s))", promql.LabelTopic, tp,
				rate(sel("redpanda_kafka_max_offset", m.cluster, m.ns, m.topic))), "produced {{redpanda_topic}}"),
			target("B", fmt.Sprintf("sum by (%s) (max by (%s) (%s))", gt, gtp,
				rate(sel("redpanda_kafka_consumer_group_committed_offset", m.cluster, m.group, m.topic))),
				"consumed {{redpanda_group}} {{redpanda_topic}}"))).
		WithRow(dashboard.NewRowBuilder("Redpanda 25.1+ lag gauges")).
		WithPanel(graph("Group lag max (Redpanda 25.1+)",
			"redpanda_kafka_consumer_group_lag_max: needs \"consumer_lag\" in the cluster property "+
				"enable_consumer_group_metrics (off by default). Reads 0 for groups with no live members; "+
				"the computed lag above does not.", unitNone,
			lagThresholds(),
			target("A", fmt.Sprintf("max by (%s) (%s)", promql.LabelGroup,
				sel("redpanda_kafka_consumer_group_lag_max", m.cluster, m.group)), "{{redpanda_group}}"))).
		WithPanel(graph("Group lag sum (Redpanda 25.1+)",
			"redpanda_kafka_consumer_group_lag_sum: total records behind per group; same requirements as lag max.", unitNone, nil,
			target("A", fmt.Sprintf("max by (%s) (%s)", promql.LabelGroup,
				sel("redpanda_kafka_consumer_group_lag_sum", m.cluster, m.group)), "{{redpanda_group}}")))
	return build(b)
}
