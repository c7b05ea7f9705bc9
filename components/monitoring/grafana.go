package monitoring

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
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
	// NotificationSettings route the rule's alerts straight to a contact
	// point (Grafana's simplified routing), so the stack never needs the
	// organisation's notification policy tree, which other teams share.
	NotificationSettings *GrafanaNotificationSettings `json:"notificationSettings,omitempty"`
}

// GrafanaNotificationSettings mirrors RuleGroupRuleNotificationSettingsArgs.
type GrafanaNotificationSettings struct {
	ContactPoint   string   `json:"contactPoint"`
	GroupBy        []string `json:"groupBies,omitempty"`
	GroupWait      string   `json:"groupWait,omitempty"`
	GroupInterval  string   `json:"groupInterval,omitempty"`
	RepeatInterval string   `json:"repeatInterval,omitempty"`
}

// Grouping labels Grafana requires in a rule's own group_by (unless it is
// ["..."]): alerts of different rules and folders never share a group.
const (
	labelAlertname     = "alertname"
	labelGrafanaFolder = "grafana_folder"
)

// Notification timing, as the notification policy this replaces had it:
// a short wait collects alerts of one outage into one message.
const (
	notifyGroupWait     = "30s"
	notifyGroupInterval = "5m"
)

// GrafanaNotification is where and how the rules of a group notify.
type GrafanaNotification struct {
	// ContactPoint is the name of the contact point every rule notifies.
	ContactPoint string
	// GroupBy are the labels alerts are grouped by; they must include
	// alertname and grafana_folder, or be exactly ["..."].
	GroupBy []string
	// RepeatInterval is how often a firing alert is re-sent, per severity.
	RepeatInterval map[Severity]string
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
	// Notification, when set, names each rule's contact point and timing.
	// Without it the rules follow the organisation's notification policy.
	Notification *GrafanaNotification
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
	if n := o.Notification; n != nil {
		if err := n.validate(); err != nil {
			return GrafanaRuleGroup{}, fmt.Errorf("monitoring: grafana rules: %w", err)
		}
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
		Expr(r.grafanaQuery()).
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
	evaluator, params := expr.ExprTypeThresholdConditionsEvaluatorTypeGt, []float64{r.Threshold}
	switch {
	case r.Unknown != "":
		// outside_range is strict (value < 0 || value > threshold): a
		// measured count fires above the threshold as with gt, and the
		// Unknown branch's UnknownValue fires too.
		evaluator, params = expr.ExprTypeThresholdConditionsEvaluatorTypeOutsideRange, []float64{0, r.Threshold}
	case r.Op == Below:
		evaluator = expr.ExprTypeThresholdConditionsEvaluatorTypeLt
	}
	threshold, err := model(expr.NewTypeThresholdBuilder().
		RefId(refThreshold).
		Datasource(exprDatasource()).
		Expression(refReduce).
		Conditions([]cog.Builder[expr.ExprTypeThresholdConditions]{
			expr.NewExprTypeThresholdConditionsBuilder().Evaluator(
				expr.NewExprTypeThresholdConditionsEvaluatorBuilder().Type(evaluator).Params(params)),
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
	var notify *GrafanaNotificationSettings
	if n := o.Notification; n != nil {
		notify = &GrafanaNotificationSettings{
			ContactPoint:   n.ContactPoint,
			GroupBy:        slices.Clone(n.GroupBy),
			GroupWait:      notifyGroupWait,
			GroupInterval:  notifyGroupInterval,
			RepeatInterval: n.RepeatInterval[r.Severity],
		}
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
		Labels:               r.labels(),
		Annotations:          annotations,
		NoDataState:          noData,
		ExecErrState:         "Error",
		NotificationSettings: notify,
	}, nil
}

// grafanaQuery is query A of the rule. With an Unknown query both go in one
// query: Grafana's threshold sees every series, and the Unknown ones carry
// UnknownValue, outside the range it accepts.
func (r Rule) grafanaQuery() string {
	if r.Unknown == "" {
		return r.Query
	}
	return fmt.Sprintf("(%s) or (%s)", r.Query, r.Unknown)
}

// validate checks what Grafana would refuse when the rule group is saved.
func (n GrafanaNotification) validate() error {
	var errs []error
	if strings.TrimSpace(n.ContactPoint) == "" {
		errs = append(errs, errors.New("notification: a contact point name is required"))
	}
	if len(n.GroupBy) > 0 && !slices.Equal(n.GroupBy, []string{"..."}) &&
		(!slices.Contains(n.GroupBy, labelAlertname) || !slices.Contains(n.GroupBy, labelGrafanaFolder)) {
		errs = append(errs, fmt.Errorf("notification: group by %q must include %q and %q (Grafana refuses a rule's grouping without them), or be [\"...\"]",
			n.GroupBy, labelAlertname, labelGrafanaFolder))
	}
	for _, sev := range []Severity{SeverityCritical, SeverityHigh} {
		if v := n.RepeatInterval[sev]; v != "" {
			if d, err := time.ParseDuration(v); err != nil || d <= 0 {
				errs = append(errs, fmt.Errorf("notification: repeat interval %q of severity %s is not a positive duration", v, sev))
			}
		}
	}
	return errors.Join(errs...)
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
		if len(m.Conditions) != 1 {
			return 0, fmt.Errorf("%s model has no single threshold", d.RefID)
		}
		ev := m.Conditions[0].Evaluator
		switch {
		case ev.Type == expr.ExprTypeThresholdConditionsEvaluatorTypeOutsideRange && len(ev.Params) == 2 && ev.Params[0] == 0:
			// A rule with an Unknown query: [0, threshold].
			return ev.Params[1], nil
		case len(ev.Params) == 1:
			return ev.Params[0], nil
		}
		return 0, fmt.Errorf("%s model has no single threshold", d.RefID)
	}
	return 0, fmt.Errorf("no query for condition %q", r.Condition)
}
