package monitoring

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"
)

// DefaultRuleGroup is the name of the rule group in both renderings.
const DefaultRuleGroup = "redpanda"

// Prometheus rules-file shapes (https://prometheus.io/docs/prometheus/latest/configuration/recording_rules/).
type promRuleFile struct {
	Groups []promGroup `yaml:"groups"`
}

type promGroup struct {
	Name     string     `yaml:"name"`
	Interval string     `yaml:"interval,omitempty"`
	Rules    []promRule `yaml:"rules"`
}

type promRule struct {
	Alert       string            `yaml:"alert,omitempty"`
	Record      string            `yaml:"record,omitempty"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for,omitempty"`
	Labels      map[string]string `yaml:"labels,omitempty"`
	Annotations map[string]string `yaml:"annotations,omitempty"`
}

// PrometheusRules renders the table as a Prometheus rules file with one
// group (name "" means DefaultRuleGroup). Load it with rule_files in
// prometheus.yml (see PrometheusConfig).
func PrometheusRules(rules []Rule, group string) ([]byte, error) {
	if err := ValidateRules(rules); err != nil {
		return nil, fmt.Errorf("monitoring: prometheus rules: %w", err)
	}
	if group == "" {
		group = DefaultRuleGroup
	}
	g := promGroup{Name: group}
	for _, r := range rules {
		g.Rules = append(g.Rules, promRule{
			Alert:       r.Name,
			Expr:        r.Expr(),
			For:         promDuration(r.For),
			Labels:      r.labels(),
			Annotations: r.annotations(),
		})
	}
	return marshalYAML(promRuleFile{Groups: []promGroup{g}})
}

// marshalYAML encodes with two-space indentation, the style of Prometheus'
// own examples.
func marshalYAML(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("monitoring: encode yaml: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("monitoring: encode yaml: %w", err)
	}
	return buf.Bytes(), nil
}
