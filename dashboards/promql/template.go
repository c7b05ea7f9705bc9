package promql

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Grafana template-variable forms: $var, ${var}, ${var:format}, [[var]].
var templateVar = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)(?::[^}]*)?\}|\$([A-Za-z0-9_]+)|\[\[([A-Za-z0-9_]+)(?::[^\]]*)?\]\]`)

// SampleVars returns a concrete value for every template variable the
// dashboards use, so their expressions can be checked by the metric-name
// check and by promtool. Values are plain (no regex metacharacters) so they
// are valid in both = and =~ matchers.
func SampleVars() map[string]string {
	return map[string]string{
		"datasource":      "prometheus",
		"cluster":         "dev",
		"topic":           "market_telemetry",
		"group":           "telemetry-consumer",
		"__rate_interval": "1m",
		"__interval":      "30s",
		"__range":         "1h",
	}
}

// Substitute replaces Grafana template variables in expr with vars. A
// variable missing from vars is an error naming it, so a typo like $topci
// fails instead of reaching Prometheus as a literal.
func Substitute(expr string, vars map[string]string) (string, error) {
	missing := map[string]bool{}
	out := templateVar.ReplaceAllStringFunc(expr, func(m string) string {
		sub := templateVar.FindStringSubmatch(m)
		name := sub[1] + sub[2] + sub[3]
		v, ok := vars[name]
		if !ok {
			missing[name] = true
			return m
		}
		return v
	})
	if len(missing) > 0 {
		names := make([]string, 0, len(missing))
		for n := range missing {
			names = append(names, "$"+n)
		}
		sort.Strings(names)
		return "", fmt.Errorf("unknown template variable(s) %s", strings.Join(names, ", "))
	}
	return out, nil
}
