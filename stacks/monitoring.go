package stacks

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/marketbus/market-bus/components/cluster"
	"github.com/marketbus/market-bus/components/monitoring"
	"github.com/marketbus/market-bus/dashboards"
)

// Monitoring config keys; the secrets are separate keys so they stay encrypted in the stack file.
const (
	KeyMonitoring           = "monitoring"
	KeyGrafanaAdminPassword = "grafanaAdminPassword"
	KeyGrafanaToken         = "grafanaToken"
	KeyAlertWebhookURL      = "alertWebhookUrl"
)

// MonitoringSpec is Prometheus, Grafana and the alerting of a stack that owns its cluster.
type MonitoringSpec struct {
	Enabled *bool `json:"enabled"`
	// Docker: containers on the cluster's network.
	PrometheusImage string `json:"prometheusImage"`
	GrafanaImage    string `json:"grafanaImage"`
	PrometheusPort  int    `json:"prometheusPort"`
	GrafanaPort     int    `json:"grafanaPort"`
	// Kubernetes: the platform's Prometheus (operator or not) and Grafana.
	PrometheusOperator bool   `json:"prometheusOperator"`
	PrometheusURL      string `json:"prometheusUrl"`
	GrafanaURL         string `json:"grafanaUrl"`
	// Alerting: who is told, and when consumer lag is too much.
	ContactEmails       []string `json:"contactEmails"`
	LagThresholdRecords float64  `json:"lagThresholdRecords"`
	LagThresholdSeconds float64  `json:"lagThresholdSeconds"`
}

// IsEnabled reports whether the stack deploys monitoring.
func (m MonitoringSpec) IsEnabled() bool { return m.Enabled == nil || *m.Enabled }

func defaultMonitoring(stack string) MonitoringSpec {
	m := MonitoringSpec{
		PrometheusImage: "prom/prometheus:v2.53.2", GrafanaImage: "grafana/grafana:11.2.0",
		PrometheusPort: 9090, GrafanaPort: 3000, LagThresholdRecords: 10000, LagThresholdSeconds: 60,
		PrometheusURL: "http://prometheus-operated.monitoring.svc:9090",
	}
	switch stack {
	case "dev":
		m.ContactEmails = []string{"market-bus-dev@localhost"}
	case "local":
		// The local cluster is Apache Kafka, not Redpanda: there are no Redpanda metrics to watch.
		m.Enabled = pulumi.BoolRef(false)
	}
	return m
}

// thresholds derives the alert and dashboard thresholds from the stack: the produce p99
// alert fires at the gate's p99 SLO, so the two never disagree.
func (s Spec) thresholds() dashboards.Thresholds {
	t := dashboards.DefaultThresholds()
	t.Brokers = s.Cluster.Brokers
	if s.Gate.MaxP99LatencyMs > 0 {
		t.ProduceP99 = time.Duration(s.Gate.MaxP99LatencyMs * float64(time.Millisecond))
	}
	t.ConsumerLagRecords = s.Monitoring.LagThresholdRecords
	t.ConsumerLagTime = time.Duration(s.Monitoring.LagThresholdSeconds * float64(time.Second))
	return t
}

// monitoringArgs maps the spec and the cluster's outputs onto the component.
func monitoringArgs(s Spec, rp *cluster.RedpandaCluster, secrets monitoringSecrets) monitoring.Args {
	m := s.Monitoring
	a := monitoring.Args{
		Stack:      s.Stack,
		Backend:    monitoring.Backend(s.Cluster.Mode),
		Thresholds: s.thresholds(),
		ContactPoint: monitoring.ContactPointArgs{
			Name:           "market-bus-" + s.Stack,
			EmailAddresses: pulumi.ToStringArray(m.ContactEmails),
			WebhookURL:     secrets.webhook,
		},
		Docker: monitoring.DockerArgs{
			PrometheusImage: m.PrometheusImage, GrafanaImage: m.GrafanaImage,
			PrometheusHostPort: m.PrometheusPort, GrafanaHostPort: m.GrafanaPort,
			GrafanaAdminPassword: secrets.adminPassword,
		},
		Kubernetes: monitoring.KubernetesArgs{
			Namespace: s.Cluster.Namespace, PrometheusOperator: m.PrometheusOperator,
			ServiceSelector: cluster.MetricsServiceSelector("redpanda", s.Stack), AdminPortName: "admin",
			PrometheusURL: m.PrometheusURL, GrafanaURL: m.GrafanaURL, GrafanaToken: secrets.token,
			TLS: scrapeTLS(s.Cluster),
		},
	}
	if rp != nil {
		a.MetricsTargets = rp.MetricsTargets
		a.Docker.NetworkName = rp.NetworkName
	} else {
		a.MetricsTargets = pulumi.StringArray{pulumi.String("redpanda-0:9644")}
		a.Docker.NetworkName = pulumi.String("validation")
	}
	return a
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

// validateMonitoring runs the component's checks before anything is registered; has tells
// which secret keys are set.
func (s Spec) validateMonitoring(has func(string) bool) []error {
	if !s.Monitoring.IsEnabled() || (s.Cluster.Mode != ModeDocker && s.Cluster.Mode != ModeKubernetes) {
		return nil
	}
	present := func(key string) pulumi.StringInput {
		if has(key) {
			return pulumi.String("present")
		}
		return nil
	}
	return inStackKeys(monitoring.Validate(monitoringArgs(s, nil, monitoringSecrets{
		adminPassword: present(KeyGrafanaAdminPassword), token: present(KeyGrafanaToken), webhook: present(KeyAlertWebhookURL),
	})), monitoringKeyReplacer())
}

// deployMonitoring creates Prometheus, Grafana and the alerting for the stack's cluster.
func deployMonitoring(ctx *pulumi.Context, s Spec, rp *cluster.RedpandaCluster, secrets monitoringSecrets) error {
	if !s.Monitoring.IsEnabled() || rp == nil {
		return nil
	}
	mon, err := monitoring.NewMonitoring(ctx, "monitoring", ptr(monitoringArgs(s, rp, secrets)))
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

// inStackKeys splits a component's joined validation error into its problems and rewrites
// the component's field names into the stack keys that set them.
func inStackKeys(err error, r *strings.Replacer) []error {
	if err == nil {
		return nil
	}
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) {
		return []error{errors.New(r.Replace(err.Error()))}
	}
	out := make([]error, 0, len(joined.Unwrap()))
	for _, e := range joined.Unwrap() {
		out = append(out, errors.New(r.Replace(e.Error())))
	}
	return out
}

// monitoringKeyReplacer rewrites the monitoring component's field names into stack keys.
func monitoringKeyReplacer() *strings.Replacer {
	k := func(s string) string { return Project + ":" + s }
	return strings.NewReplacer(
		"Docker.GrafanaAdminPassword", k(KeyGrafanaAdminPassword)+" (secret)",
		"Docker.PrometheusHostPort", k("monitoring.prometheusPort"),
		"Docker.GrafanaHostPort", k("monitoring.grafanaPort"),
		"Docker.PrometheusImage", k("monitoring.prometheusImage"),
		"Docker.GrafanaImage", k("monitoring.grafanaImage"),
		"Kubernetes.GrafanaURL", k("monitoring.grafanaUrl"),
		"Kubernetes.GrafanaToken", k(KeyGrafanaToken)+" (secret)",
		"Kubernetes.Namespace", k("cluster.namespace"),
		"ContactPoint", k("monitoring.contactEmails / "+KeyAlertWebhookURL),
	)
}
