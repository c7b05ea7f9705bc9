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
)

// stackName is what dashboards.Options accepts: the stack ends up in UIDs
// that Grafana limits to 40 characters.
var stackName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,23}$`)

// Validate checks args before anything is created and reports every problem
// at once, as NewMonitoring would. Zero-valued optional fields are defaulted
// first. Inputs are only checked for presence (and literal values): their
// resolved values are not known until the update runs.
func Validate(a Args) error {
	return errors.Join(validateArgs(a.withDefaults())...)
}

// validateArgs checks defaulted args; each error names the field and the fix.
func validateArgs(a Args) []error {
	var errs []error
	add := func(format string, v ...any) { errs = append(errs, fmt.Errorf(format, v...)) }

	if !stackName.MatchString(a.Stack) {
		add("Stack %q must be 1-24 lowercase letters, digits or '-' (it is part of Grafana UIDs)", a.Stack)
	}
	if err := a.Thresholds.Validate(); err != nil {
		errs = append(errs, err)
	}
	switch a.Backend {
	case BackendDocker:
		if a.MetricsTargets == nil {
			add("MetricsTargets is required: pass the cluster's MetricsTargets output (host:port of each broker admin API)")
		}
		errs = append(errs, validateDocker(a.Docker)...)
	case BackendKubernetes:
		if a.MetricsTargets == nil && !a.Kubernetes.PrometheusOperator {
			add("MetricsTargets is required without Kubernetes.PrometheusOperator: the exported scrape config lists them")
		}
		errs = append(errs, validateKubernetes(a.Kubernetes)...)
	default:
		add("Backend %q is unknown: use %q or %q", a.Backend, BackendDocker, BackendKubernetes)
	}
	errs = append(errs, validateContactPoint(a.ContactPoint)...)
	errs = append(errs, validateNotification(a.Notification)...)
	return errs
}

func validateDocker(d DockerArgs) []error {
	var errs []error
	add := func(format string, v ...any) { errs = append(errs, fmt.Errorf(format, v...)) }

	if d.NetworkName == nil {
		add("Docker.NetworkName is required: pass the cluster's NetworkName output")
	}
	for _, img := range []struct{ field, ref, example string }{
		{"Docker.PrometheusImage", d.PrometheusImage, "prom/prometheus:v3.5.0"},
		{"Docker.GrafanaImage", d.GrafanaImage, "grafana/grafana:12.1.1"},
	} {
		if img.ref == "" {
			add("%s is required: pin a release tag (%s) or a digest (…@sha256:…)", img.field, img.example)
			continue
		}
		// The cluster's rule, so every image of a stack is pinned alike.
		if why := cluster.ParseImageRef(img.ref).Pinned(); why != "" {
			add("%s %q %s: pin a release tag (%s) or a digest (…@sha256:…)", img.field, img.ref, why, img.example)
		}
	}
	switch pw := d.GrafanaAdminPassword.(type) {
	case nil:
		add("Docker.GrafanaAdminPassword is required: set it with `pulumi config set --secret` and pass the secret")
	case pulumi.String:
		if pw == "" {
			add("Docker.GrafanaAdminPassword is empty")
		}
	}
	ports := []struct {
		field string
		port  int
	}{{"Docker.PrometheusHostPort", d.PrometheusHostPort}, {"Docker.GrafanaHostPort", d.GrafanaHostPort}}
	for _, p := range ports {
		if p.port < 1 || p.port > 65535 {
			add("%s %d is outside 1-65535", p.field, p.port)
		}
	}
	if d.PrometheusHostPort == d.GrafanaHostPort {
		add("Docker.PrometheusHostPort and Docker.GrafanaHostPort are both %d: give each its own host port", d.PrometheusHostPort)
	}
	if d.WaitTimeoutSeconds < 0 {
		add("Docker.WaitTimeoutSeconds %d must not be negative", d.WaitTimeoutSeconds)
	}
	return errs
}

func validateKubernetes(k KubernetesArgs) []error {
	var errs []error
	add := func(format string, v ...any) { errs = append(errs, fmt.Errorf(format, v...)) }

	if k.Namespace == "" {
		add("Kubernetes.Namespace is required: the namespace of the brokers' Service")
	}
	if err := httpURL(k.GrafanaURL); err != "" {
		add("Kubernetes.GrafanaURL %s: the Grafana the provider manages, from stack config", err)
	}
	if k.GrafanaToken == nil {
		add("Kubernetes.GrafanaToken is required: a Grafana service-account token, passed as a secret")
	} else if s, ok := k.GrafanaToken.(pulumi.String); ok && s == "" {
		add("Kubernetes.GrafanaToken is empty")
	}
	if err := httpURL(k.PrometheusURL); err != "" {
		add("Kubernetes.PrometheusURL %s: Prometheus' URL as Grafana's server reaches it", err)
	}
	if k.PrometheusOperator && len(k.ServiceSelector) == 0 {
		add("Kubernetes.ServiceSelector is required with PrometheusOperator: the labels of the brokers' Service")
	}
	if t := k.TLS; t.Enabled {
		if k.PrometheusOperator && t.CASecretName == "" {
			add("Kubernetes.TLS.CASecretName is required with TLS and PrometheusOperator: the Secret with the CA of the brokers' certificate, which the ServiceMonitor's tlsConfig reads")
		}
		if k.PrometheusOperator && t.ServerName == "" {
			add("Kubernetes.TLS.ServerName is required with TLS and PrometheusOperator: a name in the brokers' certificate (the headless Service's FQDN), since the operator scrapes pod IPs")
		}
		if !k.PrometheusOperator && t.CAFile == "" {
			add("Kubernetes.TLS.CAFile is required with TLS without PrometheusOperator: the CA's path in your Prometheus (or set CASecretName for the operator's /etc/prometheus/secrets/<name>/ca.crt)")
		}
	}
	return errs
}

// httpURL describes what is wrong with u as an http(s) URL, or "".
func httpURL(u string) string {
	if u == "" {
		return "is required"
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Sprintf("%q is not an http(s) URL", u)
	}
	return ""
}

func validateContactPoint(c ContactPointArgs) []error {
	if c.WebhookURL == nil && c.EmailAddresses == nil {
		return []error{errors.New("ContactPoint needs a receiver: set WebhookURL or EmailAddresses")}
	}
	return nil
}

func validateNotification(n NotificationArgs) []error {
	var errs []error
	for _, l := range n.GroupBy {
		if strings.TrimSpace(l) == "" {
			errs = append(errs, errors.New("Notification.GroupBy has an empty label"))
		}
	}
	if len(n.GroupBy) > 0 && !slices.Equal(n.GroupBy, []string{"..."}) &&
		(!slices.Contains(n.GroupBy, labelAlertname) || !slices.Contains(n.GroupBy, labelGrafanaFolder)) {
		errs = append(errs, fmt.Errorf("Notification.GroupBy %q lacks %q or %q, which Grafana requires in a rule's own grouping: add them, or use [\"...\"] to disable grouping",
			n.GroupBy, labelAlertname, labelGrafanaFolder))
	}
	sevs := make([]string, 0, len(n.RepeatInterval))
	for s := range n.RepeatInterval {
		sevs = append(sevs, string(s))
	}
	sort.Strings(sevs) // stable error order
	for _, s := range sevs {
		sev, v := Severity(s), n.RepeatInterval[Severity(s)]
		if sev != SeverityCritical && sev != SeverityHigh {
			errs = append(errs, fmt.Errorf("Notification.RepeatInterval has unknown severity %q: use %q or %q", s, SeverityCritical, SeverityHigh))
			continue
		}
		if d, err := time.ParseDuration(v); err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("Notification.RepeatInterval[%s] %q is not a positive duration (e.g. \"4h\")", s, v))
		}
	}
	return errs
}
