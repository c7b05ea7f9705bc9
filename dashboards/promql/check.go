package promql

import (
	"errors"
	"fmt"
	"strings"
)

// UnknownMetricError says which expression selects a metric that is not in
// the Redpanda list (Redpanda) and so would silently draw an empty panel or
// an alert that can never fire.
type UnknownMetricError struct {
	Expr       string // the expression as written, before substitution
	Metric     string
	Suggestion string // closest known series name, if any is close
}

// Error names the metric, the expression and the closest known name.
func (e *UnknownMetricError) Error() string {
	msg := fmt.Sprintf("unknown metric %q in expression %q", e.Metric, e.Expr)
	if e.Suggestion != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", e.Suggestion)
	}
	return msg + "; add real metrics to dashboards/promql/metrics.go"
}

// Check verifies that every metric the expression selects is a known
// Redpanda series. Grafana template variables are substituted with
// SampleVars first, so dashboard expressions can be checked as written.
func Check(expr string) error {
	concrete, err := Substitute(expr, SampleVars())
	if err != nil {
		return fmt.Errorf("expression %q: %w", expr, err)
	}
	names, err := MetricNames(concrete)
	if err != nil {
		return fmt.Errorf("expression %q: %w", expr, err)
	}
	known := seriesSet()
	var errs []error
	for _, n := range names {
		if !known[n] {
			errs = append(errs, &UnknownMetricError{Expr: expr, Metric: n, Suggestion: closest(n)})
		}
	}
	return errors.Join(errs...)
}

// closest returns the known series name nearest to name by edit distance,
// or "" when none is within a third of its length.
func closest(name string) string {
	best, bestDist := "", len(name)/3+1
	for _, cand := range SeriesNames() {
		if d := editDistance(name, cand); d < bestDist {
			best, bestDist = cand, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Selector renders metric{matcher, …}; matchers are complete PromQL
// matchers such as `redpanda_request="produce"`. Empty matchers are dropped
// so callers can pass optional ones.
func Selector(metric string, matchers ...string) string {
	var ms []string
	for _, m := range matchers {
		if strings.TrimSpace(m) != "" {
			ms = append(ms, m)
		}
	}
	if len(ms) == 0 {
		return metric
	}
	return metric + "{" + strings.Join(ms, ", ") + "}"
}

// Eq and Re render label matchers; the value is quoted as a PromQL string.
func Eq(label, value string) string { return label + "=" + quote(value) }

// Re renders a regular-expression label matcher.
func Re(label, value string) string { return label + "=~" + quote(value) }

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
