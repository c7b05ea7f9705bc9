package monitoring

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/expr"

	"github.com/marketbus/market-bus/dashboards"
)

// TestGrafanaUnknownBranch: the leaderless rule's Grafana rendering queries
// the count and the "brokers up, count missing" branch together, and its
// threshold fires on both (outside [0, threshold]), as the Prometheus
// expression does with `or`.
func TestGrafanaUnknownBranch(t *testing.T) {
	for _, threshold := range []float64{0, 5} {
		rules, err := Alerts(AlertOptions{Thresholds: dashboards.Thresholds{LeaderlessPartitions: threshold}})
		if err != nil {
			t.Fatal(err)
		}
		r := ruleByName(t, rules, "RedpandaLeaderlessPartitions")
		if r.Unknown == "" || !strings.Contains(r.Expr(), " or ("+r.Unknown+")") {
			t.Fatalf("Prometheus expression %q lacks the unknown branch", r.Expr())
		}
		g, err := GrafanaRules(rules, GrafanaOptions{DatasourceUID: "prom-uid"})
		if err != nil {
			t.Fatal(err)
		}
		gr := grafanaByName(t, g, r.Name)
		var a struct {
			Expr string `json:"expr"`
		}
		if err := json.Unmarshal([]byte(gr.Data[0].Model), &a); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(a.Expr, r.Query) || !strings.Contains(a.Expr, r.Unknown) || !strings.Contains(a.Expr, "* 0 + (-1)") {
			t.Errorf("query A %q lacks the count, the unknown branch or its sentinel", a.Expr)
		}
		var c expr.TypeThreshold
		if err := json.Unmarshal([]byte(gr.Data[2].Model), &c); err != nil {
			t.Fatal(err)
		}
		ev := c.Conditions[0].Evaluator
		if ev.Type != expr.ExprTypeThresholdConditionsEvaluatorTypeOutsideRange || len(ev.Params) != 2 || ev.Params[0] != 0 || ev.Params[1] != threshold {
			t.Errorf("threshold %v: evaluator %s %v, want outside_range [0 %v]", threshold, ev.Type, ev.Params, threshold)
		}
		if got, err := GrafanaThreshold(gr); err != nil || got != threshold {
			t.Errorf("GrafanaThreshold = %v, %v; want %v", got, err, threshold)
		}
		for _, k := range []string{"description"} {
			if !strings.Contains(gr.Annotations[k], "{{ if lt $values.B.Value 0.0 }}") {
				t.Errorf("Grafana %s does not tell the unknown case apart: %q", k, gr.Annotations[k])
			}
		}
	}
}

func TestValidateRulesUnknownNeedsAbove(t *testing.T) {
	r := ruleByName(t, defaultRules(t), "RedpandaLeaderlessPartitions")
	r.Op = Below
	err := ValidateRules([]Rule{r})
	if err == nil || !strings.Contains(err.Error(), `an Unknown query needs comparison ">" and a threshold of at least 0`) {
		t.Errorf("err = %v", err)
	}
}

// TestGrafanaNotificationSettings: with a contact point, every rule carries
// its routing; grouping Grafana would refuse is an error before any resource.
func TestGrafanaNotificationSettings(t *testing.T) {
	rules := defaultRules(t)
	notify := &GrafanaNotification{
		ContactPoint:   "market-bus-dev",
		GroupBy:        []string{"alertname", "grafana_folder", "cluster"},
		RepeatInterval: map[Severity]string{SeverityCritical: "1h", SeverityHigh: "4h"},
	}
	g, err := GrafanaRules(rules, GrafanaOptions{DatasourceUID: "prom-uid", Notification: notify})
	if err != nil {
		t.Fatal(err)
	}
	for _, gr := range g.Rules {
		want := GrafanaNotificationSettings{ContactPoint: "market-bus-dev", GroupBy: notify.GroupBy, GroupWait: "30s", GroupInterval: "5m",
			RepeatInterval: map[string]string{"critical": "1h", "high": "4h"}[gr.Labels["severity"]]}
		assertEqual(t, gr.Name+" notification settings", gr.NotificationSettings, want)
	}

	g, err = GrafanaRules(rules, GrafanaOptions{DatasourceUID: "prom-uid"})
	if err != nil || g.Rules[0].NotificationSettings != nil {
		t.Errorf("without Notification: settings %+v, err %v; want none (the org's policy routes)", g.Rules[0].NotificationSettings, err)
	}

	for _, tc := range []struct {
		name string
		n    GrafanaNotification
		want string
	}{
		{"no contact point", GrafanaNotification{}, "a contact point name is required"},
		{"no folder in group by", GrafanaNotification{ContactPoint: "x", GroupBy: []string{"alertname"}}, `must include "alertname" and "grafana_folder"`},
		{"bad repeat", GrafanaNotification{ContactPoint: "x", RepeatInterval: map[Severity]string{SeverityHigh: "soon"}}, `repeat interval "soon" of severity high`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := GrafanaRules(rules, GrafanaOptions{DatasourceUID: "prom-uid", Notification: &tc.n})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
	// ["..."] disables grouping and needs no required labels.
	if _, err := GrafanaRules(rules, GrafanaOptions{DatasourceUID: "prom-uid",
		Notification: &GrafanaNotification{ContactPoint: "x", GroupBy: []string{"..."}}}); err != nil {
		t.Errorf(`group by ["..."]: %v`, err)
	}
}
