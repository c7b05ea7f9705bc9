package dashboards

import (
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/gauge"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"

	"github.com/marketbus/market-bus/dashboards/promql"
)

// Grafana unit ids.
const (
	unitBytesPerSec = "Bps"
	unitOpsPerSec   = "ops"
	unitSeconds     = "s"
	unitPercent     = "percent"
	unitBytes       = "bytes"
	unitNone        = "none"
)

// Threshold colours.
const (
	green  = "green"
	orange = "orange"
	red    = "red"
)

// Display-only CPU colouring: no alert fires on CPU, a busy reactor is normal
// under load, these only draw the eye.
const (
	cpuWarnPercent     = 80
	cpuCriticalPercent = 95
)

// Standard panel sizes on Grafana's 24-column grid.
const (
	statWidth   = 6
	statHeight  = 5
	graphWidth  = 12
	graphHeight = 8
)

// matchers are the label matchers shared by the panels of one dashboard.
type matchers struct {
	cluster string // cluster="$cluster"
	ns      string // redpanda_namespace="kafka": user topics only
	topic   string // redpanda_topic=~"$topic"
	group   string // redpanda_group=~"$group"
}

func newMatchers() matchers {
	return matchers{
		cluster: promql.Eq(ClusterLabel, "$"+VarCluster),
		ns:      promql.Eq(promql.LabelNamespace, promql.KafkaNamespace),
		topic:   promql.Re(promql.LabelTopic, "$"+VarTopic),
		group:   promql.Re(promql.LabelGroup, "$"+VarGroup),
	}
}

// rate renders rate(selector[$__rate_interval]).
func rate(selector string) string {
	return fmt.Sprintf("rate(%s[$__rate_interval])", selector)
}

// quantile renders a histogram quantile over one Redpanda histogram.
func quantile(q float64, bucketSelector string) string {
	return fmt.Sprintf("histogram_quantile(%v, sum by (le) (%s))", q, rate(bucketSelector))
}

// datasourceRef points panels and queries at the $datasource variable, so a
// viewer can switch Prometheus without editing the dashboard.
func datasourceRef() common.DataSourceRef {
	return common.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr("${" + VarDatasource + "}")}
}

// target is one Prometheus query of a panel.
func target(refID, expr, legend string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().
		Datasource(datasourceRef()).
		RefId(refID).
		Expr(expr).
		LegendFormat(legend)
}

// step is one colour band: from value upward (nil = from -Infinity).
type step struct {
	value *float64
	color string
}

func base(color string) step          { return step{nil, color} }
func at(v float64, color string) step { return step{&v, color} }
func countAbove(t float64) float64    { return t + 1 } // counts are integers: "> t" is ">= t+1"

func thresholds(steps ...step) *dashboard.ThresholdsConfigBuilder {
	out := make([]dashboard.Threshold, 0, len(steps))
	for _, s := range steps {
		out = append(out, dashboard.Threshold{Value: s.value, Color: s.color})
	}
	return dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).Steps(out)
}

// graph is a time-series panel; thresholds, when given, are drawn as
// dashed lines so the alert level is visible next to the data.
func graph(title, description, unit string, th *dashboard.ThresholdsConfigBuilder, targets ...*prometheus.DataqueryBuilder) *timeseries.PanelBuilder {
	p := timeseries.NewPanelBuilder().
		Title(title).
		Description(description).
		Datasource(datasourceRef()).
		Unit(unit).
		Min(0).
		Span(graphWidth).
		Height(graphHeight).
		FillOpacity(10).
		Legend(common.NewVizLegendOptionsBuilder().
			DisplayMode(common.LegendDisplayModeList).
			Placement(common.LegendPlacementBottom).
			ShowLegend(true))
	if th != nil {
		p = p.Thresholds(th).
			ThresholdsStyle(common.NewGraphThresholdsStyleConfigBuilder().Mode(common.GraphThresholdsStyleModeDashed))
	}
	for _, t := range targets {
		p = p.WithTarget(t)
	}
	return p
}

// single is a stat panel showing the last value of each series.
func single(title, description, unit string, th *dashboard.ThresholdsConfigBuilder, targets ...*prometheus.DataqueryBuilder) *stat.PanelBuilder {
	p := stat.NewPanelBuilder().
		Title(title).
		Description(description).
		Datasource(datasourceRef()).
		Unit(unit).
		Span(statWidth).
		Height(statHeight).
		ColorMode(common.BigValueColorModeBackground).
		GraphMode(common.BigValueGraphModeArea).
		TextMode(common.BigValueTextModeAuto).
		Orientation(common.VizOrientationAuto).
		ReduceOptions(common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"}).Values(false)).
		Thresholds(th)
	for _, t := range targets {
		p = p.WithTarget(t)
	}
	return p
}

// meter is a gauge panel for a bounded percentage.
func meter(title, description string, th *dashboard.ThresholdsConfigBuilder, targets ...*prometheus.DataqueryBuilder) *gauge.PanelBuilder {
	p := gauge.NewPanelBuilder().
		Title(title).
		Description(description).
		Datasource(datasourceRef()).
		Unit(unitPercent).
		Min(0).
		Max(100).
		Span(statWidth).
		Height(statHeight).
		ShowThresholdMarkers(true).
		Orientation(common.VizOrientationAuto).
		ReduceOptions(common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"}).Values(false)).
		Thresholds(th)
	for _, t := range targets {
		p = p.WithTarget(t)
	}
	return p
}

// mapping shows an exact value of a stat as a word in a colour.
type mapping struct{ value, text, color string }

// valueText maps exact values of a stat to words and colours.
func valueText(entries ...mapping) []dashboard.ValueMapping {
	opts := make(map[string]dashboard.ValueMappingResult, len(entries))
	for i, e := range entries {
		opts[e.value] = dashboard.ValueMappingResult{
			Text:  cog.ToPtr(e.text),
			Color: cog.ToPtr(e.color),
			Index: cog.ToPtr(int32(i)),
		}
	}
	return []dashboard.ValueMapping{{ValueMap: &dashboard.ValueMap{Type: dashboard.MappingTypeValueToText, Options: opts}}}
}
