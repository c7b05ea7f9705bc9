//lint:file-ignore SA1019 the v1 dashboard model (deprecated in the SDK for v2) is the JSON that Grafana's dashboard API and the grafana Dashboard resource take

package dashboards

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
)

// Definition names one dashboard and the function that builds it, so callers
// (the monitoring component, the tests) can iterate all of them.
type Definition struct {
	// Slug is a stable short name: the UID suffix and a good Pulumi
	// resource name ("kafka-overview", "topic-metrics", "consumer-lag").
	Slug  string
	Build func(Options) (dashboard.Dashboard, error)
}

// Definitions returns every dashboard of the project.
func Definitions() []Definition {
	return []Definition{
		{Slug: slugOverview, Build: KafkaOverview},
		{Slug: slugTopics, Build: TopicMetrics},
		{Slug: slugLag, Build: ConsumerLag},
	}
}

// UID returns the Grafana UID of the dashboard slug for a stack; stable
// across builds so re-deploys update in place.
func UID(stack, slug string) string { return stack + "-" + slug }

// JSON renders a dashboard the way Grafana's Dashboard.configJson expects:
// the full dashboard model, indented, with a trailing newline.
func JSON(d dashboard.Dashboard) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // PromQL's <, > and & stay readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, fmt.Errorf("dashboards: marshal %q: %w", deref(d.Title), err)
	}
	return buf.Bytes(), nil
}

// newBoard starts a dashboard with the settings and variables every
// dashboard shares: $datasource, $cluster and $topic; withGroup adds $group.
func newBoard(o Options, slug, title, description string, withGroup bool) *dashboard.DashboardBuilder {
	b := dashboard.NewDashboardBuilder(title).
		Uid(UID(o.Stack, slug)).
		Description(description).
		Tags([]string{"market-bus", "redpanda", o.Stack}).
		Refresh(o.Refresh).
		Time("now-1h", "now").
		Timezone(common.TimeZoneBrowser).
		Tooltip(dashboard.DashboardCursorSyncCrosshair).
		Readonly(). // edits belong in Go, not in the UI
		WithVariable(dashboard.NewDatasourceVariableBuilder(VarDatasource).
			Label("Data source").
			Type("prometheus").
			Current(option(o.DatasourceUID))).
		WithVariable(queryVariable(VarCluster, "Cluster",
			fmt.Sprintf("label_values(redpanda_application_uptime_seconds_total, %s)", ClusterLabel), false).
			Current(option(o.Stack)))
	m := newMatchers()
	if withGroup {
		b = b.WithVariable(queryVariable(VarGroup, "Consumer group",
			fmt.Sprintf("label_values(redpanda_kafka_consumer_group_committed_offset{%s}, redpanda_group)", m.cluster), true))
		b = b.WithVariable(queryVariable(VarTopic, "Topic",
			fmt.Sprintf("label_values(redpanda_kafka_consumer_group_committed_offset{%s, %s}, redpanda_topic)", m.cluster, m.group), true))
		return b
	}
	return b.WithVariable(queryVariable(VarTopic, "Topic",
		fmt.Sprintf("label_values(redpanda_kafka_request_bytes_total{%s, %s}, redpanda_topic)", m.cluster, m.ns), true))
}

// queryVariable is a Prometheus label_values variable. multi variables allow
// several values and "All" (matched with =~, hence AllValue ".*"); single
// ones are matched with =, which keeps one-to-one joins (consumer lag)
// unambiguous.
func queryVariable(name, label, query string, multi bool) *dashboard.QueryVariableBuilder {
	v := dashboard.NewQueryVariableBuilder(name).
		Label(label).
		Datasource(datasourceRef()).
		Query(dashboard.StringOrMap{String: cog.ToPtr(query)}).
		Definition(query).
		Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
		Sort(dashboard.VariableSortAlphabeticalAsc)
	if multi {
		v = v.Multi(true).IncludeAll(true).AllValue(".*").Current(allOption())
	}
	return v
}

func option(value string) dashboard.VariableOption {
	return dashboard.VariableOption{
		Selected: cog.ToPtr(true),
		Text:     dashboard.StringOrArrayOfString{String: cog.ToPtr(value)},
		Value:    dashboard.StringOrArrayOfString{String: cog.ToPtr(value)},
	}
}

func allOption() dashboard.VariableOption {
	return dashboard.VariableOption{
		Selected: cog.ToPtr(true),
		Text:     dashboard.StringOrArrayOfString{ArrayOfString: []string{"All"}},
		Value:    dashboard.StringOrArrayOfString{ArrayOfString: []string{"$__all"}},
	}
}

// build finishes a dashboard and numbers its panels in grid order, so the
// JSON is stable and panel links (viewPanel=N) survive rebuilds.
func build(b *dashboard.DashboardBuilder) (dashboard.Dashboard, error) {
	d, err := b.Build()
	if err != nil {
		return dashboard.Dashboard{}, fmt.Errorf("dashboards: build: %w", err)
	}
	var id uint32
	for i := range d.Panels {
		id++
		switch p := d.Panels[i]; {
		case p.Panel != nil:
			p.Panel.Id = cog.ToPtr(id)
		case p.RowPanel != nil:
			p.RowPanel.Id = id
			for j := range p.RowPanel.Panels {
				id++
				p.RowPanel.Panels[j].Id = cog.ToPtr(id)
			}
		}
	}
	return d, nil
}

// Query is one PromQL expression a dashboard sends to Prometheus.
type Query struct {
	Dashboard string // dashboard title
	Panel     string // panel title, or "variable $name"
	RefID     string
	// Expr is the PromQL as Grafana sends it, template variables included.
	// For a label_values(selector, label) variable it is the equivalent
	// PromQL "group by (label) (selector)".
	Expr string
}

// String names the query's dashboard, panel and refId, for test failures.
func (q Query) String() string {
	return fmt.Sprintf("%s / %s / %s: %s", q.Dashboard, q.Panel, q.RefID, q.Expr)
}

var labelValues = regexp.MustCompile(`^label_values\((.+),\s*([A-Za-z_][A-Za-z0-9_]*)\)$`)

// Queries returns every PromQL expression in a dashboard: panel targets
// (also inside rows) and query variables. Tests feed them to the metric-name
// check and to promtool.
func Queries(d dashboard.Dashboard) []Query {
	title := deref(d.Title)
	var out []Query
	for _, v := range d.Templating.List {
		if v.Type != dashboard.VariableTypeQuery || v.Query == nil || v.Query.String == nil {
			continue
		}
		expr := *v.Query.String
		if m := labelValues.FindStringSubmatch(expr); m != nil {
			expr = fmt.Sprintf("group by (%s) (%s)", m[2], m[1])
		}
		out = append(out, Query{Dashboard: title, Panel: "variable $" + v.Name, Expr: expr})
	}
	addPanel := func(p dashboard.Panel) {
		for _, t := range p.Targets {
			var q prometheus.Dataquery
			switch v := t.(type) {
			case prometheus.Dataquery:
				q = v
			case *prometheus.Dataquery:
				q = *v
			default:
				continue
			}
			out = append(out, Query{Dashboard: title, Panel: deref(p.Title), RefID: deref(q.RefId), Expr: q.Expr})
		}
	}
	for _, p := range d.Panels {
		if p.Panel != nil {
			addPanel(*p.Panel)
		}
		if p.RowPanel != nil {
			for _, rp := range p.RowPanel.Panels {
				addPanel(rp)
			}
		}
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
