package stacks

import (
	"fmt"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/marketbus/market-bus/components/cluster"
	"github.com/marketbus/market-bus/components/monitoring"
	"github.com/marketbus/market-bus/dashboards"
	"github.com/marketbus/market-bus/fielderr"
)

// Monitoring config keys; the secrets are separate keys so they stay encrypted in the stack file.
const (
	KeyMonitoring           = "monitoring"
	KeyGrafanaAdminPassword = "grafanaAdminPassword"
	KeyGrafanaToken         = "grafanaToken"
	KeyAlertWebhookURL      = "alertWebhookUrl"
)

// MonitoringSpec is Prometheus, Grafana and the alerting of a stack that owns its cluster:
// the monitoring component's own config, decoded from market-bus:monitoring.
type MonitoringSpec = monitoring.Config

// thresholds derives the alert and dashboard thresholds from the stack: the produce p99
// alert fires at the gate's p99 SLO, so the two never disagree. The consumer-lag ones are
// the component's own config (monitoring.lagThresholdRecords and lagThresholdSeconds).
func (s Spec) thresholds() dashboards.Thresholds {
	t := dashboards.DefaultThresholds()
	t.Brokers = s.Cluster.Brokers
	if s.Gate.MaxP99LatencyMs > 0 {
		t.ProduceP99 = time.Duration(s.Gate.MaxP99LatencyMs * float64(time.Millisecond))
	}
	return t
}

// monitoringArgs wires the spec's monitoring config into the component with the stack's
// thresholds, the cluster's namespace and Service, and the secrets; the cluster's outputs
// (metrics targets, Docker network) are deployMonitoring's to add.
func monitoringArgs(s Spec, secrets monitoringSecrets) monitoring.Args {
	return monitoring.Args{
		Config:       s.Monitoring,
		Stack:        s.Stack,
		Backend:      s.Cluster.Mode,
		Thresholds:   s.thresholds(),
		ContactPoint: monitoring.ContactPointArgs{Name: "market-bus-" + s.Stack, WebhookURL: secrets.webhook},
		Docker:       monitoring.DockerArgs{GrafanaAdminPassword: secrets.adminPassword},
		Kubernetes: monitoring.KubernetesArgs{
			Namespace:       s.Cluster.Namespace,
			ServiceSelector: cluster.MetricsServiceSelector(clusterInstance, s.Stack), AdminPortName: "admin",
			GrafanaToken: secrets.token,
			TLS:          scrapeTLS(s.Cluster),
		},
	}
}

// scrapeTLS is how Prometheus reaches the admin API: the cluster's TLS covers it, so
// Prometheus verifies it with the CA of the brokers' certificate Secret (cert-manager's, or
// the platform's tlsSecret) under the headless Service's name, which the certificate lists.
func scrapeTLS(c ClusterSpec) monitoring.ScrapeTLSArgs {
	if c.Mode != ModeKubernetes || !c.TLSOn() {
		return monitoring.ScrapeTLSArgs{}
	}
	secret := c.TLSSecret
	if c.CertIssuer != "" {
		secret = cluster.CertificateName
	}
	return monitoring.ScrapeTLSArgs{
		Enabled:      true,
		CASecretName: secret,
		ServerName:   fmt.Sprintf("%s.%s.svc.%s", cluster.DefaultServiceName, c.Namespace, cluster.DefaultClusterDomain),
	}
}

// monitoringSecrets are the secret inputs; nil when not configured.
type monitoringSecrets struct {
	adminPassword, token, webhook pulumi.StringInput
}

// validateMonitoring checks market-bus:monitoring before anything is registered: the
// component's checks of its config, then the secrets that are stack keys of their own (has
// tells which are set). The rest of the component's wiring is the stack's: the cluster's
// outputs, and its namespace, which the cluster's checks refuse as cluster.namespace.
func (s Spec) validateMonitoring(has func(string) bool) []error {
	if !s.Monitoring.IsEnabled() || !s.Cluster.Creates() {
		return nil
	}
	errs := underKey(KeyMonitoring, monitoring.Validate(s.Monitoring, monitoring.Env{Stack: s.Stack, Backend: s.Cluster.Mode}))
	secret := func(key, why string) {
		if !has(key) {
			errs = append(errs, fielderr.New(Key(key), "(not set)", "a required secret: "+why,
				fmt.Sprintf("set it with `busctl config set --secret %s -s %s`", key, s.Stack)))
		}
	}
	switch s.Cluster.Mode {
	case ModeDocker:
		secret(KeyGrafanaAdminPassword, "the password of the stack's Grafana admin, which the Grafana provider signs in with")
	case ModeKubernetes:
		secret(KeyGrafanaToken, "the service-account token the Grafana provider manages "+Key("monitoring.grafanaUrl")+" with")
	}
	if len(s.Monitoring.ContactEmails) == 0 && !has(KeyAlertWebhookURL) {
		errs = append(errs, fielderr.New(Key("monitoring.contactEmails"), "[]", "alerts would reach no one: no address, and the secret "+Key(KeyAlertWebhookURL)+" is not set",
			fmt.Sprintf("list an address, e.g. [oncall@example.com], or set a webhook with `busctl config set --secret %s -s %s`", KeyAlertWebhookURL, s.Stack)))
	}
	return errs
}

// deployMonitoring creates Prometheus, Grafana and the alerting for the stack's cluster.
func deployMonitoring(ctx *pulumi.Context, s Spec, rp *cluster.RedpandaCluster, secrets monitoringSecrets) error {
	if !s.Monitoring.IsEnabled() || rp == nil {
		return nil
	}
	args := monitoringArgs(s, secrets)
	args.MetricsTargets, args.Docker.NetworkName = rp.MetricsTargets, rp.NetworkName
	mon, err := monitoring.NewMonitoring(ctx, "monitoring", &args)
	if err != nil {
		return fmt.Errorf("registering monitoring: %w", err)
	}
	ctx.Export("grafanaUrl", mon.GrafanaURL)
	ctx.Export("prometheusUrl", mon.PrometheusURL)
	ctx.Export("dashboards", mon.DashboardURLs)
	ctx.Export("prometheusScrapeConfig", mon.ScrapeConfigYAML)
	ctx.Export("prometheusRules", mon.RulesYAML)
	return nil
}
