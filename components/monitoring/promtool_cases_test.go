package monitoring

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// `promtool test rules` input (https://prometheus.io/docs/prometheus/latest/configuration/unit_testing_rules/).
type ruleTestFile struct {
	RuleFiles          []string   `yaml:"rule_files"`
	EvaluationInterval string     `yaml:"evaluation_interval"`
	Tests              []ruleTest `yaml:"tests"`
}

type ruleTest struct {
	Interval        string           `yaml:"interval"`
	InputSeries     []inputSeries    `yaml:"input_series"`
	AlertRuleTests  []alertRuleTest  `yaml:"alert_rule_test,omitempty"`
	PromqlExprTests []promqlExprTest `yaml:"promql_expr_test,omitempty"`
}

// promqlExprTest evaluates one expression and compares every sample.
type promqlExprTest struct {
	Expr       string      `yaml:"expr"`
	EvalTime   string      `yaml:"eval_time"`
	ExpSamples []expSample `yaml:"exp_samples"`
}

type expSample struct {
	Labels string  `yaml:"labels"`
	Value  float64 `yaml:"value"`
}

type inputSeries struct {
	Series string `yaml:"series"`
	Values string `yaml:"values"`
}

type alertRuleTest struct {
	EvalTime  string     `yaml:"eval_time"`
	Alertname string     `yaml:"alertname"`
	ExpAlerts []expAlert `yaml:"exp_alerts"`
}

type expAlert struct {
	ExpLabels      map[string]string `yaml:"exp_labels"`
	ExpAnnotations map[string]string `yaml:"exp_annotations"`
}

// series renders a synthetic input series of the dev cluster's redpanda
// job; labels are name=value pairs.
func series(metric, values string, labels ...string) inputSeries {
	ls := []string{`job="redpanda"`, `cluster="dev"`}
	for _, l := range labels {
		name, value, _ := strings.Cut(l, "=")
		ls = append(ls, fmt.Sprintf("%s=%q", name, value))
	}
	return inputSeries{Series: metric + "{" + strings.Join(ls, ", ") + "}", Values: values}
}

// alertCase is one scenario for one alert. want nil means the alert must
// not fire; otherwise it must fire exactly once with these labels (severity
// included) and the templated summary and description. Runbook annotations
// are static and taken from the table.
type alertCase struct {
	alert       string
	series      []inputSeries
	want        map[string]string // expected labels
	summary     string
	description string
}

const (
	r0 = "instance=redpanda-0:9644"
	r1 = "instance=redpanda-1:9644"
	r2 = "instance=redpanda-2:9644"
	// One user-topic partition and the group that reads it.
	ns    = "redpanda_namespace=kafka"
	topic = "redpanda_topic=market_telemetry"
	part0 = "redpanda_partition=0"
	part1 = "redpanda_partition=1"
	group = "redpanda_group=telemetry-consumer"
)

// latencyBuckets is a produce-latency histogram whose requests (100 per
// minute) all land in the bucket ending at le; cumulative buckets above it
// count them too.
func latencyBuckets(le string) []inputSeries {
	var out []inputSeries
	counting := false
	for _, b := range []string{"0.05", "0.1", "0.25", "0.5", "+Inf"} {
		counting = counting || b == le
		values := "0x15"
		if counting {
			values = "0+100x15"
		}
		out = append(out, series("redpanda_kafka_request_latency_seconds_bucket", values, r0, "redpanda_request=produce", "le="+b))
	}
	return out
}

// alertCases holds a firing and a quiet scenario for every alert; the test
// fails if an alert of the table has either missing. Series are sampled every
// minute for 15 minutes and evaluated at 10m, after every rule's "for".
func alertCases() []alertCase {
	return []alertCase{
		{alert: "RedpandaBrokersDown",
			series:  []inputSeries{series("up", "1x15", r0), series("up", "1x15", r1), series("up", "0x15", r2)},
			want:    map[string]string{"cluster": "dev", "severity": "critical"},
			summary: "Redpanda brokers are down in cluster dev", description: "2 of 3 Redpanda brokers answer Prometheus scrapes."},
		{alert: "RedpandaBrokersDown",
			series: []inputSeries{series("up", "1x15", r0), series("up", "1x15", r1), series("up", "1x15", r2)}},

		{alert: "RedpandaStorageDegraded",
			series:  []inputSeries{series("redpanda_storage_disk_free_space_alert", "0x15", r0), series("redpanda_storage_disk_free_space_alert", "2x15", r1)},
			want:    map[string]string{"cluster": "dev", "instance": "redpanda-1:9644", "severity": "critical"},
			summary: "Redpanda storage is degraded on redpanda-1:9644", description: "The broker's disk is below its hard free-space limit and it refuses writes."},
		{alert: "RedpandaStorageDegraded", // low space only: the other alert's job
			series: []inputSeries{series("redpanda_storage_disk_free_space_alert", "1x15", r1)}},

		{alert: "RedpandaStorageLowSpace",
			series:  []inputSeries{series("redpanda_storage_disk_free_space_alert", "1x15", r0)},
			want:    map[string]string{"cluster": "dev", "instance": "redpanda-0:9644", "severity": "high"},
			summary: "Redpanda storage is low on redpanda-0:9644", description: "The broker's disk is below its low free-space watermark; writes still succeed."},
		{alert: "RedpandaStorageLowSpace",
			series: []inputSeries{series("redpanda_storage_disk_free_space_alert", "0x15", r0)}},

		{alert: "RedpandaDiskFreeBelowMinimum",
			series:  []inputSeries{series("redpanda_storage_disk_free_bytes", "536870912x15", r0), series("redpanda_storage_disk_free_bytes", "10737418240x15", r1)},
			want:    map[string]string{"cluster": "dev", "instance": "redpanda-0:9644", "severity": "critical"},
			summary: "Redpanda disk almost full on redpanda-0:9644", description: "512MiB free, below the minimum of 1GiB."},
		{alert: "RedpandaDiskFreeBelowMinimum",
			series: []inputSeries{series("redpanda_storage_disk_free_bytes", "10737418240x15", r0)}},

		{alert: "RedpandaLeaderlessPartitions",
			series:  []inputSeries{series("redpanda_cluster_unavailable_partitions", "3x15", r0), series("redpanda_cluster_unavailable_partitions", "3x15", r1)},
			want:    map[string]string{"cluster": "dev", "severity": "critical"},
			summary: "Redpanda partitions without a leader in cluster dev", description: "3 partitions have no quorum: produce and fetch to them fail."},
		{alert: "RedpandaLeaderlessPartitions",
			series: []inputSeries{series("redpanda_cluster_unavailable_partitions", "0x15", r0)}},
		// The controller leader is lost: brokers answer scrapes, but the
		// only exporter of the count is gone.
		{alert: "RedpandaLeaderlessPartitions",
			series:  []inputSeries{series("up", "1x15", r0), series("up", "1x15", r1), series("up", "0x15", r2)},
			want:    map[string]string{"cluster": "dev", "severity": "critical"},
			summary: "Redpanda partitions without a leader in cluster dev",
			description: "Brokers are up but none reports redpanda_cluster_unavailable_partitions: the controller has no leader, " +
				"so leaderless partitions cannot be counted and topic or config changes fail."},
		{alert: "RedpandaLeaderlessPartitions", // every broker down: RedpandaBrokersDown's job, not this one's
			series: []inputSeries{series("up", "0x15", r0), series("up", "0x15", r1), series("up", "0x15", r2)}},
		{alert: "RedpandaLeaderlessPartitions", // the controller moves (r0's series goes stale at 9m, r1's starts at 10m): shorter than "for"
			series: []inputSeries{series("up", "1x15", r0), series("up", "1x15", r1),
				series("redpanda_cluster_unavailable_partitions", "0x8 stale", r0),
				series("redpanda_cluster_unavailable_partitions", "_ _ _ _ _ _ _ _ _ _ 0x4", r1)}},

		{alert: "RedpandaUnderReplicatedPartitions",
			series: []inputSeries{
				series("redpanda_kafka_under_replicated_replicas", "1x15", r0, ns, topic, part0),
				series("redpanda_kafka_under_replicated_replicas", "1x15", r1, ns, topic, part1)},
			want:    map[string]string{"cluster": "dev", "redpanda_namespace": "kafka", "redpanda_topic": "market_telemetry", "severity": "high"},
			summary: "Under-replicated partitions in topic market_telemetry", description: "2 replicas of topic market_telemetry are live but behind their leader."},
		{alert: "RedpandaUnderReplicatedPartitions",
			series: []inputSeries{series("redpanda_kafka_under_replicated_replicas", "0x15", r0, ns, topic, part0)}},

		{alert: "RedpandaProduceLatencyP99High", // all requests between 250 and 500 ms: p99 = 497.5 ms
			series:  latencyBuckets("0.5"),
			want:    map[string]string{"cluster": "dev", "severity": "high"},
			summary: "Redpanda produce p99 latency above the SLO in cluster dev", description: "Broker-side produce p99 is 497.5ms, above the latency gate's SLO of 100ms."},
		{alert: "RedpandaProduceLatencyP99High", // all requests under 50 ms
			series: latencyBuckets("0.05")},

		{alert: "RedpandaConsumerLagHigh", // high watermark 50000 (two replicas report it), committed 30000
			series: []inputSeries{
				series("redpanda_kafka_max_offset", "50000x15", r0, ns, topic, part0),
				series("redpanda_kafka_max_offset", "50000x15", r1, ns, topic, part0),
				series("redpanda_kafka_consumer_group_committed_offset", "30000x15", r2, group, topic, part0)},
			want:    map[string]string{"cluster": "dev", "redpanda_group": "telemetry-consumer", "redpanda_topic": "market_telemetry", "severity": "high"},
			summary: "Consumer group telemetry-consumer is lagging on market_telemetry", description: "A partition is 20k records behind (limit 10k), computed from offsets."},
		{alert: "RedpandaConsumerLagHigh", // 1000 behind
			series: []inputSeries{
				series("redpanda_kafka_max_offset", "50000x15", r0, ns, topic, part0),
				series("redpanda_kafka_consumer_group_committed_offset", "49000x15", r2, group, topic, part0)}},
		// Exactly at the limit (10000 behind, RF 3) does not fire: the high
		// watermark is the next offset, so nothing is added to it.
		{alert: "RedpandaConsumerLagHigh",
			series: []inputSeries{
				series("redpanda_kafka_max_offset", "40000x15", r0, ns, topic, part0),
				series("redpanda_kafka_max_offset", "40000x15", r1, ns, topic, part0),
				series("redpanda_kafka_max_offset", "40000x15", r2, ns, topic, part0),
				series("redpanda_kafka_consumer_group_committed_offset", "30000x15", r2, group, topic, part0)}},

		{alert: "RedpandaConsumerGroupLagMaxHigh",
			series:  []inputSeries{series("redpanda_kafka_consumer_group_lag_max", "25000x15", r0, group)},
			want:    map[string]string{"cluster": "dev", "redpanda_group": "telemetry-consumer", "severity": "high"},
			summary: "Consumer group telemetry-consumer lag max is high", description: "Redpanda reports a partition 25k records behind (limit 10k)."},
		{alert: "RedpandaConsumerGroupLagMaxHigh",
			series: []inputSeries{series("redpanda_kafka_consumer_group_lag_max", "100x15", r0, group)}},

		{alert: "RedpandaKafkaRPCErrorRate", // 5 of 100 requests per minute fail
			series: []inputSeries{
				series("redpanda_rpc_request_errors_total", "0+5x15", r0, "redpanda_server=kafka"),
				series("redpanda_rpc_request_latency_seconds_count", "0+100x15", r0, "redpanda_server=kafka")},
			want:    map[string]string{"cluster": "dev", "instance": "redpanda-0:9644", "severity": "high"},
			summary: "Kafka API errors on redpanda-0:9644", description: "5% of Kafka API requests fail (limit 1%)."},
		{alert: "RedpandaKafkaRPCErrorRate", // internal RPC errors do not count
			series: []inputSeries{
				series("redpanda_rpc_request_errors_total", "0x15", r0, "redpanda_server=kafka"),
				series("redpanda_rpc_request_latency_seconds_count", "0+100x15", r0, "redpanda_server=kafka"),
				series("redpanda_rpc_request_errors_total", "0+50x15", r0, "redpanda_server=internal")}},
	}
}

// TestPromtoolTestRules runs `promtool test rules` with a firing and a quiet
// scenario for every alert of the table.
func TestPromtoolTestRules(t *testing.T) {
	bin := promtool(t)
	rules := defaultRules(t)
	cases := alertCases()

	fires, quiet := map[string]bool{}, map[string]bool{}
	for _, c := range cases {
		if c.want != nil {
			fires[c.alert] = true
		} else {
			quiet[c.alert] = true
		}
	}
	var missing []string
	for _, r := range rules {
		if !fires[r.Name] || !quiet[r.Name] {
			missing = append(missing, r.Name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		t.Fatalf("alerts without both a firing and a quiet promtool case: %v", missing)
	}

	file := ruleTestFile{RuleFiles: []string{"redpanda.rules.yml"}, EvaluationInterval: "1m"}
	for _, c := range cases {
		test := alertRuleTest{EvalTime: "10m", Alertname: c.alert, ExpAlerts: []expAlert{}}
		if c.want != nil {
			r := ruleByName(t, rules, c.alert)
			test.ExpAlerts = []expAlert{{
				ExpLabels: c.want,
				ExpAnnotations: map[string]string{
					"summary":     c.summary,
					"description": c.description,
					"runbook":     r.Runbook,
					"runbook_url": r.RunbookURL,
				},
			}}
		}
		file.Tests = append(file.Tests, ruleTest{Interval: "1m", InputSeries: c.series, AlertRuleTests: []alertRuleTest{test}})
	}

	dir := t.TempDir()
	promRules, err := PrometheusRules(rules, "")
	if err != nil {
		t.Fatal(err)
	}
	testYAML, err := marshalYAML(file)
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string][]byte{"redpanda.rules.yml": promRules, "redpanda.test.yml": testYAML} {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := runPromtool(bin, dir, "test", "rules", "redpanda.test.yml"); err != nil {
		t.Fatal(err)
	}
}
