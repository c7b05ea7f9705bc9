package monitoring

import (
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const (
	prodGrafanaURL = "https://grafana.example.test"
	prodPromURL    = "http://prometheus-operated.monitoring.svc:9090"
	prodToken      = "glsa_example_token"
)

var prodTargets = []string{
	"redpanda-0.redpanda.market-bus.svc.cluster.local:9644",
	"redpanda-1.redpanda.market-bus.svc.cluster.local:9644",
}

// kubernetesArgs is the prod stack's shape: the platform's Prometheus
// operator and Grafana. The token is a plain string on purpose.
func kubernetesArgs() Args {
	return Args{
		Config: Config{
			PrometheusOperator: true,
			PrometheusURL:      prodPromURL,
			GrafanaURL:         prodGrafanaURL,
			ContactEmails:      []string{"oncall@example.test"},
		},
		Stack:          "prod",
		Backend:        BackendKubernetes,
		MetricsTargets: pulumi.ToStringArray(prodTargets),
		Kubernetes: KubernetesArgs{
			Namespace:            "market-bus",
			ServiceSelector:      map[string]string{"app.kubernetes.io/name": "redpanda", "app.kubernetes.io/instance": "bus"},
			ServiceMonitorLabels: map[string]string{"release": "kube-prometheus-stack"},
			GrafanaToken:         pulumi.String(prodToken),
		},
	}
}

func runKubernetes(t *testing.T, mutate func(*Args)) (*monitoringMocks, outputs) {
	t.Helper()
	mocks, out, err := runMonitoring(t, "prod", func() Args {
		a := kubernetesArgs()
		if mutate != nil {
			mutate(&a)
		}
		return a
	})
	if err != nil {
		t.Fatal(err)
	}
	return mocks, out
}

func TestKubernetesServiceMonitor(t *testing.T) {
	mocks, out := runKubernetes(t, nil)
	sm := mocks.one(t, typeServiceMonitor, "mon-servicemonitor")
	assertEqual(t, "apiVersion/kind", []any{sm.in("apiVersion"), sm.in("kind")}, []string{"monitoring.coreos.com/v1", "ServiceMonitor"})
	meta := sm.in("metadata").(map[string]any)
	assertEqual(t, "namespace", meta["namespace"], "market-bus")
	if l := meta["labels"].(map[string]any); l["release"] != "kube-prometheus-stack" || l["marketbus/stack"] != "prod" {
		t.Errorf("labels = %v", l)
	}
	spec := sm.in("spec").(map[string]any)
	assertEqual(t, "selector", spec["selector"], map[string]any{"matchLabels": map[string]any{
		"app.kubernetes.io/name": "redpanda", "app.kubernetes.io/instance": "bus"}})
	assertEqual(t, "namespaceSelector", spec["namespaceSelector"], map[string]any{"matchNames": []any{"market-bus"}})
	assertEqual(t, "endpoints", spec["endpoints"], []any{map[string]any{
		"port": "admin", "path": "/public_metrics", "interval": "10s", "scheme": "http",
		"relabelings": []any{
			map[string]any{"action": "replace", "targetLabel": "job", "replacement": "redpanda"},
			map[string]any{"action": "replace", "targetLabel": "cluster", "replacement": "prod"},
		},
	}})

	if n := len(mocks.ofType(typeContainer)) + len(mocks.ofType(typeRemoteImage)); n != 0 {
		t.Errorf("%d Docker resources on the kubernetes backend", n)
	}
	// The targets are still rendered for whoever wants a static scrape.
	assertContains(t, "scrape config", out.ScrapeConfigYAML, prodTargets...)
	assertEqual(t, "urls", []string{out.GrafanaURL, out.PrometheusURL}, []string{prodGrafanaURL, prodPromURL})
}

func TestKubernetesGrafana(t *testing.T) {
	mocks, out := runKubernetes(t, nil)

	p := mocks.one(t, typeGrafanaProv, "mon-grafana-provider")
	assertEqual(t, "provider", []any{p.in("url"), p.in("auth")}, []string{prodGrafanaURL, prodToken})
	if !p.secret("auth") {
		t.Error("provider auth (the token) is not secret")
	}

	ds := mocks.one(t, typeDataSource, "mon-datasource")
	assertEqual(t, "datasource", []any{ds.in("uid"), ds.in("url"), ds.in("isDefault")}, []any{"prometheus-prod", prodPromURL, false})

	rg := mocks.one(t, typeRuleGroup, "mon-rules")
	assertEqual(t, "rule group folder", rg.in("folderUid"), "market-bus-prod")
	rules := groupRules(t, rg)
	if len(rules) != len(defaultRules(t)) {
		t.Errorf("%d rules, want %d", len(rules), len(defaultRules(t)))
	}
	if len(mocks.ofType(typeDashboard)) != 3 {
		t.Errorf("%d dashboards, want 3", len(mocks.ofType(typeDashboard)))
	}
	for _, d := range mocks.ofType(typeDashboard) {
		assertContains(t, d.Name, d.str(t, "configJson"), `"prometheus-prod"`, `(prod)`)
	}

	cp := mocks.one(t, typeContactPoint, "mon-contact-point")
	assertEqual(t, "emails", cp.in("emails"), []any{map[string]any{
		"addresses": []any{"oncall@example.test"}, "singleEmail": true}})
	if cp.in("webhooks") != nil {
		t.Errorf("webhooks = %v, want none", cp.in("webhooks"))
	}
	if n := len(mocks.ofType(typeNotification)); n != 0 {
		t.Errorf("%d notification policies on the platform's shared Grafana, want none", n)
	}
	for name, r := range rules {
		if r.NotificationSettings == nil || r.NotificationSettings.ContactPoint != "market-bus-prod" {
			t.Errorf("%s notification settings = %+v, want contact point market-bus-prod", name, r.NotificationSettings)
		}
	}
	assertEqual(t, "uids", []string{out.FolderUID, out.DatasourceUID}, []string{"market-bus-prod", "prometheus-prod"})
	// The platform's Grafana keeps its database: nothing to replace with.
	if rw := mocks.one(t, typeFolder, "mon-folder").rpc.GetReplaceWith(); len(rw) != 0 {
		t.Errorf("folder replaceWith = %v, want none", rw)
	}
}

func TestKubernetesWithoutOperator(t *testing.T) {
	mocks, out := runKubernetes(t, func(a *Args) {
		a.PrometheusOperator = false
		a.Kubernetes.ServiceSelector = nil
	})
	if n := len(mocks.ofType(typeServiceMonitor)); n != 0 {
		t.Errorf("%d ServiceMonitors without the operator", n)
	}
	assertContains(t, "scrape config", out.ScrapeConfigYAML, append(slices.Clone(prodTargets),
		"job_name: redpanda", "metrics_path: /public_metrics", "cluster: prod")...)
	for _, r := range defaultRules(t) {
		assertContains(t, "rules YAML", out.RulesYAML, "alert: "+r.Name)
	}
}
