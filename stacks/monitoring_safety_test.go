package stacks

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

const (
	typeNotificationPolicy = "grafana:alerting/notificationPolicy:NotificationPolicy"
	typeRuleGroup          = "grafana:alerting/ruleGroup:RuleGroup"
	typeServiceMonitor     = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor"
	typePrometheusRule     = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
)

// prodMonitoringRun runs the prod program under mocks with the Prometheus operator, as
// Pulumi.prod.yaml configures it.
func prodMonitoringRun(t *testing.T) *recorder {
	t.Helper()
	t.Setenv("PULUMI_CONFIG_SECRET_KEYS", `["market-bus:saslPassword","market-bus:grafanaToken"]`)
	src := prodSource(`{"externalDomain":"bus.example.com"}`)
	src[KeyMonitoring] = `{"prometheusOperator":true,"grafanaUrl":"https://grafana.example.com","contactEmails":["oncall@example.com"]}`
	rec, err := runProgram(t, "prod", src)
	if err != nil {
		t.Fatalf("program: %v", err)
	}
	return rec
}

// TestNoStackOwnsTheRoutingTree: no stack creates a NotificationPolicy (Grafana's one
// routing tree per organisation, which other teams' routes live in); every rule names
// the stack's contact point instead.
func TestNoStackOwnsTheRoutingTree(t *testing.T) {
	for _, tc := range []struct {
		stack string
		run   func(*testing.T) *recorder
	}{
		{"dev", func(t *testing.T) *recorder { return devMonitoringRun(t, "") }},
		{"prod", prodMonitoringRun},
	} {
		t.Run(tc.stack, func(t *testing.T) {
			rec := tc.run(t)
			if n := len(findType(rec, typeNotificationPolicy)); n != 0 {
				t.Errorf("%d NotificationPolicy resources on %s: that replaces the organisation's whole routing tree", n, tc.stack)
			}
			groups := findType(rec, typeRuleGroup)
			if len(groups) != 1 {
				t.Fatalf("%d rule groups, want 1", len(groups))
			}
			rules := groups[0].Inputs["rules"].ArrayValue()
			if len(rules) == 0 {
				t.Fatal("no rules")
			}
			for _, r := range rules {
				rule := r.ObjectValue()
				ns := rule["notificationSettings"]
				if !ns.IsObject() || ns.ObjectValue()["contactPoint"].StringValue() != "market-bus-"+tc.stack {
					t.Errorf("rule %s notification settings = %v, want contact point market-bus-%s", rule["name"].StringValue(), ns, tc.stack)
				}
			}
		})
	}
	// The local stack has no monitoring at all: nothing to route, nothing to own.
	rec, err := runProgram(t, "local", nil)
	if err != nil {
		t.Fatalf("local program: %v", err)
	}
	if n := len(findType(rec, typeNotificationPolicy)); n != 0 {
		t.Errorf("%d NotificationPolicy resources on local", n)
	}
}

// TestProdScrapesOverTLS: prod's admin API serves TLS only, so the ServiceMonitor scrapes
// https and verifies the brokers with the CA of cert-manager's Secret; the alert table
// reaches the operator's Prometheus as a PrometheusRule.
func TestProdScrapesOverTLS(t *testing.T) {
	rec := prodMonitoringRun(t)
	sms := findType(rec, typeServiceMonitor)
	if len(sms) != 1 {
		t.Fatalf("%d ServiceMonitors, want 1", len(sms))
	}
	ep := sms[0].Inputs["spec"].ObjectValue()["endpoints"].ArrayValue()[0].ObjectValue()
	if got := ep["scheme"]; !got.IsString() || got.StringValue() != "https" {
		t.Errorf("endpoint scheme = %v, want https", got)
	}
	want := resource.NewPropertyValue(map[string]any{
		"ca":         map[string]any{"secret": map[string]any{"name": "redpanda-tls", "key": "ca.crt"}},
		"serverName": "redpanda.redpanda.svc.cluster.local",
	})
	if got := ep["tlsConfig"]; !got.DeepEquals(want) {
		t.Errorf("endpoint tlsConfig = %v, want %v", got, want)
	}

	rules := findType(rec, typePrometheusRule)
	if len(rules) != 1 {
		t.Fatalf("%d PrometheusRules, want 1 (prod runs the Prometheus operator)", len(rules))
	}
	alerts := map[string]bool{}
	for _, g := range rules[0].Inputs["spec"].ObjectValue()["groups"].ArrayValue() {
		for _, r := range g.ObjectValue()["rules"].ArrayValue() {
			alerts[r.ObjectValue()["alert"].StringValue()] = true
		}
	}
	for _, a := range []string{"RedpandaBrokersDown", "RedpandaLeaderlessPartitions", "RedpandaConsumerLagHigh"} {
		if !alerts[a] {
			t.Errorf("PrometheusRule lacks %s; has %v", a, alerts)
		}
	}
}
