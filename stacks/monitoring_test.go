package stacks

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func devMonitoringRun(t *testing.T, monitoring string) *recorder {
	t.Helper()
	t.Setenv("PULUMI_CONFIG_SECRET_KEYS", `["market-bus:grafanaAdminPassword"]`)
	cfg := map[string]string{KeyGrafanaAdminPassword: "admin-pw"}
	if monitoring != "" {
		cfg[KeyMonitoring] = monitoring
	}
	rec, err := runProgram(t, "dev", cfg)
	if err != nil {
		t.Fatalf("program: %v", err)
	}
	return rec
}

func findType(rec *recorder, typ string) []pulumi.MockResourceArgs {
	var out []pulumi.MockResourceArgs
	for _, r := range rec.reg {
		if r.TypeToken == typ {
			out = append(out, r)
		}
	}
	return out
}

// prometheusFiles returns the content of every file uploaded into the Prometheus container.
func prometheusFiles(t *testing.T, rec *recorder) string {
	t.Helper()
	for _, c := range findType(rec, "docker:index/container:Container") {
		if !strings.Contains(c.Name, "prometheus") {
			continue
		}
		var b strings.Builder
		for _, u := range c.Inputs["uploads"].ArrayValue() {
			b.WriteString(u.ObjectValue()["content"].StringValue())
		}
		return b.String()
	}
	t.Fatal("no Prometheus container")
	return ""
}

func ruleGroupText(t *testing.T, rec *recorder) string {
	t.Helper()
	groups := findType(rec, "grafana:alerting/ruleGroup:RuleGroup")
	if len(groups) != 1 {
		t.Fatalf("%d Grafana rule groups, want 1", len(groups))
	}
	return resource.NewObjectProperty(groups[0].Inputs).String()
}

// TestDevMonitoring: Prometheus scrapes every broker, Grafana gets the three dashboards and
// the rule group, and the admin password stays secret.
func TestDevMonitoring(t *testing.T) {
	rec := devMonitoringRun(t, "")
	files := prometheusFiles(t, rec)
	for _, want := range []string{"/public_metrics", "redpanda-0:9644", "redpanda-2:9644", "RedpandaBrokersDown", "RedpandaConsumerLagHigh", "scrape_interval: 10s"} {
		if !strings.Contains(files, want) {
			t.Errorf("Prometheus files lack %q", want)
		}
	}
	if n := len(findType(rec, "grafana:oss/dashboard:Dashboard")); n != 3 {
		t.Errorf("%d dashboards, want Kafka Overview, Topic Metrics and Consumer Lag", n)
	}
	// The admin password is an uploaded file, a secret; the environment only points at it.
	for _, c := range findType(rec, "docker:index/container:Container") {
		if !strings.Contains(c.Name, "grafana") {
			continue
		}
		if env := c.Inputs["envs"].String(); !strings.Contains(env, "GF_SECURITY_ADMIN_PASSWORD__FILE=") || strings.Contains(env, "admin-pw") {
			t.Errorf("Grafana's environment must point at the password file and not hold the password: %v", env)
		}
		if up := c.Inputs["uploads"]; !up.ContainsSecrets() || !strings.Contains(up.String(), "grafana_admin_password") {
			t.Errorf("Grafana's uploads must carry the admin password file as a secret: %v", up)
		}
	}
}

// TestLagThresholdReachesBothRuleSets: one config value moves the Prometheus rule and the
// Grafana rule together.
func TestLagThresholdReachesBothRuleSets(t *testing.T) {
	low, high := devMonitoringRun(t, `{"lagThresholdRecords":10000}`), devMonitoringRun(t, `{"lagThresholdRecords":25000}`)
	if !strings.Contains(prometheusFiles(t, low), "> 10000") || !strings.Contains(prometheusFiles(t, high), "> 25000") {
		t.Error("the Prometheus rules file does not follow monitoring.lagThresholdRecords")
	}
	if !strings.Contains(ruleGroupText(t, low), "10000") || !strings.Contains(ruleGroupText(t, high), "25000") {
		t.Error("the Grafana rule group does not follow monitoring.lagThresholdRecords")
	}
}
