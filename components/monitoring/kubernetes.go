package monitoring

import (
	"fmt"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/marketbus/market-bus/dashboards"
	"github.com/marketbus/market-bus/sdk/go/grafana"
)

// ServiceMonitor identity (prometheus-operator).
const (
	serviceMonitorAPIVersion = "monitoring.coreos.com/v1"
	serviceMonitorKind       = "ServiceMonitor"
	// scrapeInterval matches ScrapeConfig's default and Redpanda's
	// reference setup.
	scrapeInterval = "10s"
)

// deployKubernetes feeds the platform's Prometheus (a ServiceMonitor, or
// the exported scrape config) and configures a Grafana provider with the
// service-account token. The k8s provider is the one the caller gives the
// component (pulumi.Provider / pulumi.Providers), inherited by the
// ServiceMonitor through Parent.
func deployKubernetes(ctx *pulumi.Context, parent pulumi.Resource, name string, a Args) (backendResult, error) {
	k := a.Kubernetes
	be := backendResult{
		grafanaURL:    pulumi.String(k.GrafanaURL).ToStringOutputWithContext(ctx.Context()),
		prometheusURL: pulumi.String(k.PrometheusURL).ToStringOutputWithContext(ctx.Context()),
		datasourceURL: k.PrometheusURL,
		scrapeConfig:  pulumi.String("").ToStringOutputWithContext(ctx.Context()),
	}
	if a.MetricsTargets != nil {
		be.scrapeConfig = a.MetricsTargets.ToStringArrayOutput().ApplyT(func(targets []string) (string, error) {
			return scrapeConfigFor(a.Stack, targets)
		}).(pulumi.StringOutput)
	}
	if k.PrometheusOperator {
		if _, err := apiextensions.NewCustomResource(ctx, name+"-servicemonitor", serviceMonitorArgs(a),
			pulumi.Parent(parent)); err != nil {
			return backendResult{}, fmt.Errorf("service monitor: %w", err)
		}
	}

	prov, err := grafana.NewProvider(ctx, name+"-grafana-provider", &grafana.ProviderArgs{
		Url:  pulumi.String(k.GrafanaURL),
		Auth: pulumi.ToSecret(k.GrafanaToken).(pulumi.StringOutput),
	}, pulumi.Parent(parent))
	if err != nil {
		return backendResult{}, fmt.Errorf("grafana provider: %w", err)
	}
	be.provider = prov
	return be, nil
}

// serviceMonitorArgs selects the brokers' Service and scrapes its admin
// port the way ScrapeConfig does for static targets.
func serviceMonitorArgs(a Args) *apiextensions.CustomResourceArgs {
	k := a.Kubernetes
	labels := map[string]string{
		"app.kubernetes.io/name":       "redpanda",
		"app.kubernetes.io/component":  "monitoring",
		"app.kubernetes.io/part-of":    "market-bus",
		"app.kubernetes.io/managed-by": "pulumi",
		"marketbus/stack":              a.Stack,
	}
	for lk, lv := range k.ServiceMonitorLabels {
		labels[lk] = lv
	}
	return &apiextensions.CustomResourceArgs{
		ApiVersion: pulumi.String(serviceMonitorAPIVersion),
		Kind:       pulumi.String(serviceMonitorKind),
		Metadata: metav1.ObjectMetaArgs{
			Name:      pulumi.String("redpanda-" + a.Stack),
			Namespace: pulumi.String(k.Namespace),
			Labels:    pulumi.ToStringMap(labels),
		},
		OtherFields: kubernetes.UntypedArgs{
			"spec": map[string]any{
				"selector":          map[string]any{"matchLabels": stringMap(k.ServiceSelector)},
				"namespaceSelector": map[string]any{"matchNames": []any{k.Namespace}},
				"endpoints": []any{map[string]any{
					"port":     k.AdminPortName,
					"path":     MetricsPath,
					"interval": scrapeInterval,
					// The operator names the job after the Service and adds
					// no cluster label; the alert rules select
					// job="redpanda" and the dashboards filter on cluster,
					// as the static scrape config sets them. Endpoint
					// relabelings run after the operator's own, so these win.
					"relabelings": []any{
						map[string]any{"action": "replace", "targetLabel": "job", "replacement": DefaultJob},
						map[string]any{"action": "replace", "targetLabel": dashboards.ClusterLabel, "replacement": a.Stack},
					},
				}},
			},
		},
	}
}

// stringMap converts labels to the untyped form OtherFields marshals.
func stringMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
