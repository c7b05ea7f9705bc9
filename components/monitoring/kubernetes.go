package monitoring

import (
	"fmt"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/utilities"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"gopkg.in/yaml.v3"

	"github.com/marketbus/market-bus/components/cluster"
	"github.com/marketbus/market-bus/dashboards"
	"github.com/marketbus/market-bus/sdk/go/grafana"
)

// prometheus-operator identities.
const (
	serviceMonitorAPIVersion = "monitoring.coreos.com/v1"
	serviceMonitorKind       = "ServiceMonitor"
	prometheusRuleKind       = "PrometheusRule"
	// scrapeInterval matches ScrapeConfig's default and Redpanda's
	// reference setup.
	scrapeInterval = "10s"
)

// deployKubernetes feeds the platform's Prometheus (a ServiceMonitor and a
// PrometheusRule, or the exported scrape config) and configures a Grafana
// provider with the service-account token. The k8s provider is the one the
// caller gives the component (pulumi.Provider / pulumi.Providers), inherited
// by the custom resources through Parent.
func deployKubernetes(ctx *pulumi.Context, parent pulumi.Resource, name string, a Args, p plan) (backendResult, error) {
	k := a.Kubernetes
	be := backendResult{
		grafanaURL:    pulumi.String(a.GrafanaURL).ToStringOutputWithContext(ctx.Context()),
		prometheusURL: pulumi.String(a.PrometheusURL).ToStringOutputWithContext(ctx.Context()),
		datasourceURL: a.PrometheusURL,
		scrapeConfig:  pulumi.String("").ToStringOutputWithContext(ctx.Context()),
	}
	if a.MetricsTargets != nil {
		be.scrapeConfig = a.MetricsTargets.ToStringArrayOutput().ApplyT(func(targets []string) (string, error) {
			return scrapeConfigFor(a.Stack, targets, k.TLS)
		}).(pulumi.StringOutput)
	}
	if a.PrometheusOperator {
		// With the SDK's version, as the typed resources: one default Kubernetes provider,
		// not a second, unversioned one for the custom resources.
		if _, err := apiextensions.NewCustomResource(ctx, name+"-servicemonitor", serviceMonitorArgs(a),
			utilities.PkgResourceDefaultOpts([]pulumi.ResourceOption{pulumi.Parent(parent)})...); err != nil {
			return backendResult{}, fmt.Errorf("service monitor: %w", err)
		}
		ruleArgs, err := prometheusRuleArgs(a, p.rulesYAML)
		if err != nil {
			return backendResult{}, err
		}
		if _, err := apiextensions.NewCustomResource(ctx, name+"-prometheusrule", ruleArgs,
			utilities.PkgResourceDefaultOpts([]pulumi.ResourceOption{pulumi.Parent(parent)})...); err != nil {
			return backendResult{}, fmt.Errorf("prometheus rule: %w", err)
		}
	}

	prov, err := grafana.NewProvider(ctx, name+"-grafana-provider", &grafana.ProviderArgs{
		Url:  pulumi.String(a.GrafanaURL),
		Auth: pulumi.ToSecret(k.GrafanaToken).(pulumi.StringOutput),
	}, pulumi.Parent(parent))
	if err != nil {
		return backendResult{}, fmt.Errorf("grafana provider: %w", err)
	}
	be.provider = prov
	return be, nil
}

// operatorLabels label the ServiceMonitor and the PrometheusRule; the
// caller's ServiceMonitorLabels are what the Prometheus selects them by.
func operatorLabels(a Args) map[string]string {
	labels := map[string]string{
		"app.kubernetes.io/name":       cluster.AppName,
		"app.kubernetes.io/component":  "monitoring",
		"app.kubernetes.io/part-of":    "market-bus",
		"app.kubernetes.io/managed-by": "pulumi",
		"marketbus/stack":              a.Stack,
	}
	for lk, lv := range a.Kubernetes.ServiceMonitorLabels {
		labels[lk] = lv
	}
	return labels
}

// prometheusRuleArgs carries the rules file as a PrometheusRule: its spec
// is the rendered file itself (a PrometheusRule's spec has the rules file's
// groups shape), so the two cannot drift.
func prometheusRuleArgs(a Args, rulesYAML string) (*apiextensions.CustomResourceArgs, error) {
	var spec map[string]any
	if err := yaml.Unmarshal([]byte(rulesYAML), &spec); err != nil {
		return nil, fmt.Errorf("prometheus rule: decode the rules file: %w", err)
	}
	return &apiextensions.CustomResourceArgs{
		ApiVersion: pulumi.String(serviceMonitorAPIVersion),
		Kind:       pulumi.String(prometheusRuleKind),
		Metadata: metav1.ObjectMetaArgs{
			Name:      pulumi.String("redpanda-" + a.Stack),
			Namespace: pulumi.String(a.Kubernetes.Namespace),
			Labels:    pulumi.ToStringMap(operatorLabels(a)),
		},
		OtherFields: kubernetes.UntypedArgs{"spec": spec},
	}, nil
}

// endpointTLS is the ServiceMonitor endpoint's scheme and tlsConfig: the
// CA from the cluster's certificate Secret, and a name the certificate
// lists, since the operator's targets are pod IPs.
func endpointTLS(t ScrapeTLSArgs, endpoint map[string]any) {
	if !t.Enabled {
		endpoint["scheme"] = "http"
		return
	}
	endpoint["scheme"] = "https"
	endpoint["tlsConfig"] = map[string]any{
		"ca":         map[string]any{"secret": map[string]any{"name": t.CASecretName, "key": t.CASecretKey}},
		"serverName": t.ServerName,
	}
}

// serviceMonitorArgs selects the brokers' Service and scrapes its admin
// port the way ScrapeConfig does for static targets.
func serviceMonitorArgs(a Args) *apiextensions.CustomResourceArgs {
	k := a.Kubernetes
	endpoint := map[string]any{
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
	}
	endpointTLS(k.TLS, endpoint)
	return &apiextensions.CustomResourceArgs{
		ApiVersion: pulumi.String(serviceMonitorAPIVersion),
		Kind:       pulumi.String(serviceMonitorKind),
		Metadata: metav1.ObjectMetaArgs{
			Name:      pulumi.String("redpanda-" + a.Stack),
			Namespace: pulumi.String(k.Namespace),
			Labels:    pulumi.ToStringMap(operatorLabels(a)),
		},
		OtherFields: kubernetes.UntypedArgs{
			"spec": map[string]any{
				"selector":          map[string]any{"matchLabels": stringMap(k.ServiceSelector)},
				"namespaceSelector": map[string]any{"matchNames": []any{k.Namespace}},
				"endpoints":         []any{endpoint},
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
