package monitoring

import (
	"errors"
	"reflect"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/marketbus/market-bus/fielderr"
)

// problem is one refusal as a test expects it: the field ("" for an error
// that is not a field refusal) and the whole message.
type problem struct{ field, text string }

// problemsOf splits a joined validation error into its problems.
func problemsOf(t *testing.T, err error) []problem {
	t.Helper()
	if err == nil {
		return nil
	}
	parts := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		parts = j.Unwrap()
	}
	out := make([]problem, 0, len(parts))
	for _, p := range parts {
		var fe *fielderr.Error
		if errors.As(p, &fe) {
			out = append(out, problem{fe.Field, p.Error()})
		} else {
			out = append(out, problem{"", p.Error()})
		}
	}
	return out
}

// TestValidateConfig: each bad setting of the user's config is refused at
// its json path inside the market-bus:monitoring subtree, on the backend
// that reads it; the wiring is not Validate's to check.
func TestValidateConfig(t *testing.T) {
	docker, kubernetes := Env{Stack: "dev", Backend: BackendDocker}, Env{Stack: "prod", Backend: BackendKubernetes}
	tests := []struct {
		name   string
		env    Env
		config Config
		want   []problem
	}{
		{"the dev config", docker, dockerArgs().Config, nil},
		{"the prod config", kubernetes, kubernetesArgs().Config, nil},
		{"prometheus image latest", docker, Config{PrometheusImage: "prom/prometheus:latest", GrafanaImage: gfImage}, []problem{{"prometheusImage",
			`prometheusImage = "prom/prometheus:latest": uses the latest tag, which moves; fix: pin a release tag (prom/prometheus:v3.5.0) or a digest (…@sha256:…)`}}},
		{"grafana image untagged", docker, Config{PrometheusImage: promImage, GrafanaImage: "grafana/grafana"}, []problem{{"grafanaImage",
			`grafanaImage = "grafana/grafana": has no tag, so Docker pulls latest, which moves; fix: pin a release tag (grafana/grafana:12.1.1) or a digest (…@sha256:…)`}}},
		{"grafana image missing", docker, Config{PrometheusImage: promImage}, []problem{{"grafanaImage",
			`grafanaImage = "": the Docker backend runs this image; fix: pin a release tag (grafana/grafana:12.1.1) or a digest (…@sha256:…)`}}},
		{"images are docker's only", kubernetes, Config{PrometheusURL: prodPromURL, GrafanaURL: prodGrafanaURL, PrometheusImage: "prom/prometheus:latest"}, nil},
		{"port out of range", docker, Config{PrometheusImage: promImage, GrafanaImage: gfImage, GrafanaPort: 70000}, []problem{{"grafanaPort",
			"grafanaPort = 70000: outside 1-65535; fix: use a free port on 127.0.0.1, or leave it out for the default"}}},
		{"negative port", docker, Config{PrometheusImage: promImage, GrafanaImage: gfImage, PrometheusPort: -1}, []problem{{"prometheusPort",
			"prometheusPort = -1: outside 1-65535; fix: use a free port on 127.0.0.1, or leave it out for the default"}}},
		{"port collision", docker, Config{PrometheusImage: promImage, GrafanaImage: gfImage, GrafanaPort: 9090}, []problem{{"grafanaPort",
			"grafanaPort = 9090: prometheusPort is the same host port; fix: give Grafana and Prometheus each its own host port"}}},
		{"port collision via default", docker, Config{PrometheusImage: promImage, GrafanaImage: gfImage, PrometheusPort: 3000}, []problem{{"grafanaPort",
			"grafanaPort = 3000: prometheusPort is the same host port; fix: give Grafana and Prometheus each its own host port"}}},
		{"grafana url missing", kubernetes, Config{PrometheusURL: prodPromURL}, []problem{{"grafanaUrl",
			`grafanaUrl = "": is required; fix: set the URL of the Grafana the stack manages, e.g. https://grafana.example.com`}}},
		{"grafana url not http", kubernetes, Config{PrometheusURL: prodPromURL, GrafanaURL: "grafana.example.test"}, []problem{{"grafanaUrl",
			`grafanaUrl = "grafana.example.test": not an http(s) URL; fix: set the URL of the Grafana the stack manages, e.g. https://grafana.example.com`}}},
		{"prometheus url missing", kubernetes, Config{GrafanaURL: prodGrafanaURL}, []problem{{"prometheusUrl",
			`prometheusUrl = "": is required; fix: set Prometheus' URL as Grafana's server reaches it, e.g. http://prometheus-operated.monitoring.svc:9090`}}},
		{"urls are kubernetes' only", docker, Config{PrometheusImage: promImage, GrafanaImage: gfImage, GrafanaURL: "not a url"}, nil},
		{"a bad address", docker, Config{PrometheusImage: promImage, GrafanaImage: gfImage, ContactEmails: []string{"oncall@example.test", "oncall"}}, []problem{{"contactEmails[1]",
			`contactEmails[1] = "oncall": not an email address; fix: write it as name@domain, or remove it`}}},
		{"negative lag records", docker, Config{PrometheusImage: promImage, GrafanaImage: gfImage, LagThresholdRecords: -1}, []problem{{"lagThresholdRecords",
			"lagThresholdRecords = -1: a consumer-lag threshold cannot be negative; fix: use a positive number, or leave it out for the default"}}},
		{"negative lag seconds", kubernetes, Config{PrometheusURL: prodPromURL, GrafanaURL: prodGrafanaURL, LagThresholdSeconds: -5}, []problem{{"lagThresholdSeconds",
			"lagThresholdSeconds = -5: a consumer-lag threshold cannot be negative; fix: use a positive number, or leave it out for the default"}}},
		{"bad stack", Env{Stack: "Dev_1", Backend: BackendDocker}, dockerArgs().Config, []problem{{"",
			`stack name "Dev_1" must be 1-24 lowercase letters, digits or '-' (it is part of Grafana UIDs): rename the stack`}}},
		{"unknown backend", Env{Stack: "dev", Backend: "swarm"}, dockerArgs().Config, []problem{{"", `backend "swarm" is unknown: use "docker" or "kubernetes"`}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := problemsOf(t, Validate(tc.config, tc.env)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("problems:\n got  %q\n want %q", got, tc.want)
			}
		})
	}
}

// TestArgsValidation: NewMonitoring refuses bad args with one problem each,
// a config field at its json path and the wiring at its Go field, and
// registers nothing at all (not even the component).
func TestArgsValidation(t *testing.T) {
	tests := []struct {
		name   string
		base   func() Args
		mutate func(*Args)
		want   problem
	}{
		{"a config field", dockerArgs, func(a *Args) { a.PrometheusImage = "prom/prometheus:latest" }, problem{"prometheusImage",
			`prometheusImage = "prom/prometheus:latest": uses the latest tag, which moves; fix: pin a release tag (prom/prometheus:v3.5.0) or a digest (…@sha256:…)`}},
		{"password missing", dockerArgs, func(a *Args) { a.Docker.GrafanaAdminPassword = nil }, problem{"Docker.GrafanaAdminPassword",
			"Docker.GrafanaAdminPassword = <nil>: required; fix: pass Grafana's admin password, a secret"}},
		{"password empty", dockerArgs, func(a *Args) { a.Docker.GrafanaAdminPassword = pulumi.String("") }, problem{"Docker.GrafanaAdminPassword",
			`Docker.GrafanaAdminPassword = "": empty; fix: pass Grafana's admin password, a secret`}},
		{"network missing", dockerArgs, func(a *Args) { a.Docker.NetworkName = nil }, problem{"Docker.NetworkName",
			"Docker.NetworkName = <nil>: Prometheus and Grafana join the cluster's network; fix: pass the cluster's NetworkName output"}},
		{"negative wait", dockerArgs, func(a *Args) { a.Docker.WaitTimeoutSeconds = -1 }, problem{"Docker.WaitTimeoutSeconds",
			"Docker.WaitTimeoutSeconds = -1: negative; fix: use a positive number of seconds, or 0 for the default"}},
		{"targets missing on docker", dockerArgs, func(a *Args) { a.MetricsTargets = nil }, problem{"MetricsTargets",
			"MetricsTargets = <nil>: Prometheus scrapes these; fix: pass the cluster's MetricsTargets output (host:port of each broker admin API)"}},
		{"grafana token missing", kubernetesArgs, func(a *Args) { a.Kubernetes.GrafanaToken = nil }, problem{"Kubernetes.GrafanaToken",
			"Kubernetes.GrafanaToken = <nil>: required; fix: pass a Grafana service-account token, a secret"}},
		{"namespace missing", kubernetesArgs, func(a *Args) { a.Kubernetes.Namespace = "" }, problem{"Kubernetes.Namespace",
			`Kubernetes.Namespace = "": the brokers' Service and the ServiceMonitor live in a namespace; fix: pass the cluster's namespace`}},
		{"selector missing with operator", kubernetesArgs, func(a *Args) { a.Kubernetes.ServiceSelector = nil }, problem{"Kubernetes.ServiceSelector",
			"Kubernetes.ServiceSelector = {}: the ServiceMonitor selects the brokers' Service by it; fix: pass the labels of the brokers' Service"}},
		{"targets missing without operator", kubernetesArgs, func(a *Args) {
			a.PrometheusOperator = false
			a.MetricsTargets = nil
		}, problem{"MetricsTargets",
			"MetricsTargets = <nil>: the exported scrape config lists them without the Prometheus operator; fix: pass the cluster's MetricsTargets output, or set prometheusOperator"}},
		{"no receiver", dockerArgs, func(a *Args) { a.ContactPoint = ContactPointArgs{} }, problem{"contactEmails",
			"contactEmails = []: alerts would reach no one: no address and no ContactPoint.WebhookURL; fix: list an address in contactEmails or pass ContactPoint.WebhookURL"}},
		{"negative threshold", dockerArgs, func(a *Args) { a.Thresholds.ConsumerLagRecords = -1 }, problem{"",
			"thresholds: ConsumerLagRecords is -1, must not be negative"}},
		{"unknown severity", dockerArgs, func(a *Args) { a.Notification.RepeatInterval = map[Severity]string{"info": "1h"} }, problem{"Notification.RepeatInterval[info]",
			`Notification.RepeatInterval[info] = "1h": an unknown severity; fix: use "critical" or "high"`}},
		{"bad repeat interval", dockerArgs, func(a *Args) { a.Notification.RepeatInterval = map[Severity]string{SeverityHigh: "1d"} }, problem{"Notification.RepeatInterval[high]",
			`Notification.RepeatInterval[high] = "1d": not a positive duration; fix: write it as a Go duration, e.g. "4h"`}},
		{"TLS without the CA Secret", kubernetesArgs, func(a *Args) { a.Kubernetes.TLS = ScrapeTLSArgs{Enabled: true, ServerName: "redpanda.x.svc"} }, problem{"Kubernetes.TLS.CASecretName",
			`Kubernetes.TLS.CASecretName = "": required with TLS and the Prometheus operator; fix: name the Secret with the CA of the brokers' certificate, which the ServiceMonitor's tlsConfig reads`}},
		{"TLS without a server name", kubernetesArgs, func(a *Args) { a.Kubernetes.TLS = ScrapeTLSArgs{Enabled: true, CASecretName: "redpanda-tls"} }, problem{"Kubernetes.TLS.ServerName",
			`Kubernetes.TLS.ServerName = "": required with TLS and the Prometheus operator, which scrapes pod IPs; fix: pass a name in the brokers' certificate (the headless Service's FQDN)`}},
		{"TLS without a CA file", kubernetesArgs, func(a *Args) {
			a.PrometheusOperator = false
			a.Kubernetes.TLS = ScrapeTLSArgs{Enabled: true}
		}, problem{"Kubernetes.TLS.CAFile",
			`Kubernetes.TLS.CAFile = "": required with TLS without the Prometheus operator; fix: pass the CA's path in your Prometheus (or CASecretName for the operator's /etc/prometheus/secrets/<name>/ca.crt)`}},
		{"grouping Grafana refuses per rule", dockerArgs, func(a *Args) { a.Notification.GroupBy = []string{"alertname", "cluster"} }, problem{"Notification.GroupBy",
			`Notification.GroupBy = ["alertname" "cluster"]: lacks "alertname" or "grafana_folder", which Grafana requires in a rule's own grouping; fix: add them, or use ["..."] to disable grouping`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mocks, _, err := runMonitoring(t, "dev", func() Args {
				a := tc.base()
				tc.mutate(&a)
				return a
			})
			if err == nil {
				t.Fatal("NewMonitoring accepted the args")
			}
			const prefix = `monitoring "mon": invalid args:` + "\n"
			if got := err.Error(); got[:min(len(got), len(prefix))] != prefix {
				t.Errorf("error %q lacks the prefix %q", got, prefix)
			}
			if got := problemsOf(t, errors.Unwrap(err)); !reflect.DeepEqual(got, []problem{tc.want}) {
				t.Errorf("problems:\n got  %q\n want %q", got, []problem{tc.want})
			}
			if n := len(mocks.calls); n != 0 {
				t.Errorf("%d resources registered before the error", n)
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	c := dockerArgs().Config
	c.PrometheusImage = "prom/prometheus"
	c.GrafanaPort = 9090
	c.LagThresholdRecords = -1
	var fields []string
	for _, p := range problemsOf(t, Validate(c, Env{Stack: "dev", Backend: BackendDocker})) {
		fields = append(fields, p.field)
	}
	if want := []string{"prometheusImage", "grafanaPort", "lagThresholdRecords"}; !reflect.DeepEqual(fields, want) {
		t.Errorf("refused %q, want %q", fields, want)
	}
}

// TestLagThresholdsFromConfig: the config's lag thresholds take the place
// of the caller's, and only where set.
func TestLagThresholdsFromConfig(t *testing.T) {
	a := dockerArgs()
	a.Thresholds.ConsumerLagRecords, a.Thresholds.ConsumerLagTime = 500, 7e9
	if got := a.thresholds(); got.ConsumerLagRecords != 500 || got.ConsumerLagTime != 7e9 {
		t.Errorf("unset config: lag %v records, %v; want the caller's 500, 7s", got.ConsumerLagRecords, got.ConsumerLagTime)
	}
	a.LagThresholdRecords, a.LagThresholdSeconds = 2500, 90
	if got := a.thresholds(); got.ConsumerLagRecords != 2500 || got.ConsumerLagTime.Seconds() != 90 {
		t.Errorf("set config: lag %v records, %v; want 2500, 1m30s", got.ConsumerLagRecords, got.ConsumerLagTime)
	}
}

func TestNilArgs(t *testing.T) {
	var err error
	_ = pulumi.RunErr(func(ctx *pulumi.Context) error {
		_, err = NewMonitoring(ctx, "mon", nil)
		return err
	}, pulumi.WithMocks("market-bus", "dev", &monitoringMocks{}))
	if err == nil || err.Error() != `monitoring "mon": args are required` {
		t.Errorf("err = %v", err)
	}
}
