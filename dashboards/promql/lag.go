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
// Why "+ 1": redpanda_kafka_max_offset is the last readable offset (the
// broker's internal, inclusive high watermark); the Kafka high watermark is
// one past it, and a committed offset is the next offset to read. With + 1 a
// caught-up group reads 0, as in Redpanda's consumer-offsets dashboard; the
// docs' variant without it reads -1.
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
	return fmt.Sprintf("(max by (%[1]s) (%[3]s) + 1) - on (%[1]s) group_right max by (%[2]s) (%[4]s)",
		tp, gtp, hwm, committed)
}
