package promql

import (
	"fmt"
	"slices"
	"strings"
)

// KafkaNamespace is the redpanda_namespace of user topics (the others are
// Redpanda-internal: redpanda, kafka_internal).
const KafkaNamespace = "kafka"

// ConsumerLag returns the computed lag in records per (redpanda_group,
// redpanda_topic, redpanda_partition): the partition high watermark minus the
// group's committed offset.
//
// Why computed and not redpanda_kafka_consumer_group_lag_*: those need
// Redpanda 25.1+ with "consumer_lag" enabled, and reportedly read 0 for a
// group with no live members, which is exactly when lag grows.
//
// No "+ 1": since Redpanda 23.1 redpanda_kafka_max_offset is the Kafka high
// watermark (the offset the next record will get), the number the broker's own
// redpanda_kafka_consumer_group_lag_max subtracts the committed offset from.
// A committed offset is the next offset to read, so a caught-up group reads 0.
// (Adding 1, as dashboards written for the older, inclusive meaning do, shows
// a lag of 1 per partition that never clears.)
//
// The high watermark is taken once per partition (max by topic, partition):
// every replica of a partition exports its own series.
//
// keep names labels to preserve through the joins (for example the cluster
// target label, so one Prometheus can serve several stacks); offsetMatchers
// filter redpanda_kafka_max_offset (the namespace matcher is added here);
// groupMatchers filter the committed offsets.
func ConsumerLag(keep, offsetMatchers, groupMatchers []string) string {
	hwm := Selector("redpanda_kafka_max_offset", append([]string{Eq(LabelNamespace, KafkaNamespace)}, offsetMatchers...)...)
	committed := Selector("redpanda_kafka_consumer_group_committed_offset", groupMatchers...)
	tp := strings.Join(append(slices.Clone(keep), LabelTopic, LabelPartition), ", ")
	gtp := strings.Join(append(slices.Clone(keep), LabelGroup, LabelTopic, LabelPartition), ", ")
	return fmt.Sprintf("max by (%[1]s) (%[3]s) - on (%[1]s) group_right max by (%[2]s) (%[4]s)",
		tp, gtp, hwm, committed)
}
