// Package promql holds what the dashboards and the alert rules share about
// PromQL: the checked list of Redpanda public metric names, a small lexer that
// pulls the metric names out of an expression so a typo fails a test, Grafana
// template-variable substitution, and the expressions that more than one
// consumer builds (computed consumer lag).
//
// The Prometheus parser is not in this module's graph, and adding it would
// drag the whole Prometheus server into go.sum; the lexer here is small and
// deliberately strict instead (unknown functions and unbalanced brackets are
// errors), and promtool checks the full grammar in the monitoring tests.
package promql

import "sort"

// Kind is the Prometheus metric type of a Redpanda metric.
type Kind string

// Metric kinds. Histograms are never selected by their base name: only the
// _bucket, _sum and _count series exist.
const (
	Counter   Kind = "counter"
	Gauge     Kind = "gauge"
	Histogram Kind = "histogram"
)

// Metric is one metric Redpanda serves on /public_metrics (Admin API, :9644).
type Metric struct {
	Name   string
	Kind   Kind
	Labels []string // labels the dashboards and alerts rely on
}

// Label names Redpanda puts on its public metrics.
const (
	LabelNamespace = "redpanda_namespace"
	LabelTopic     = "redpanda_topic"
	LabelPartition = "redpanda_partition"
	LabelGroup     = "redpanda_group"
	LabelRequest   = "redpanda_request"
	LabelServer    = "redpanda_server"
)

// Redpanda returns the Redpanda public metrics the project may query.
//
// Sources: Redpanda's public-metrics reference, the redpanda-data/observability
// dashboards and alert rules, and (for the labels of records_*_total) the
// broker's partition probe, which aggregates away only shard and partition.
// A new metric goes here first; the metric-name check then lets panels and
// alerts use it.
func Redpanda() []Metric {
	ntp := []string{LabelNamespace, LabelTopic, LabelPartition}
	nt := []string{LabelNamespace, LabelTopic}
	gtp := []string{LabelGroup, LabelTopic, LabelPartition}
	return []Metric{
		// Throughput.
		{Name: "redpanda_kafka_request_bytes_total", Kind: Counter, Labels: append([]string{LabelRequest}, nt...)},
		{Name: "redpanda_kafka_records_produced_total", Kind: Counter, Labels: nt},
		{Name: "redpanda_kafka_records_fetched_total", Kind: Counter, Labels: nt},
		{Name: "redpanda_kafka_max_offset", Kind: Gauge, Labels: ntp},
		// Latency.
		{Name: "redpanda_kafka_request_latency_seconds", Kind: Histogram, Labels: []string{LabelRequest}},
		{Name: "redpanda_kafka_handler_latency_seconds", Kind: Histogram, Labels: []string{"handler"}},
		{Name: "redpanda_rpc_request_latency_seconds", Kind: Histogram, Labels: []string{LabelServer}},
		{Name: "redpanda_rpc_request_errors_total", Kind: Counter, Labels: []string{LabelServer}},
		{Name: "redpanda_rpc_active_connections", Kind: Gauge, Labels: []string{LabelServer}},
		// Partitions and replication.
		{Name: "redpanda_kafka_partitions", Kind: Gauge, Labels: nt},
		{Name: "redpanda_kafka_replicas", Kind: Gauge, Labels: nt},
		{Name: "redpanda_kafka_under_replicated_replicas", Kind: Gauge, Labels: ntp},
		{Name: "redpanda_cluster_unavailable_partitions", Kind: Gauge},
		{Name: "redpanda_raft_leadership_changes", Kind: Counter},
		// Node health.
		{Name: "redpanda_cluster_brokers", Kind: Gauge},
		{Name: "redpanda_application_uptime_seconds_total", Kind: Gauge},
		{Name: "redpanda_application_build", Kind: Gauge, Labels: []string{"redpanda_version"}},
		{Name: "redpanda_node_status_rpcs_timed_out", Kind: Gauge},
		{Name: "redpanda_cpu_busy_seconds_total", Kind: Counter},
		{Name: "redpanda_memory_available_memory", Kind: Gauge},
		// Storage. free_space_alert: 0 ok, 1 low space, 2 degraded.
		{Name: "redpanda_storage_disk_free_bytes", Kind: Gauge},
		{Name: "redpanda_storage_disk_total_bytes", Kind: Gauge},
		{Name: "redpanda_storage_disk_free_space_alert", Kind: Gauge},
		// Consumer groups.
		{Name: "redpanda_kafka_consumer_group_committed_offset", Kind: Gauge, Labels: gtp},
		{Name: "redpanda_kafka_consumer_group_consumers", Kind: Gauge, Labels: []string{LabelGroup}},
		{Name: "redpanda_kafka_consumer_group_topics", Kind: Gauge, Labels: []string{LabelGroup}},
		// Redpanda 25.1+, only with "consumer_lag" in the cluster property
		// enable_consumer_group_metrics (off by default).
		{Name: "redpanda_kafka_consumer_group_lag_max", Kind: Gauge, Labels: []string{LabelGroup}},
		{Name: "redpanda_kafka_consumer_group_lag_sum", Kind: Gauge, Labels: []string{LabelGroup}},
	}
}

// SeriesNames returns every series name a query may select, sorted: counters
// and gauges as they are, histograms only as _bucket, _sum and _count, plus
// Prometheus' own synthetic `up`.
func SeriesNames() []string {
	var names []string
	for _, m := range Redpanda() {
		if m.Kind == Histogram {
			names = append(names, m.Name+"_bucket", m.Name+"_sum", m.Name+"_count")
			continue
		}
		names = append(names, m.Name)
	}
	// Prometheus writes `up` itself for every scrape target.
	names = append(names, "up")
	sort.Strings(names)
	return names
}

func seriesSet() map[string]bool {
	set := make(map[string]bool)
	for _, n := range SeriesNames() {
		set[n] = true
	}
	return set
}
