package monitoring

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/marketbus/market-bus/dashboards"
	"github.com/marketbus/market-bus/dashboards/promql"
)

// The arithmetic cases evaluate alert queries and dashboard panel queries on
// synthetic series with `promtool test rules` (promql_expr_test): what
// Prometheus itself computes, not what the expression looks like. Series are
// sampled every 15 s and read at 10m, with the dashboards' template variables
// substituted as promql.SampleVars (cluster dev, $__rate_interval 1m).

const (
	part0Lag = `{redpanda_group="telemetry-consumer", redpanda_partition="0", redpanda_topic="market_telemetry"}`
	part1Lag = `{redpanda_group="telemetry-consumer", redpanda_partition="1", redpanda_topic="market_telemetry"}`
	groupLag = `{redpanda_group="telemetry-consumer", redpanda_topic="market_telemetry"}`
)

// replicated is one partition's high watermark as its three replicas
// (RF 3) export it: every broker hosting a replica has its own series.
func replicated(partition, values string) []inputSeries {
	var out []inputSeries
	for _, inst := range []string{r0, r1, r2} {
		out = append(out, series("redpanda_kafka_max_offset", values, inst, ns, topic, partition))
	}
	return out
}

// committed is the group's committed offset of one partition, exported by
// the group's coordinator.
func committed(partition, values string) inputSeries {
	return series("redpanda_kafka_consumer_group_committed_offset", values, r2, group, topic, partition)
}

// dashboardQuery returns a panel target of a dashboard with the sample
// template variables substituted.
func dashboardQuery(t *testing.T, slug, panel, refID string) string {
	t.Helper()
	for _, def := range dashboards.Definitions() {
		if def.Slug != slug {
			continue
		}
		d, err := def.Build(dashboards.Options{DatasourceUID: "prometheus-dev", Stack: "dev"})
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range dashboards.Queries(d) {
			if q.Panel == panel && q.RefID == refID {
				expr, err := promql.Substitute(q.Expr, promql.SampleVars())
				if err != nil {
					t.Fatal(err)
				}
				return expr
			}
		}
	}
	t.Fatalf("dashboard %s has no panel %q with target %s", slug, panel, refID)
	return ""
}

// exprCase is one scenario: input series and what each expression must
// return, exactly.
type exprCase struct {
	name   string
	series []inputSeries
	exprs  []promqlExprTest
}

func expect(expr string, samples ...expSample) promqlExprTest {
	if samples == nil {
		samples = []expSample{}
	}
	return promqlExprTest{Expr: expr, EvalTime: "10m", ExpSamples: samples}
}

func sample(labels string, value float64) expSample { return expSample{Labels: labels, Value: value} }

func arithmeticCases(t *testing.T) []exprCase {
	rules := defaultRules(t)
	alertLag := ruleByName(t, rules, "RedpandaConsumerLagHigh").Query
	panel := func(slug, title, ref string) string { return dashboardQuery(t, slug, title, ref) }
	const lagBoard, overview = "consumer-lag", "kafka-overview"

	return []exprCase{
		{
			// Both partitions fully read: the committed offset (the next
			// offset to read) equals the high watermark (the next offset to
			// write) on every replica.
			name: "a caught-up group reads 0",
			series: append(append(replicated(part0, "50000x60"), replicated(part1, "700x60")...),
				committed(part0, "50000x60"), committed(part1, "700x60")),
			exprs: []promqlExprTest{
				expect(alertLag, sample(`{cluster="dev", redpanda_group="telemetry-consumer", redpanda_topic="market_telemetry"}`, 0)),
				expect(panel(lagBoard, "Lag per partition", "A"), sample(part0Lag, 0), sample(part1Lag, 0)),
				expect(panel(lagBoard, "Lag per group and topic", "A"), sample(groupLag, 0)),
				expect(panel(lagBoard, "Worst partition lag", "A"), sample(`{}`, 0)),
			},
		},
		{
			name: "lag is high watermark minus committed offset",
			series: append(append(replicated(part0, "50000x60"), replicated(part1, "700x60")...),
				committed(part0, "30000x60"), committed(part1, "650x60")),
			exprs: []promqlExprTest{
				expect(alertLag, sample(`{cluster="dev", redpanda_group="telemetry-consumer", redpanda_topic="market_telemetry"}`, 20000)),
				expect(panel(lagBoard, "Lag per partition", "A"), sample(part0Lag, 20000), sample(part1Lag, 50)),
				expect(panel(lagBoard, "Lag per group and topic", "A"), sample(groupLag, 20050)),
			},
		},
		{
			// Partition 0 gets 10 records/s and partition 1 5 records/s,
			// each replicated 3 times; the group keeps up.
			name: "RF 3 production equals the produced rate",
			series: append(append(replicated(part0, "0+150x60"), replicated(part1, "0+75x60")...),
				committed(part0, "0+150x60"), committed(part1, "0+75x60")),
			exprs: []promqlExprTest{
				expect(panel(lagBoard, "Production vs consumption", "A"), sample(`{redpanda_topic="market_telemetry"}`, 15)),
				expect(panel(lagBoard, "Production vs consumption", "B"), sample(groupLag, 15)),
			},
		},
		{
			name:   "a missing controller series reads unknown while brokers are up",
			series: []inputSeries{series("redpanda_application_uptime_seconds_total", "0+15x60", r0), series("redpanda_application_uptime_seconds_total", "0+15x60", r1)},
			exprs:  []promqlExprTest{expect(panel(overview, "Leaderless partitions", "A"), sample(`{}`, UnknownValue))},
		},
		{
			name: "the controller's count is shown as it is",
			series: []inputSeries{series("redpanda_application_uptime_seconds_total", "0+15x60", r0),
				series("redpanda_cluster_unavailable_partitions", "2x60", r0)},
			exprs: []promqlExprTest{expect(panel(overview, "Leaderless partitions", "A"), sample(`{}`, 2))},
		},
	}
}

// TestPromtoolArithmetic pins the numbers of the lag, production-rate and
// leaderless queries with `promtool test rules`.
func TestPromtoolArithmetic(t *testing.T) {
	bin := promtool(t)
	promRules, err := PrometheusRules(defaultRules(t), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range arithmeticCases(t) {
		t.Run(c.name, func(t *testing.T) {
			file := ruleTestFile{
				RuleFiles:          []string{"redpanda.rules.yml"},
				EvaluationInterval: "1m",
				Tests:              []ruleTest{{Interval: "15s", InputSeries: c.series, PromqlExprTests: c.exprs}},
			}
			testYAML, err := marshalYAML(file)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			for name, content := range map[string][]byte{"redpanda.rules.yml": promRules, "arithmetic.test.yml": testYAML} {
				if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := runPromtool(bin, dir, "test", "rules", "arithmetic.test.yml"); err != nil {
				t.Fatal(fmt.Errorf("%s:\n%w", c.name, err))
			}
		})
	}
}
