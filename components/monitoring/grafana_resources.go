package monitoring

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/marketbus/market-bus/sdk/go/grafana/alerting"
	"github.com/marketbus/market-bus/sdk/go/grafana/oss"
)

// grafanaObjects are the Grafana resources of one stack.
type grafanaObjects struct {
	folder       *oss.Folder
	datasource   *oss.DataSource
	dashboards   map[string]*oss.Dashboard // by slug
	ruleGroup    *alerting.RuleGroup
	contactPoint *alerting.ContactPoint
}

// dashboardURLs maps each dashboard's slug to its URL.
func (g *grafanaObjects) dashboardURLs() pulumi.StringMapOutput {
	m := pulumi.StringMap{}
	for slug, d := range g.dashboards {
		m[slug] = d.Url
	}
	return m.ToStringMapOutput()
}

// deployGrafana creates the stack's folder, data source, dashboards, contact
// point and rule group through the backend's Grafana provider. No
// notification policy: that is the organisation's one routing tree, shared
// with every other team (creating it replaces their routes, destroying it
// resets it to Grafana's default). Each rule names the contact point itself.
func deployGrafana(ctx *pulumi.Context, parent pulumi.Resource, name string, a Args, p plan, be backendResult) (*grafanaObjects, error) {
	base := []pulumi.ResourceOption{pulumi.Parent(parent), pulumi.Provider(be.provider)}
	if len(be.replaceWith) > 0 {
		// A new Grafana container starts with an empty database: recreate
		// every object in it. Delete first: the UIDs are fixed, and a
		// create-then-delete would delete the object just created. (The
		// old objects are gone with the old database; Terraform-bridged
		// providers treat a delete that finds nothing as done.)
		base = append(base, pulumi.ReplaceWith(be.replaceWith), pulumi.DeleteBeforeReplace(true))
	}
	opts := func(extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
		return append(slices.Clone(base), extra...)
	}
	g := &grafanaObjects{dashboards: map[string]*oss.Dashboard{}}
	var err error

	g.folder, err = oss.NewFolder(ctx, name+"-folder", &oss.FolderArgs{
		Title: pulumi.String(folderTitle(a.Stack)),
		Uid:   pulumi.String(FolderUID(a.Stack)),
	}, opts()...)
	if err != nil {
		return nil, fmt.Errorf("folder: %w", err)
	}

	jsonData, err := json.Marshal(datasourceJSONData())
	if err != nil {
		return nil, fmt.Errorf("data source json: %w", err)
	}
	g.datasource, err = oss.NewDataSource(ctx, name+"-datasource", &oss.DataSourceArgs{
		Type:            pulumi.String("prometheus"),
		Name:            pulumi.String(datasourceName(a.Stack)),
		Uid:             pulumi.String(DatasourceUID(a.Stack)),
		Url:             pulumi.String(be.datasourceURL),
		AccessMode:      pulumi.String("proxy"), // Grafana's server queries, not the browser
		IsDefault:       pulumi.Bool(be.datasourceDefault),
		JsonDataEncoded: pulumi.String(string(jsonData)),
	}, opts()...)
	if err != nil {
		return nil, fmt.Errorf("data source: %w", err)
	}

	for _, d := range p.dashboards {
		dash, err := oss.NewDashboard(ctx, name+"-dashboard-"+d.Slug, &oss.DashboardArgs{
			ConfigJson: pulumi.String(d.JSON),
			Folder:     g.folder.Uid,
			// The dashboards are read-only code; a copy edited in the UI is
			// replaced, not merged.
			Overwrite: pulumi.Bool(true),
		}, opts()...)
		if err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", d.Slug, err)
		}
		g.dashboards[d.Slug] = dash
	}

	g.contactPoint, err = alerting.NewContactPoint(ctx, name+"-contact-point", contactPointArgs(a.ContactPoint, a.ContactEmails), opts()...)
	if err != nil {
		return nil, fmt.Errorf("contact point: %w", err)
	}

	// Grafana refuses a rule whose query names a data source, or whose
	// notification settings name a contact point, it does not know; both
	// are plain strings here, hence the explicit dependencies.
	g.ruleGroup, err = alerting.NewRuleGroup(ctx, name+"-rules", &alerting.RuleGroupArgs{
		Name:            pulumi.String(p.ruleGroup.Name),
		FolderUid:       g.folder.Uid,
		IntervalSeconds: pulumi.Int(p.ruleGroup.IntervalSeconds),
		Rules:           ruleGroupRules(p.ruleGroup),
	}, opts(pulumi.DependsOn([]pulumi.Resource{g.datasource, g.contactPoint}))...)
	if err != nil {
		return nil, fmt.Errorf("rule group: %w", err)
	}
	return g, nil
}

// ruleGroupRules maps the rendered rules onto the provider's rule inputs.
func ruleGroupRules(g GrafanaRuleGroup) alerting.RuleGroupRuleArray {
	out := make(alerting.RuleGroupRuleArray, 0, len(g.Rules))
	for _, r := range g.Rules {
		datas := make(alerting.RuleGroupRuleDataArray, 0, len(r.Data))
		for _, q := range r.Data {
			d := alerting.RuleGroupRuleDataArgs{
				RefId:         pulumi.String(q.RefID),
				DatasourceUid: pulumi.String(q.DatasourceUID),
				Model:         pulumi.String(q.Model),
				RelativeTimeRange: alerting.RuleGroupRuleDataRelativeTimeRangeArgs{
					From: pulumi.Int(q.RelativeTimeRange.From),
					To:   pulumi.Int(q.RelativeTimeRange.To),
				},
			}
			if q.QueryType != "" {
				d.QueryType = pulumi.String(q.QueryType)
			}
			datas = append(datas, d)
		}
		var notify alerting.RuleGroupRuleNotificationSettingsPtrInput
		if n := r.NotificationSettings; n != nil {
			notify = alerting.RuleGroupRuleNotificationSettingsArgs{
				ContactPoint:   pulumi.String(n.ContactPoint),
				GroupBies:      pulumi.ToStringArray(n.GroupBy),
				GroupWait:      pulumi.StringPtr(n.GroupWait),
				GroupInterval:  pulumi.StringPtr(n.GroupInterval),
				RepeatInterval: pulumi.StringPtr(n.RepeatInterval),
			}
		}
		out = append(out, alerting.RuleGroupRuleArgs{
			NotificationSettings: notify,
			Name:                 pulumi.String(r.Name),
			For:                  pulumi.String(r.For),
			Condition:            pulumi.String(r.Condition),
			NoDataState:          pulumi.String(r.NoDataState),
			ExecErrState:         pulumi.String(r.ExecErrState),
			Labels:               pulumi.ToStringMap(r.Labels),
			Annotations:          pulumi.ToStringMap(r.Annotations),
			Datas:                datas,
		})
	}
	return out
}

// contactPointArgs builds the receivers: the webhook and the addresses.
// The webhook URL is always secret: chat and incident-tool webhooks embed
// their credential in the URL.
func contactPointArgs(c ContactPointArgs, emails []string) *alerting.ContactPointArgs {
	args := &alerting.ContactPointArgs{Name: pulumi.String(c.Name)}
	if c.WebhookURL != nil {
		args.Webhooks = alerting.ContactPointWebhookArray{alerting.ContactPointWebhookArgs{
			Url:        pulumi.ToSecret(c.WebhookURL).(pulumi.StringOutput),
			HttpMethod: pulumi.String("POST"),
		}}
	}
	if len(emails) > 0 {
		args.Emails = alerting.ContactPointEmailArray{alerting.ContactPointEmailArgs{
			Addresses: pulumi.ToStringArray(emails),
			// One mail to all addresses: a reply-all reaches the whole rota.
			SingleEmail: pulumi.Bool(true),
		}}
	}
	return args
}

// folderTitle and datasourceName are the names of the stack's Grafana
// folder and data source, however they are created.
func folderTitle(stack string) string    { return fmt.Sprintf("Market bus (%s)", stack) }
func datasourceName(stack string) string { return fmt.Sprintf("Prometheus (%s)", stack) }

// datasourceJSONData is the Prometheus data source's settings. timeInterval
// is the scrape interval: Grafana's $__rate_interval is derived from it, so
// rate() windows always span several scrapes.
func datasourceJSONData() map[string]string {
	return map[string]string{
		"httpMethod":     "POST",
		"prometheusType": "Prometheus",
		"timeInterval":   scrapeInterval,
	}
}
