package monitoring

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/marketbus/market-bus/sdk/go/grafana"
)

// TypeToken is the component's Pulumi type.
const TypeToken = "marketbus:monitoring:Monitoring"

// Monitoring is the monitoring of one Redpanda cluster: Prometheus scraping
// the brokers with the alert rules loaded, and a Grafana with the stack's
// folder, data source, dashboards, contact point and alert rules (each rule
// names the contact point: no notification policy is created).
type Monitoring struct {
	pulumi.ResourceState

	// GrafanaURL is where users open Grafana.
	GrafanaURL pulumi.StringOutput
	// PrometheusURL is Prometheus' URL: on the host for Docker, as Grafana
	// reaches it for Kubernetes.
	PrometheusURL pulumi.StringOutput
	// DatasourceUID is the Grafana Prometheus data source's UID.
	DatasourceUID pulumi.StringOutput
	// FolderUID is the Grafana folder holding dashboards and rules.
	FolderUID pulumi.StringOutput
	// DashboardURLs are the dashboards' URLs by slug (kafka-overview,
	// topic-metrics, consumer-lag).
	DashboardURLs pulumi.StringMapOutput
	// ScrapeConfigYAML is the Prometheus config: the whole prometheus.yml
	// the Docker backend uploads, or the scrape part to merge into the
	// platform's Prometheus on Kubernetes ("" when no MetricsTargets are
	// given, which only the operator's ServiceMonitor allows).
	ScrapeConfigYAML pulumi.StringOutput
	// RulesYAML is the Prometheus rules file rendered from the alert table.
	RulesYAML pulumi.StringOutput
}

// backendResult is what a backend hands the shared Grafana part.
type backendResult struct {
	provider      *grafana.Provider
	grafanaURL    pulumi.StringOutput
	prometheusURL pulumi.StringOutput
	// datasourceURL is Prometheus as Grafana's server reaches it.
	datasourceURL string
	// datasourceDefault makes the data source Grafana's default: right for
	// the stack's own Grafana, wrong for a shared one.
	datasourceDefault bool
	scrapeConfig      pulumi.StringOutput
	// replaceWith are resources whose replacement wipes Grafana (the
	// Docker backend's container, which has no data volume): the Grafana
	// objects are then replaced too, instead of lingering in state only.
	replaceWith []pulumi.Resource
}

// NewMonitoring validates args, renders the alert table and dashboards, and
// creates the monitoring on the chosen backend. Nothing is registered when
// args are invalid or a rendering fails.
func NewMonitoring(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Monitoring, error) {
	if args == nil {
		return nil, fmt.Errorf("monitoring %q: args are required", name)
	}
	a := args.withDefaults()
	if errs := validateArgs(a); len(errs) > 0 {
		return nil, fmt.Errorf("monitoring %q: invalid args:\n%w", name, errors.Join(errs...))
	}
	p, err := render(a)
	if err != nil {
		return nil, fmt.Errorf("monitoring %q: %w", name, err)
	}

	m := &Monitoring{}
	if err := ctx.RegisterComponentResource(TypeToken, name, m, opts...); err != nil {
		return nil, fmt.Errorf("monitoring %q: register component: %w", name, err)
	}
	var be backendResult
	switch a.Backend {
	case BackendDocker:
		be, err = deployDocker(ctx, m, name, a, p)
	case BackendKubernetes:
		be, err = deployKubernetes(ctx, m, name, a, p)
	}
	if err != nil {
		return nil, fmt.Errorf("monitoring %q: %w", name, err)
	}
	g, err := deployGrafana(ctx, m, name, a, p, be)
	if err != nil {
		return nil, fmt.Errorf("monitoring %q: grafana: %w", name, err)
	}

	m.GrafanaURL = be.grafanaURL
	m.PrometheusURL = be.prometheusURL
	m.DatasourceUID = g.datasource.Uid
	m.FolderUID = g.folder.Uid
	m.DashboardURLs = g.dashboardURLs()
	m.ScrapeConfigYAML = be.scrapeConfig
	m.RulesYAML = pulumi.String(p.rulesYAML).ToStringOutputWithContext(ctx.Context())
	if err := ctx.RegisterResourceOutputs(m, pulumi.Map{
		"grafanaUrl":       m.GrafanaURL,
		"prometheusUrl":    m.PrometheusURL,
		"datasourceUid":    m.DatasourceUID,
		"folderUid":        m.FolderUID,
		"dashboardUrls":    m.DashboardURLs,
		"scrapeConfigYaml": m.ScrapeConfigYAML,
		"rulesYaml":        m.RulesYAML,
	}); err != nil {
		return nil, fmt.Errorf("monitoring %q: register outputs: %w", name, err)
	}
	return m, nil
}
