package monitoring

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/marketbus/market-bus/dashboards"
	"github.com/marketbus/market-bus/dashboards/promql"
)

var update = flag.Bool("update", false, "rewrite testdata/ golden files and RUNBOOKS.md")

func defaultRules(t *testing.T) []Rule {
	t.Helper()
	rules, err := Alerts(AlertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return rules
}

func ruleByName(t *testing.T, rules []Rule, name string) Rule {
	t.Helper()
	for _, r := range rules {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no rule %q", name)
	return Rule{}
}

// golden compares got with a file, rewriting it under -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./components/monitoring -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale; review the change and run go test ./components/monitoring -update", path)
	}
}

func TestAlertTable(t *testing.T) {
	want := []string{
		"RedpandaBrokersDown", "RedpandaStorageDegraded", "RedpandaStorageLowSpace",
		"RedpandaDiskFreeBelowMinimum", "RedpandaLeaderlessPartitions",
		"RedpandaUnderReplicatedPartitions", "RedpandaProduceLatencyP99High",
		"RedpandaConsumerLagHigh", "RedpandaConsumerGroupLagMaxHigh", "RedpandaKafkaRPCErrorRate",
	}
	var got []string
	for _, r := range defaultRules(t) {
		got = append(got, r.Name)
		if !strings.Contains(r.Query, `job="redpanda"`) {
			t.Errorf("%s: query does not select the redpanda job: %s", r.Name, r.Query)
		}
		if !strings.HasPrefix(r.RunbookURL, DefaultRunbookBaseURL+"#") {
			t.Errorf("%s: runbook URL %q", r.Name, r.RunbookURL)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("alerts = %v, want %v", got, want)
	}
}

// TestThresholdsDriveBothRenderings changes one option at a time and checks
// that the Prometheus expression and the Grafana threshold expression both
// move to the new number.
func TestThresholdsDriveBothRenderings(t *testing.T) {
	tests := []struct {
		name   string
		set    func(*dashboards.Thresholds)
		alerts []string
		want   float64
		wantOp Comparison
	}{
		{"produce p99 SLO", func(th *dashboards.Thresholds) { th.ProduceP99 = 250 * time.Millisecond },
			[]string{"RedpandaProduceLatencyP99High"}, 0.25, Above},
		{"consumer lag", func(th *dashboards.Thresholds) { th.ConsumerLagRecords = 1234 },
			[]string{"RedpandaConsumerLagHigh", "RedpandaConsumerGroupLagMaxHigh"}, 1234, Above},
		{"brokers", func(th *dashboards.Thresholds) { th.Brokers = 5 },
			[]string{"RedpandaBrokersDown"}, 5, Below},
		{"kafka error rate", func(th *dashboards.Thresholds) { th.KafkaRPCErrorPercent = 2.5 },
			[]string{"RedpandaKafkaRPCErrorRate"}, 2.5, Above},
		{"min free disk", func(th *dashboards.Thresholds) { th.MinFreeDiskBytes = 5 << 30 },
			[]string{"RedpandaDiskFreeBelowMinimum"}, 5 << 30, Below},
		{"under-replicated", func(th *dashboards.Thresholds) { th.UnderReplicatedReplicas = 3 },
			[]string{"RedpandaUnderReplicatedPartitions"}, 3, Above},
		{"leaderless", func(th *dashboards.Thresholds) { th.LeaderlessPartitions = 2 },
			[]string{"RedpandaLeaderlessPartitions"}, 2, Above},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var o AlertOptions
			tc.set(&o.Thresholds)
			rules, err := Alerts(o)
			if err != nil {
				t.Fatal(err)
			}
			group, err := GrafanaRules(rules, GrafanaOptions{DatasourceUID: "prom"})
			if err != nil {
				t.Fatal(err)
			}
			promFile, err := PrometheusRules(rules, "")
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range tc.alerts {
				r := ruleByName(t, rules, name)
				wantExpr := "(" + r.Query + ") " + string(tc.wantOp) + " " + formatFloat(tc.want)
				if !strings.HasPrefix(r.Expr(), wantExpr) {
					t.Errorf("%s: Prometheus expr = %s, want %s", name, r.Expr(), wantExpr)
				}
				if !strings.Contains(string(promFile), wantExpr) {
					t.Errorf("%s: rules file lacks %s", name, wantExpr)
				}
				gr := grafanaByName(t, group, name)
				got, err := GrafanaThreshold(gr)
				if err != nil {
					t.Fatal(err)
				}
				if got != tc.want {
					t.Errorf("%s: Grafana threshold = %v, want %v", name, got, tc.want)
				}
				wantEval := map[Comparison]string{Above: `"type":"gt"`, Below: `"type":"lt"`}[tc.wantOp]
				if r.Unknown != "" { // the unknown branch's sentinel fires too: see TestGrafanaUnknownBranch
					wantEval = `"params":[0,` + formatFloat(tc.want) + `],"type":"outside_range"`
				}
				if !strings.Contains(gr.Data[2].Model, wantEval) {
					t.Errorf("%s: threshold model %s lacks %s", name, gr.Data[2].Model, wantEval)
				}
			}
		})
	}
}

func grafanaByName(t *testing.T, g GrafanaRuleGroup, name string) GrafanaRule {
	t.Helper()
	for _, r := range g.Rules {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no Grafana rule %q", name)
	return GrafanaRule{}
}

func TestGrafanaRuleShape(t *testing.T) {
	rules := defaultRules(t)
	g, err := GrafanaRules(rules, GrafanaOptions{DatasourceUID: "prom-uid"})
	if err != nil {
		t.Fatal(err)
	}
	if g.Name != DefaultRuleGroup || g.IntervalSeconds != 60 || len(g.Rules) != len(rules) {
		t.Fatalf("group = %s/%d with %d rules", g.Name, g.IntervalSeconds, len(g.Rules))
	}
	for i, gr := range g.Rules {
		r := rules[i]
		if gr.Condition != "C" || len(gr.Data) != 3 || gr.For != promDuration(r.For) || gr.ExecErrState != "Error" {
			t.Errorf("%s: condition %s, %d data, for %s", gr.Name, gr.Condition, len(gr.Data), gr.For)
			continue
		}
		var a struct {
			RefID      string `json:"refId"`
			Expr       string `json:"expr"`
			Instant    bool   `json:"instant"`
			Datasource struct{ UID string }
		}
		if err := json.Unmarshal([]byte(gr.Data[0].Model), &a); err != nil {
			t.Fatal(err)
		}
		if a.RefID != "A" || a.Expr != r.grafanaQuery() || !a.Instant || a.Datasource.UID != "prom-uid" ||
			gr.Data[0].DatasourceUID != "prom-uid" || gr.Data[0].RelativeTimeRange != (RelativeTimeRange{From: 600}) {
			t.Errorf("%s: query A = %+v / %+v", gr.Name, a, gr.Data[0])
		}
		for _, d := range gr.Data[1:] {
			if d.DatasourceUID != "__expr__" || !strings.Contains(d.Model, `"uid":"__expr__"`) {
				t.Errorf("%s: %s is not a server-side expression: %+v", gr.Name, d.RefID, d)
			}
		}
		if !strings.Contains(gr.Data[1].Model, `"reducer":"last"`) || !strings.Contains(gr.Data[1].Model, `"expression":"A"`) {
			t.Errorf("%s: reduce model %s", gr.Name, gr.Data[1].Model)
		}
		if gr.Labels["severity"] != string(r.Severity) {
			t.Errorf("%s: labels %v", gr.Name, gr.Labels)
		}
		for k, v := range gr.Annotations {
			if strings.Contains(v, "$value ") || strings.Contains(v, "$value}") {
				t.Errorf("%s: annotation %s still uses Prometheus' $value: %s", gr.Name, k, v)
			}
		}
		wantNoData := "NoData"
		if r.AbsentIsOK {
			wantNoData = "OK"
		}
		if gr.NoDataState != wantNoData {
			t.Errorf("%s: noDataState %s, want %s", gr.Name, gr.NoDataState, wantNoData)
		}
	}
	lag := grafanaByName(t, g, "RedpandaConsumerLagHigh")
	if want := "A partition is {{ $values.B.Value | humanize }} records behind (limit 10k), computed from offsets."; lag.Annotations["description"] != want {
		t.Errorf("grafana description = %q, want %q", lag.Annotations["description"], want)
	}
	if _, err := GrafanaRules(rules, GrafanaOptions{}); err == nil {
		t.Error("GrafanaRules without DatasourceUID: want error")
	}
}

func TestGolden(t *testing.T) {
	rules := defaultRules(t)
	promRules, err := PrometheusRules(rules, "")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "redpanda.rules.yml"), promRules)

	g, err := GrafanaRules(rules, GrafanaOptions{DatasourceUID: "prometheus-dev"})
	if err != nil {
		t.Fatal(err)
	}
	grafanaJSON, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "grafana-rule-group.json"), append(grafanaJSON, '\n'))

	cfg, err := PrometheusConfig(ScrapeOptions{
		Targets:   []string{"redpanda-0:9644", "redpanda-1:9644", "redpanda-2:9644"},
		Cluster:   "dev",
		RuleFiles: []string{"redpanda.rules.yml"},
	})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "prometheus.yml"), cfg)
	golden(t, "RUNBOOKS.md", RunbookMarkdown(rules))
}

// TestValidateRulesCatchesTypos builds bad table entries and shows the
// checker names the alert, the expression and the unknown metric.
func TestValidateRulesCatchesTypos(t *testing.T) {
	good := defaultRules(t)[0]
	tests := []struct {
		name   string
		mutate func(*Rule)
		want   []string
	}{
		{"metric typo", func(r *Rule) {
			r.Name = "RedpandaTypo"
			r.Query = `sum by (cluster) (redpanda_kafka_under_replicated_replica{job="redpanda"})`
		}, []string{`"RedpandaTypo"`, `redpanda_kafka_under_replicated_replica{job=\"redpanda\"}`,
			`unknown metric "redpanda_kafka_under_replicated_replica"`, `did you mean "redpanda_kafka_under_replicated_replicas"`}},
		{"function typo", func(r *Rule) { r.Query = `rat(redpanda_rpc_request_errors_total[5m])` },
			[]string{`unknown function "rat"`, `rat(redpanda_rpc_request_errors_total[5m])`}},
		{"unbalanced", func(r *Rule) { r.Query = `sum(up{job="redpanda"}` }, []string{"unbalanced '('"}},
		{"no runbook", func(r *Rule) { r.Runbook = "" }, []string{"empty runbook"}},
		{"bad op", func(r *Rule) { r.Op = ">=" }, []string{`comparison ">="`}},
		{"bad severity", func(r *Rule) { r.Severity = "page" }, []string{`unknown severity "page"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bad := good
			tc.mutate(&bad)
			rules := append(defaultRules(t), bad)
			err := ValidateRules(rules)
			if err == nil {
				t.Fatal("ValidateRules accepted a bad rule")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if _, err := PrometheusRules(rules, ""); err == nil {
				t.Error("PrometheusRules rendered a bad table")
			}
			if _, err := GrafanaRules(rules, GrafanaOptions{DatasourceUID: "x"}); err == nil {
				t.Error("GrafanaRules rendered a bad table")
			}
		})
	}
	var unknown *promql.UnknownMetricError
	bad := good
	bad.Query = `redpanda_nope`
	if err := ValidateRules([]Rule{bad}); !errors.As(err, &unknown) || unknown.Metric != "redpanda_nope" {
		t.Errorf("want *promql.UnknownMetricError for redpanda_nope, got %v", err)
	}
}

func TestAlertsOptionErrors(t *testing.T) {
	if _, err := Alerts(AlertOptions{Thresholds: dashboards.Thresholds{ConsumerLagRecords: -5}}); err == nil {
		t.Error("negative lag threshold accepted")
	}
	if _, err := Alerts(AlertOptions{RateWindow: -time.Minute}); err == nil {
		t.Error("negative rate window accepted")
	}
}

func TestScrapeConfig(t *testing.T) {
	out, err := ScrapeConfig(ScrapeOptions{
		Targets:   []string{"redpanda-0:9644", "10.0.0.2:9644"},
		Cluster:   "prod",
		RuleFiles: []string{"/etc/prometheus/rules/redpanda.rules.yml"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var cfg promConfig
	if err := yaml.Unmarshal(out, &cfg); err != nil {
		t.Fatal(err)
	}
	sc := cfg.ScrapeConfigs[0]
	if sc.JobName != "redpanda" || sc.MetricsPath != "/public_metrics" || sc.ScrapeInterval != "10s" ||
		!slices.Equal(sc.StaticConfigs[0].Targets, []string{"redpanda-0:9644", "10.0.0.2:9644"}) ||
		sc.StaticConfigs[0].Labels["cluster"] != "prod" || cfg.Global != nil ||
		!slices.Equal(cfg.RuleFiles, []string{"/etc/prometheus/rules/redpanda.rules.yml"}) {
		t.Errorf("scrape config:\n%s", out)
	}

	errTests := []struct {
		name string
		o    ScrapeOptions
		want string
	}{
		{"no targets", ScrapeOptions{Cluster: "dev"}, "at least one target"},
		{"no port", ScrapeOptions{Cluster: "dev", Targets: []string{"redpanda-0"}}, `"redpanda-0" must be host:port`},
		{"bad port", ScrapeOptions{Cluster: "dev", Targets: []string{"redpanda-0:http"}}, "bad port"},
		{"no cluster", ScrapeOptions{Targets: []string{"a:1"}}, "Cluster"},
		{"tiny interval", ScrapeOptions{Cluster: "dev", Targets: []string{"a:1"}, ScrapeInterval: time.Millisecond}, "at least 1s"},
	}
	for _, tc := range errTests {
		t.Run(tc.name, func(t *testing.T) {
			for _, render := range []func(ScrapeOptions) ([]byte, error){ScrapeConfig, PrometheusConfig} {
				if _, err := render(tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("err = %v, want %q", err, tc.want)
				}
			}
		})
	}
}

func TestFormatting(t *testing.T) {
	durations := []struct {
		d    time.Duration
		want string
	}{{0, "0s"}, {10 * time.Second, "10s"}, {90 * time.Second, "1m30s"}, {time.Hour, "1h"}, {1500 * time.Millisecond, "1s500ms"}}
	for _, tc := range durations {
		if got := promDuration(tc.d); got != tc.want {
			t.Errorf("promDuration(%s) = %s, want %s", tc.d, got, tc.want)
		}
	}
	numbers := []struct {
		v          float64
		h, h1024   string
		promNumber string
	}{
		{10000, "10k", "9.766Ki", "10000"},
		{1 << 30, "1.074G", "1Gi", "1073741824"},
		{0.1, "0.1", "0.1", "0.1"},
		{2.5, "2.5", "2.5", "2.5"},
	}
	for _, tc := range numbers {
		if got := humanize(tc.v); got != tc.h {
			t.Errorf("humanize(%v) = %s, want %s", tc.v, got, tc.h)
		}
		if got := humanize1024(tc.v); got != tc.h1024 {
			t.Errorf("humanize1024(%v) = %s, want %s", tc.v, got, tc.h1024)
		}
		if got := formatFloat(tc.v); got != tc.promNumber {
			t.Errorf("formatFloat(%v) = %s, want %s", tc.v, got, tc.promNumber)
		}
	}
}
