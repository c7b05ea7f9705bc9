package monitoring

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/marketbus/market-bus/components/cluster"
	"github.com/marketbus/market-bus/fielderr"
)

// stackName is what dashboards.Options accepts: the stack ends up in UIDs
// that Grafana limits to 40 characters.
var stackName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,23}$`)

// Env is what a Config is judged against, in plain values known before
// anything exists: Args' Stack and Backend.
type Env struct {
	Stack   string
	Backend Backend
}

// Validate checks a Config for env before anything is created and reports
// every problem at once, after defaulting as NewMonitoring does. A refused
// setting is a *fielderr.Error whose Field is the json path inside the
// config (grafanaPort, contactEmails[0]); a bad env (stack name, backend)
// is a plain error. The wiring (Pulumi inputs, the cluster's namespace and
// Service) is NewMonitoring's to check: its caller supplies it.
func Validate(c Config, env Env) error {
	return errors.Join(validateConfig(c.withDefaults(), env)...)
}

// validateConfig checks a defaulted config.
func validateConfig(c Config, env Env) []error {
	var errs []error
	if !stackName.MatchString(env.Stack) {
		errs = append(errs, fmt.Errorf("stack name %q must be 1-24 lowercase letters, digits or '-' (it is part of Grafana UIDs): rename the stack", env.Stack))
	}
	refuse := func(field string, value any, problem, fix string) {
		errs = append(errs, fielderr.New(field, value, problem, fix))
	}
	switch env.Backend {
	case BackendDocker:
		for _, img := range []struct{ field, ref, example string }{
			{"prometheusImage", c.PrometheusImage, "prom/prometheus:v3.5.0"},
			{"grafanaImage", c.GrafanaImage, "grafana/grafana:12.1.1"},
		} {
			fix := fmt.Sprintf("pin a release tag (%s) or a digest (…@sha256:…)", img.example)
			if img.ref == "" {
				refuse(img.field, `""`, "the Docker backend runs this image", fix)
				continue
			}
			// The cluster's rule, so every image of a stack is pinned alike.
			if why := cluster.ParseImageRef(img.ref).Pinned(); why != "" {
				refuse(img.field, fmt.Sprintf("%q", img.ref), why, fix)
			}
		}
		for _, p := range []struct {
			field string
			port  int
		}{{"prometheusPort", c.PrometheusPort}, {"grafanaPort", c.GrafanaPort}} {
			if p.port < 1 || p.port > 65535 {
				refuse(p.field, p.port, "outside 1-65535", "use a free port on 127.0.0.1, or leave it out for the default")
			}
		}
		if c.PrometheusPort == c.GrafanaPort {
			refuse("grafanaPort", c.GrafanaPort, "prometheusPort is the same host port", "give Grafana and Prometheus each its own host port")
		}
	case BackendKubernetes:
		if why := httpURL(c.GrafanaURL); why != "" {
			refuse("grafanaUrl", fmt.Sprintf("%q", c.GrafanaURL), why, "set the URL of the Grafana the stack manages, e.g. https://grafana.example.com")
		}
		if why := httpURL(c.PrometheusURL); why != "" {
			refuse("prometheusUrl", fmt.Sprintf("%q", c.PrometheusURL), why,
				"set Prometheus' URL as Grafana's server reaches it, e.g. http://prometheus-operated.monitoring.svc:9090")
		}
	default:
		errs = append(errs, fmt.Errorf("backend %q is unknown: use %q or %q", env.Backend, BackendDocker, BackendKubernetes))
	}
	for i, addr := range c.ContactEmails {
		if at := strings.LastIndex(addr, "@"); at < 1 || at == len(addr)-1 {
			refuse(fmt.Sprintf("contactEmails[%d]", i), fmt.Sprintf("%q", addr), "not an email address", "write it as name@domain, or remove it")
		}
	}
	for _, l := range []struct {
		field string
		v     float64
	}{{"lagThresholdRecords", c.LagThresholdRecords}, {"lagThresholdSeconds", c.LagThresholdSeconds}} {
		if l.v < 0 {
			refuse(l.field, l.v, "a consumer-lag threshold cannot be negative", "use a positive number, or leave it out for the default")
		}
	}
	return errs
}

// httpURL says what is wrong with u as an http(s) URL, or "".
func httpURL(u string) string {
	if u == "" {
		return "is required"
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return "not an http(s) URL"
	}
	return ""
}

// validateArgs checks defaulted args before anything is registered: the
// config, the plain wiring and the Pulumi inputs.
func validateArgs(a Args) []error {
	errs := validateConfig(a.Config, Env{Stack: a.Stack, Backend: a.Backend})
	errs = append(errs, validateWiring(a)...)
	return append(errs, validateInputs(a)...)
}

// validateWiring checks the plain values the caller wires in. They are not
// the user's config, so a refusal names the Go field.
func validateWiring(a Args) []error {
	var errs []error
	refuse := func(field string, value any, problem, fix string) {
		errs = append(errs, fielderr.New(field, value, problem, fix))
	}
	if err := a.Thresholds.Validate(); err != nil {
		errs = append(errs, err)
	}
	if a.Docker.WaitTimeoutSeconds < 0 {
		refuse("Docker.WaitTimeoutSeconds", a.Docker.WaitTimeoutSeconds, "negative", "use a positive number of seconds, or 0 for the default")
	}
	if a.Backend == BackendKubernetes {
		k := a.Kubernetes
		if k.Namespace == "" {
			refuse("Kubernetes.Namespace", `""`, "the brokers' Service and the ServiceMonitor live in a namespace", "pass the cluster's namespace")
		}
		if a.PrometheusOperator && len(k.ServiceSelector) == 0 {
			refuse("Kubernetes.ServiceSelector", "{}", "the ServiceMonitor selects the brokers' Service by it", "pass the labels of the brokers' Service")
		}
		if t := k.TLS; t.Enabled {
			if a.PrometheusOperator && t.CASecretName == "" {
				refuse("Kubernetes.TLS.CASecretName", `""`, "required with TLS and the Prometheus operator",
					"name the Secret with the CA of the brokers' certificate, which the ServiceMonitor's tlsConfig reads")
			}
			if a.PrometheusOperator && t.ServerName == "" {
				refuse("Kubernetes.TLS.ServerName", `""`, "required with TLS and the Prometheus operator, which scrapes pod IPs",
					"pass a name in the brokers' certificate (the headless Service's FQDN)")
			}
			if !a.PrometheusOperator && t.CAFile == "" {
				refuse("Kubernetes.TLS.CAFile", `""`, "required with TLS without the Prometheus operator",
					"pass the CA's path in your Prometheus (or CASecretName for the operator's /etc/prometheus/secrets/<name>/ca.crt)")
			}
		}
	}
	return append(errs, validateNotification(a.Notification)...)
}

// validateInputs checks that the Pulumi inputs the backend reads are given
// (and not empty, where they are literals): their resolved values are not
// known until the update runs.
func validateInputs(a Args) []error {
	var errs []error
	refuse := func(field string, value any, problem, fix string) {
		errs = append(errs, fielderr.New(field, value, problem, fix))
	}
	required := func(field string, in pulumi.StringInput, fix string) {
		if in == nil {
			refuse(field, "<nil>", "required", fix)
		} else if s, ok := in.(pulumi.String); ok && s == "" {
			refuse(field, `""`, "empty", fix)
		}
	}
	switch a.Backend {
	case BackendDocker:
		if a.MetricsTargets == nil {
			refuse("MetricsTargets", "<nil>", "Prometheus scrapes these", "pass the cluster's MetricsTargets output (host:port of each broker admin API)")
		}
		if a.Docker.NetworkName == nil {
			refuse("Docker.NetworkName", "<nil>", "Prometheus and Grafana join the cluster's network", "pass the cluster's NetworkName output")
		}
		required("Docker.GrafanaAdminPassword", a.Docker.GrafanaAdminPassword, "pass Grafana's admin password, a secret")
	case BackendKubernetes:
		if a.MetricsTargets == nil && !a.PrometheusOperator {
			refuse("MetricsTargets", "<nil>", "the exported scrape config lists them without the Prometheus operator",
				"pass the cluster's MetricsTargets output, or set prometheusOperator")
		}
		required("Kubernetes.GrafanaToken", a.Kubernetes.GrafanaToken, "pass a Grafana service-account token, a secret")
	}
	if len(a.ContactEmails) == 0 && a.ContactPoint.WebhookURL == nil {
		refuse("contactEmails", "[]", "alerts would reach no one: no address and no ContactPoint.WebhookURL",
			"list an address in contactEmails or pass ContactPoint.WebhookURL")
	}
	return errs
}

func validateNotification(n NotificationArgs) []error {
	var errs []error
	refuse := func(field string, value any, problem, fix string) {
		errs = append(errs, fielderr.New(field, value, problem, fix))
	}
	for _, l := range n.GroupBy {
		if strings.TrimSpace(l) == "" {
			refuse("Notification.GroupBy", fmt.Sprintf("%q", n.GroupBy), "has an empty label", "remove it")
		}
	}
	if len(n.GroupBy) > 0 && !slices.Equal(n.GroupBy, []string{"..."}) &&
		(!slices.Contains(n.GroupBy, labelAlertname) || !slices.Contains(n.GroupBy, labelGrafanaFolder)) {
		refuse("Notification.GroupBy", fmt.Sprintf("%q", n.GroupBy),
			fmt.Sprintf("lacks %q or %q, which Grafana requires in a rule's own grouping", labelAlertname, labelGrafanaFolder),
			`add them, or use ["..."] to disable grouping`)
	}
	sevs := make([]string, 0, len(n.RepeatInterval))
	for s := range n.RepeatInterval {
		sevs = append(sevs, string(s))
	}
	sort.Strings(sevs) // stable error order
	for _, s := range sevs {
		sev, v := Severity(s), n.RepeatInterval[Severity(s)]
		field := fmt.Sprintf("Notification.RepeatInterval[%s]", s)
		if sev != SeverityCritical && sev != SeverityHigh {
			refuse(field, fmt.Sprintf("%q", v), "an unknown severity", fmt.Sprintf("use %q or %q", SeverityCritical, SeverityHigh))
			continue
		}
		if d, err := time.ParseDuration(v); err != nil || d <= 0 {
			refuse(field, fmt.Sprintf("%q", v), "not a positive duration", `write it as a Go duration, e.g. "4h"`)
		}
	}
	return errs
}
