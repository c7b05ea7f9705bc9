package monitoring

import (
	"fmt"
	"time"

	"github.com/marketbus/market-bus/dashboards"
)

// Where the Docker backend puts its files inside the Prometheus container.
// /etc/prometheus/prometheus.yml is the image's default --config.file, so
// the upload replaces the stock config without touching the command line.
const (
	promConfigPath = "/etc/prometheus/prometheus.yml"
	promRulesPath  = "/etc/prometheus/redpanda.rules.yml"
)

// grafanaRuleInterval is the rule group's evaluation interval, as in
// Redpanda's provisioned Grafana alerts.
const grafanaRuleInterval = time.Minute

// plan is everything rendered from plain args before any resource exists,
// so a bad threshold or stack name fails before registration.
type plan struct {
	rules      []Rule
	rulesYAML  string
	ruleGroup  GrafanaRuleGroup
	dashboards []dashboardPlan
}

// dashboardPlan is one dashboard's rendered model.
type dashboardPlan struct {
	Slug  string
	Title string
	JSON  string
}

// render builds the alert table, both renderings of it and the dashboards
// from defaulted args.
func render(a Args) (plan, error) {
	var p plan
	var err error
	if p.rules, err = Alerts(AlertOptions{Thresholds: a.thresholds()}); err != nil {
		return plan{}, err
	}
	rulesYAML, err := PrometheusRules(p.rules, DefaultRuleGroup)
	if err != nil {
		return plan{}, err
	}
	p.rulesYAML = string(rulesYAML)
	p.ruleGroup, err = GrafanaRules(p.rules, GrafanaOptions{
		DatasourceUID: DatasourceUID(a.Stack),
		Interval:      grafanaRuleInterval,
		Notification: &GrafanaNotification{
			ContactPoint:   a.ContactPoint.Name,
			GroupBy:        a.Notification.GroupBy,
			RepeatInterval: a.Notification.RepeatInterval,
		},
	})
	if err != nil {
		return plan{}, err
	}
	opts := dashboards.Options{DatasourceUID: DatasourceUID(a.Stack), Stack: a.Stack, Thresholds: a.thresholds()}
	for _, def := range dashboards.Definitions() {
		d, err := def.Build(opts)
		if err != nil {
			return plan{}, fmt.Errorf("dashboard %s: %w", def.Slug, err)
		}
		js, err := dashboards.JSON(d)
		if err != nil {
			return plan{}, err
		}
		title := ""
		if d.Title != nil {
			title = *d.Title
		}
		p.dashboards = append(p.dashboards, dashboardPlan{Slug: def.Slug, Title: title, JSON: string(js)})
	}
	return p, nil
}

// promConfigFor renders the complete prometheus.yml the Docker backend
// uploads, with the rules file loaded.
func promConfigFor(stack string, targets []string) (string, error) {
	b, err := PrometheusConfig(ScrapeOptions{Targets: targets, Cluster: stack, RuleFiles: []string{promRulesPath}})
	return string(b), err
}

// scrapeConfigFor renders the scrape part alone, for a Prometheus someone
// else runs (Kubernetes without the operator), over TLS when the admin API
// serves it.
func scrapeConfigFor(stack string, targets []string, t ScrapeTLSArgs) (string, error) {
	o := ScrapeOptions{Targets: targets, Cluster: stack}
	if t.Enabled {
		// The targets are the pods' DNS names, which the certificate
		// lists: no server name override is needed.
		o.TLS = &ScrapeTLS{CAFile: t.CAFile}
	}
	b, err := ScrapeConfig(o)
	return string(b), err
}
