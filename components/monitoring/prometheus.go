package monitoring

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/marketbus/market-bus/dashboards"
)

// MetricsPath is where Redpanda serves its public metrics (Admin API port,
// 9644 by default). /metrics holds the internal, high-cardinality set the
// dashboards do not use.
const MetricsPath = "/public_metrics"

// ScrapeOptions configures the Prometheus scrape of the brokers.
type ScrapeOptions struct {
	// Targets are the brokers' Admin API addresses, host:port
	// (e.g. redpanda-0:9644). Required.
	Targets []string
	// Cluster is the value of the cluster target label the dashboards
	// filter on: the stack name. Required.
	Cluster string
	// Job is the scrape job name (default DefaultJob); the alert rules
	// select it.
	Job string
	// ScrapeInterval defaults to 10s, as in Redpanda's reference setup.
	ScrapeInterval time.Duration
	// EvaluationInterval is how often Prometheus evaluates the rule files
	// (default 30s). Only PrometheusConfig uses it.
	EvaluationInterval time.Duration
	// RuleFiles are the rule-file paths as the Prometheus process sees
	// them; relative paths are relative to prometheus.yml.
	RuleFiles []string
	// TLS, when set, scrapes https and verifies the brokers' certificate:
	// Redpanda's admin API serves TLS only once admin_api_tls is on.
	TLS *ScrapeTLS
}

// ScrapeTLS is the tls_config of the scrape.
type ScrapeTLS struct {
	// CAFile is the CA that signed the brokers' certificates, as the
	// Prometheus process sees it (relative paths are relative to
	// prometheus.yml). Required: without it Prometheus trusts only the
	// system roots, which a cluster CA is not among.
	CAFile string
	// ServerName, when set, is the name verified in the certificate
	// instead of the target's host.
	ServerName string
}

// Prometheus configuration shapes (subset).
type promConfig struct {
	Global        *promGlobal    `yaml:"global,omitempty"`
	RuleFiles     []string       `yaml:"rule_files,omitempty"`
	ScrapeConfigs []scrapeConfig `yaml:"scrape_configs"`
}

type promGlobal struct {
	ScrapeInterval     string `yaml:"scrape_interval"`
	EvaluationInterval string `yaml:"evaluation_interval"`
}

type scrapeConfig struct {
	JobName        string         `yaml:"job_name"`
	MetricsPath    string         `yaml:"metrics_path"`
	Scheme         string         `yaml:"scheme"`
	ScrapeInterval string         `yaml:"scrape_interval"`
	TLSConfig      *tlsConfig     `yaml:"tls_config,omitempty"`
	StaticConfigs  []staticConfig `yaml:"static_configs"`
}

type tlsConfig struct {
	CAFile     string `yaml:"ca_file"`
	ServerName string `yaml:"server_name,omitempty"`
}

type staticConfig struct {
	Targets []string          `yaml:"targets"`
	Labels  map[string]string `yaml:"labels,omitempty"`
}

func (o ScrapeOptions) withDefaults() (ScrapeOptions, error) {
	var errs []error
	if len(o.Targets) == 0 {
		errs = append(errs, errors.New("monitoring: scrape: at least one target is required"))
	}
	for _, t := range o.Targets {
		host, port, err := net.SplitHostPort(t)
		if err != nil || host == "" {
			errs = append(errs, fmt.Errorf("monitoring: scrape: target %q must be host:port", t))
			continue
		}
		if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
			errs = append(errs, fmt.Errorf("monitoring: scrape: target %q has a bad port", t))
		}
	}
	if o.Cluster == "" {
		errs = append(errs, errors.New("monitoring: scrape: Cluster (the stack name) is required"))
	}
	if o.TLS != nil && o.TLS.CAFile == "" {
		errs = append(errs, errors.New("monitoring: scrape: TLS needs CAFile, the CA of the brokers' certificates as Prometheus sees it"))
	}
	if o.Job == "" {
		o.Job = DefaultJob
	}
	if o.ScrapeInterval == 0 {
		o.ScrapeInterval = 10 * time.Second
	}
	if o.EvaluationInterval == 0 {
		o.EvaluationInterval = 30 * time.Second
	}
	if o.ScrapeInterval < time.Second || o.EvaluationInterval < time.Second {
		errs = append(errs, fmt.Errorf("monitoring: scrape: intervals %s and %s must be at least 1s", o.ScrapeInterval, o.EvaluationInterval))
	}
	return o, errors.Join(errs...)
}

func (o ScrapeOptions) scrapeConfig() scrapeConfig {
	c := scrapeConfig{
		JobName:        o.Job,
		MetricsPath:    MetricsPath,
		Scheme:         "http",
		ScrapeInterval: promDuration(o.ScrapeInterval),
		StaticConfigs: []staticConfig{{
			Targets: o.Targets,
			Labels:  map[string]string{dashboards.ClusterLabel: o.Cluster},
		}},
	}
	if o.TLS != nil {
		c.Scheme = "https"
		c.TLSConfig = &tlsConfig{CAFile: o.TLS.CAFile, ServerName: o.TLS.ServerName}
	}
	return c
}

// ScrapeConfig renders the Redpanda part of a Prometheus configuration:
// rule_files and a scrape_configs entry for the brokers. Merge it into an
// existing prometheus.yml, or use PrometheusConfig for a complete one.
func ScrapeConfig(o ScrapeOptions) ([]byte, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	return marshalYAML(promConfig{RuleFiles: o.RuleFiles, ScrapeConfigs: []scrapeConfig{o.scrapeConfig()}})
}

// PrometheusConfig renders a complete prometheus.yml: global intervals, the
// rule files and the Redpanda scrape.
func PrometheusConfig(o ScrapeOptions) ([]byte, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	return marshalYAML(promConfig{
		Global: &promGlobal{
			ScrapeInterval:     promDuration(o.ScrapeInterval),
			EvaluationInterval: promDuration(o.EvaluationInterval),
		},
		RuleFiles:     o.RuleFiles,
		ScrapeConfigs: []scrapeConfig{o.scrapeConfig()},
	})
}
