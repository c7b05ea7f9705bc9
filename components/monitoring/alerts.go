// Package monitoring is the market-bus Monitoring component: one alert table
// (Alerts) rendered both as a Prometheus rules file and as Grafana-managed
// alert rules, the Prometheus scrape configuration for the Redpanda brokers,
// the runbook page the alerts link to, and the resources that carry them:
// Prometheus and Grafana containers on the Docker backend (docker*.go), a
// ServiceMonitor and PrometheusRule on Kubernetes (kubernetes.go), and the
// Grafana folder, data source, dashboards, rule group and the contact point
// every rule names (grafana*.go; no notification policy). The renderers are
// plain Go; the Compose writer and the Docker backend consume the same
// rendering. Config is the market-bus:monitoring stack key's subtree and
// Validate refuses its fields by their json paths; Args adds the wiring the
// caller supplies (the cluster's outputs, secrets, thresholds).
package monitoring

import (
	"fmt"
	"strings"
	"time"

	"github.com/marketbus/market-bus/dashboards"
	"github.com/marketbus/market-bus/dashboards/promql"
)

// DefaultJob is the Prometheus job name of the Redpanda scrape; alert
// expressions select job="<Job>", so AlertOptions.Job and ScrapeOptions.Job
// must agree (both default to this).
const DefaultJob = "redpanda"

// DefaultRunbookBaseURL is where RUNBOOKS.md (generated from the alert
// table) is published; each alert links to its own section.
const DefaultRunbookBaseURL = "https://github.com/marketbus/market-bus/blob/main/components/monitoring/RUNBOOKS.md"

// Severity is the severity label of an alert; notifications are grouped by
// it and repeat at its interval (NotificationArgs).
type Severity string

// Severities, as in Redpanda's reference alert rules.
const (
	SeverityCritical Severity = "critical" // data unavailable or about to be: page
	SeverityHigh     Severity = "high"     // degraded: act within the hour
)

// Comparison is how a rule's query value is compared with its threshold.
type Comparison string

// Comparisons. Prometheus renders them as the operator, Grafana as the
// threshold expression's evaluator type.
const (
	Above Comparison = ">"
	Below Comparison = "<"
)

// Rule is one alert of the table. Query yields one value per alerting
// series; the comparison with Threshold is added by each renderer, so the
// Prometheus rule and the Grafana rule always use the same number.
type Rule struct {
	Name      string // alertname, e.g. RedpandaBrokersDown
	Query     string // PromQL without the final comparison
	Op        Comparison
	Threshold float64
	For       time.Duration
	Severity  Severity
	// Summary and Description are Prometheus templates: {{ $labels.x }},
	// {{ $value }} (rewritten for Grafana, see grafanaTemplate).
	Summary     string
	Description string
	Runbook     string // what to check first
	RunbookURL  string
	// AbsentIsOK marks rules whose query legitimately returns nothing (a
	// feature not enabled); Grafana then treats no data as OK, not as an
	// alert.
	AbsentIsOK bool
	// Unknown is an optional second query for the opposite case: series
	// Query should return but cannot, because the metric has vanished
	// while the brokers are up (a series only one broker exports, lost with
	// that broker's role). Every series it returns fires the alert whatever
	// the threshold, with the value UnknownValue, which templates can test
	// ({{ if lt $value 0.0 }}). Only for Above rules with a threshold of at
	// least 0, so the sentinel can never be mistaken for a measurement.
	Unknown string
}

// UnknownValue is the value of an alert raised by a rule's Unknown query: a
// count that cannot be negative, so Grafana's threshold can tell the two
// apart (outside the range [0, threshold]).
const UnknownValue = -1

// AlertOptions configures the alert table.
type AlertOptions struct {
	// Thresholds are shared with the dashboards; zero fields take
	// dashboards.DefaultThresholds.
	Thresholds dashboards.Thresholds
	// Job is the scrape job of the brokers (default DefaultJob).
	Job string
	// RateWindow is the range of rate() in alert queries (default 5m): long
	// enough to ride out one missed 10 s scrape, short enough to page fast.
	RateWindow time.Duration
	// RunbookBaseURL is the runbook page (default DefaultRunbookBaseURL).
	RunbookBaseURL string
}

// redpanda_storage_disk_free_space_alert states. These are the metric's
// meaning, not tunables, so they are constants rather than options.
const (
	diskOK       = 0
	diskLowSpace = 1
)

// Alerts returns the alert table. It is the single source for the Prometheus
// rules file (PrometheusRules) and the Grafana rule group (GrafanaRules).
func Alerts(o AlertOptions) ([]Rule, error) {
	if err := o.Thresholds.Validate(); err != nil {
		return nil, fmt.Errorf("monitoring: %w", err)
	}
	t := o.Thresholds.WithDefaults()
	if o.Job == "" {
		o.Job = DefaultJob
	}
	if o.RateWindow == 0 {
		o.RateWindow = 5 * time.Minute
	}
	if o.RunbookBaseURL == "" {
		o.RunbookBaseURL = DefaultRunbookBaseURL
	}
	if o.RateWindow < 0 {
		return nil, fmt.Errorf("monitoring: RateWindow %s must be positive", o.RateWindow)
	}

	job := promql.Eq("job", o.Job)
	sel := promql.Selector
	cl := dashboards.ClusterLabel
	// Every aggregation keeps the cluster label, so alerts from several
	// stacks in one Prometheus or Grafana stay apart and can be routed.
	by := func(labels ...string) string { return strings.Join(append([]string{cl}, labels...), ", ") }
	rate := func(selector string) string {
		return fmt.Sprintf("rate(%s[%s])", selector, promDuration(o.RateWindow))
	}
	lag := promql.ConsumerLag([]string{cl}, []string{job}, []string{job})
	unavailable := sel("redpanda_cluster_unavailable_partitions", job)

	rules := []Rule{
		{
			Name:        "RedpandaBrokersDown",
			Query:       fmt.Sprintf("sum by (%s) (%s)", by(), sel("up", job)),
			Op:          Below,
			Threshold:   float64(t.Brokers),
			For:         time.Minute,
			Severity:    SeverityCritical,
			Summary:     "Redpanda brokers are down in cluster {{ $labels.cluster }}",
			Description: fmt.Sprintf("{{ $value }} of %d Redpanda brokers answer Prometheus scrapes.", t.Brokers),
			Runbook: "Find the broker whose target is down on Prometheus' targets page; check its container or pod " +
				"(logs, OOM kills, disk full), then `rpk cluster health`. With 3 brokers and RF 3, one more loss makes partitions leaderless.",
		},
		{
			Name:        "RedpandaStorageDegraded",
			Query:       fmt.Sprintf("max by (%s) (%s)", by("instance"), sel("redpanda_storage_disk_free_space_alert", job)),
			Op:          Above,
			Threshold:   diskLowSpace,
			For:         time.Minute,
			Severity:    SeverityCritical,
			Summary:     "Redpanda storage is degraded on {{ $labels.instance }}",
			Description: "The broker's disk is below its hard free-space limit and it refuses writes.",
			Runbook: "Free space now: lower retention (`rpk topic alter-config <topic> --set retention.bytes=...`), " +
				"delete unneeded topics, or grow the volume. Topic Metrics (bytes in per topic) shows what fills the disk.",
		},
		{
			Name:        "RedpandaStorageLowSpace",
			Query:       fmt.Sprintf("max by (%s) (%s)", by("instance"), sel("redpanda_storage_disk_free_space_alert", job)),
			Op:          Above,
			Threshold:   diskOK,
			For:         5 * time.Minute,
			Severity:    SeverityHigh,
			Summary:     "Redpanda storage is low on {{ $labels.instance }}",
			Description: "The broker's disk is below its low free-space watermark; writes still succeed.",
			Runbook:     "Plan space before the broker degrades: review retention settings and disk growth on the Kafka Overview dashboard.",
		},
		{
			Name:        "RedpandaDiskFreeBelowMinimum",
			Query:       fmt.Sprintf("min by (%s) (%s)", by("instance"), sel("redpanda_storage_disk_free_bytes", job)),
			Op:          Below,
			Threshold:   t.MinFreeDiskBytes,
			For:         time.Minute,
			Severity:    SeverityCritical,
			Summary:     "Redpanda disk almost full on {{ $labels.instance }}",
			Description: fmt.Sprintf("{{ $value | humanize1024 }}B free, below the minimum of %sB.", humanize1024(t.MinFreeDiskBytes)),
			Runbook:     "As for RedpandaStorageDegraded: lower retention or grow the volume before the broker stops accepting writes.",
		},
		{
			Name:      "RedpandaLeaderlessPartitions",
			Query:     fmt.Sprintf("max by (%s) (%s)", by(), unavailable),
			Op:        Above,
			Threshold: t.LeaderlessPartitions,
			// Only the controller leader exports the count: with the
			// controller lost the series vanishes, exactly when partitions
			// are most likely leaderless. Brokers that answer scrapes but
			// report no count are that case.
			Unknown: fmt.Sprintf("(count by (%[1]s) (%[2]s == 1) unless on (%[1]s) %[3]s) * 0 + (%[4]s)",
				by(), sel("up", job), unavailable, formatFloat(UnknownValue)),
			For:      time.Minute,
			Severity: SeverityCritical,
			Summary:  "Redpanda partitions without a leader in cluster {{ $labels.cluster }}",
			Description: "{{ if lt $value 0.0 }}Brokers are up but none reports redpanda_cluster_unavailable_partitions: " +
				"the controller has no leader, so leaderless partitions cannot be counted and topic or config changes fail." +
				"{{ else }}{{ $value }} partitions have no quorum: produce and fetch to them fail.{{ end }}",
			Runbook: "Usually two replicas of a partition are down: bring brokers back first (see RedpandaBrokersDown). " +
				"`rpk cluster health` lists the leaderless partitions. When no broker reports the count, the controller itself " +
				"has no leader: a majority of brokers must be back before anything else can be fixed.",
		},
		{
			Name: "RedpandaUnderReplicatedPartitions",
			Query: fmt.Sprintf("sum by (%s) (%s)", by(promql.LabelNamespace, promql.LabelTopic),
				sel("redpanda_kafka_under_replicated_replicas", job)),
			Op:          Above,
			Threshold:   t.UnderReplicatedReplicas,
			For:         5 * time.Minute,
			Severity:    SeverityHigh,
			Summary:     "Under-replicated partitions in topic {{ $labels.redpanda_topic }}",
			Description: "{{ $value }} replicas of topic {{ $labels.redpanda_topic }} are live but behind their leader.",
			Runbook: "A slow or recovering broker: check disk and network latency (Internal RPC latency panel) " +
				"and recent restarts. acks=all producers slow down while this lasts.",
		},
		{
			Name: "RedpandaProduceLatencyP99High",
			Query: fmt.Sprintf("histogram_quantile(0.99, sum by (%s) (%s))", by("le"),
				rate(sel("redpanda_kafka_request_latency_seconds_bucket", job, promql.Eq(promql.LabelRequest, "produce")))),
			Op:          Above,
			Threshold:   t.ProduceP99.Seconds(),
			For:         5 * time.Minute,
			Severity:    SeverityHigh,
			Summary:     "Redpanda produce p99 latency above the SLO in cluster {{ $labels.cluster }}",
			Description: fmt.Sprintf("Broker-side produce p99 is {{ $value | humanizeDuration }}, above the latency gate's SLO of %s.", t.ProduceP99),
			Runbook: "Compare with Internal RPC latency (replication) and Storage health on the Kafka Overview dashboard; " +
				"look for a hot partition on Topic Metrics (skew) and for CPU saturation. Re-run the latency gate after fixing.",
		},
		{
			Name:        "RedpandaConsumerLagHigh",
			Query:       fmt.Sprintf("max by (%s) (%s)", by(promql.LabelGroup, promql.LabelTopic), lag),
			Op:          Above,
			Threshold:   t.ConsumerLagRecords,
			For:         5 * time.Minute,
			Severity:    SeverityHigh,
			Summary:     "Consumer group {{ $labels.redpanda_group }} is lagging on {{ $labels.redpanda_topic }}",
			Description: fmt.Sprintf("A partition is {{ $value | humanize }} records behind (limit %s), computed from offsets.", humanize(t.ConsumerLagRecords)),
			Runbook: "Open Consumer Lag for the group: if consumption is below production the consumers are too slow " +
				"or too few (add members, up to the partition count); if it is zero the group is stuck or has no members.",
		},
		{
			Name: "RedpandaConsumerGroupLagMaxHigh",
			Query: fmt.Sprintf("max by (%s) (%s)", by(promql.LabelGroup),
				sel("redpanda_kafka_consumer_group_lag_max", job)),
			Op:          Above,
			Threshold:   t.ConsumerLagRecords,
			For:         5 * time.Minute,
			Severity:    SeverityHigh,
			Summary:     "Consumer group {{ $labels.redpanda_group }} lag max is high",
			Description: fmt.Sprintf("Redpanda reports a partition {{ $value | humanize }} records behind (limit %s).", humanize(t.ConsumerLagRecords)),
			Runbook: "As for RedpandaConsumerLagHigh. This form needs Redpanda 25.1+ with \"consumer_lag\" in " +
				"enable_consumer_group_metrics, and reads 0 for groups with no live members: the computed alert covers those.",
			AbsentIsOK: true,
		},
		{
			Name: "RedpandaKafkaRPCErrorRate",
			Query: fmt.Sprintf("100 * sum by (%[1]s) (%[2]s) / sum by (%[1]s) (%[3]s)", by("instance"),
				rate(sel("redpanda_rpc_request_errors_total", job, promql.Eq(promql.LabelServer, "kafka"))),
				rate(sel("redpanda_rpc_request_latency_seconds_count", job, promql.Eq(promql.LabelServer, "kafka")))),
			Op:          Above,
			Threshold:   t.KafkaRPCErrorPercent,
			For:         5 * time.Minute,
			Severity:    SeverityHigh,
			Summary:     "Kafka API errors on {{ $labels.instance }}",
			Description: fmt.Sprintf("{{ $value | humanize }}%% of Kafka API requests fail (limit %s%%).", humanize(t.KafkaRPCErrorPercent)),
			Runbook: "Check the broker log for the failing request types; common causes are authorization failures, " +
				"clients using unsupported API versions, and request timeouts under overload.",
		},
	}
	for i := range rules {
		rules[i].RunbookURL = o.RunbookBaseURL + "#" + strings.ToLower(rules[i].Name)
	}
	if err := ValidateRules(rules); err != nil {
		return nil, err
	}
	return rules, nil
}
