package monitoring

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/expr"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
)

// Grafana's server-side expression data source.
const exprDatasourceUID = "__expr__"

// RefIDs of the three-step chain every Grafana rule uses, as in Redpanda's
// provisioned alerts: A queries Prometheus, B reduces each series to its last
// value, C compares B with the threshold. The rule's condition is C.
const (
	refQuery     = "A"
	refReduce    = "B"
	refThreshold = "C"
)

// GrafanaRuleGroup mirrors the inputs of the pulumiverse Grafana provider's
// grafana:alerting/ruleGroup:RuleGroup (alias grafana:index/ruleGroup:RuleGroup),
// except folderUid, which the caller takes from its Folder resource.
type GrafanaRuleGroup struct {
	Name            string        `json:"name"`
	IntervalSeconds int           `json:"intervalSeconds"`
	Rules           []GrafanaRule `json:"rules"`
}

// GrafanaRule mirrors one element of RuleGroup.rules (RuleGroupRuleArgs).
type GrafanaRule struct {
	Name      string `json:"name"`
	For       string `json:"for"`
	Condition string `json:"condition"`
	// Data maps to the provider's "datas" (RuleGroupRuleDataArgs).
	Data         []GrafanaQuery    `json:"data"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	NoDataState  string            `json:"noDataState"`
	ExecErrState string            `json:"execErrState"`
}

// GrafanaQuery mirrors RuleGroupRuleDataArgs.
type GrafanaQuery struct {
	RefID             string            `json:"refId"`
	DatasourceUID     string            `json:"datasourceUid"`
	QueryType         string            `json:"queryType"`
	RelativeTimeRange RelativeTimeRange `json:"relativeTimeRange"`
	Model             string            `json:"model"` // JSON, as the provider expects
}

// RelativeTimeRange is seconds before evaluation time (From ≥ To).
type RelativeTimeRange struct {
	From int `json:"from"`
	To   int `json:"to"`
}

// GrafanaOptions configures the Grafana rendering.
type GrafanaOptions struct {
	// DatasourceUID is the UID of the Grafana Prometheus data source the
	// queries run against. Required.
	DatasourceUID string
	// Group is the rule group name (default DefaultRuleGroup).
	Group string
	// Interval is the group's evaluation interval (default 1m).
	Interval time.Duration
	// QueryRange is how far back query A looks (default 10m). The queries
	// are instant; the range only has to cover their own rate() windows.
	QueryRange time.Duration
}

// GrafanaRules renders the table as Grafana-managed alert rules. Each
// rule's threshold expression C takes its number from the same Rule field
// as the Prometheus expression, so the two renderings cannot drift.
func GrafanaRules(rules []Rule, o GrafanaOptions) (GrafanaRuleGroup, error) {
	if o.DatasourceUID == "" {
		return GrafanaRuleGroup{}, errors.New("monitoring: grafana rules: DatasourceUID is required")
	}
	if o.Group == "" {
		o.Group = DefaultRuleGroup
	}
	if o.Interval == 0 {
		o.Interval = time.Minute
	}
	if o.QueryRange == 0 {
		o.QueryRange = 10 * time.Minute
	}
	if o.Interval < time.Second || o.Interval%time.Second != 0 || o.QueryRange < 0 {
		return GrafanaRuleGroup{}, fmt.Errorf("monitoring: grafana rules: interval %s must be whole seconds, query range %s positive", o.Interval, o.QueryRange)
	}
	if err := ValidateRules(rules); err != nil {
		return GrafanaRuleGroup{}, fmt.Errorf("monitoring: grafana rules: %w", err)
	}
	g := GrafanaRuleGroup{Name: o.Group, IntervalSeconds: int(o.Interval / time.Second)}
	for _, r := range rules {
		gr, err := grafanaRule(r, o)
		if err != nil {
			return GrafanaRuleGroup{}, fmt.Errorf("monitoring: grafana rule %s: %w", r.Name, err)
		}
		g.Rules = append(g.Rules, gr)
	}
	return g, nil
}

func grafanaRule(r Rule, o GrafanaOptions) (GrafanaRule, error) {
	query, err := model(prometheus.NewDataqueryBuilder().
		RefId(refQuery).
		Datasource(common.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr(o.DatasourceUID)}).
		Expr(r.Query).
		Instant().
		IntervalMs(1000).
		MaxDataPoints(43200))
	if err != nil {
		return GrafanaRule{}, err
	}
	// dropNN, not Redpanda's replaceNN: a NaN (a quantile with no traffic)
	// is then never compared, where replacing it with 0 would fire every
	// "below" rule.
	reduce, err := model(expr.NewTypeReduceBuilder().
		RefId(refReduce).
		Datasource(exprDatasource()).
		Expression(refQuery).
		Reducer(expr.TypeReduceReducerLast).
		Settings(expr.NewExprTypeReduceSettingsBuilder().Mode(expr.ExprTypeReduceSettingsModeDropNN)))
	if err != nil {
		return GrafanaRule{}, err
	}
	evaluator := expr.ExprTypeThresholdConditionsEvaluatorTypeGt
	if r.Op == Below {
		evaluator = expr.ExprTypeThresholdConditionsEvaluatorTypeLt
	}
	threshold, err := model(expr.NewTypeThresholdBuilder().
		RefId(refThreshold).
		Datasource(exprDatasource()).
		Expression(refReduce).
		Conditions([]cog.Builder[expr.ExprTypeThresholdConditions]{
			expr.NewExprTypeThresholdConditionsBuilder().Evaluator(
				expr.NewExprTypeThresholdConditionsEvaluatorBuilder().Type(evaluator).Params([]float64{r.Threshold})),
		}))
	if err != nil {
		return GrafanaRule{}, err
	}

	noData := "NoData"
	if r.AbsentIsOK {
		noData = "OK"
	}
	annotations := r.annotations()
	for k, v := range annotations {
		annotations[k] = grafanaTemplate(v)
	}
	return GrafanaRule{
		Name:      r.Name,
		For:       promDuration(r.For),
		Condition: refThreshold,
		Data: []GrafanaQuery{
			{RefID: refQuery, DatasourceUID: o.DatasourceUID,
				RelativeTimeRange: RelativeTimeRange{From: int(o.QueryRange / time.Second)}, Model: query},
			{RefID: refReduce, DatasourceUID: exprDatasourceUID, Model: reduce},
			{RefID: refThreshold, DatasourceUID: exprDatasourceUID, Model: threshold},
		},
		Labels:       r.labels(),
		Annotations:  annotations,
		NoDataState:  noData,
		ExecErrState: "Error",
	}, nil
}

func exprDatasource() common.DataSourceRef {
	return common.DataSourceRef{Type: cog.ToPtr(exprDatasourceUID), Uid: cog.ToPtr(exprDatasourceUID)}
}

// model builds an SDK query and encodes it as the JSON string the provider
// takes.
func model[T any](b cog.Builder[T]) (string, error) {
	v, err := b.Build()
	if err != nil {
		return "", fmt.Errorf("build model: %w", err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode model: %w", err)
	}
	return string(out), nil
}

// valueRef matches Prometheus' $value but not $values.
var valueRef = regexp.MustCompile(`\$value\b`)

// grafanaTemplate rewrites a Prometheus annotation template for Grafana:
// $value becomes the reduced value of query B. $labels and the humanize
// functions work the same in both.
func grafanaTemplate(s string) string {
	return valueRef.ReplaceAllString(s, "$$values."+refReduce+".Value")
}

// GrafanaThreshold returns the number in a rule's threshold expression (C),
// decoded from its model: what Grafana will actually compare with.
func GrafanaThreshold(r GrafanaRule) (float64, error) {
	for _, d := range r.Data {
		if d.RefID != r.Condition {
			continue
		}
		var m expr.TypeThreshold
		if err := json.Unmarshal([]byte(d.Model), &m); err != nil {
			return 0, fmt.Errorf("decode %s model: %w", d.RefID, err)
		}
		if len(m.Conditions) != 1 || len(m.Conditions[0].Evaluator.Params) != 1 {
			return 0, fmt.Errorf("%s model has no single threshold", d.RefID)
		}
		return m.Conditions[0].Evaluator.Params[0], nil
	}
	return 0, fmt.Errorf("no query for condition %q", r.Condition)
}
