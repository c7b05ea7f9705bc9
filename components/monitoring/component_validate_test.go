package monitoring

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TestArgsValidation: each bad setting fails with its exact message, and
// nothing at all is registered (not even the component).
func TestArgsValidation(t *testing.T) {
	const prefix = `monitoring "mon": invalid args:` + "\n"
	tests := []struct {
		name   string
		base   func() Args
		mutate func(*Args)
		want   string
	}{
		{"prometheus image latest", dockerArgs, func(a *Args) { a.Docker.PrometheusImage = "prom/prometheus:latest" },
			`Docker.PrometheusImage "prom/prometheus:latest" uses the latest tag, which moves: pin a release tag (prom/prometheus:v3.5.0) or a digest (…@sha256:…)`},
		{"grafana image untagged", dockerArgs, func(a *Args) { a.Docker.GrafanaImage = "grafana/grafana" },
			`Docker.GrafanaImage "grafana/grafana" has no tag, so Docker pulls latest, which moves: pin a release tag (grafana/grafana:12.1.1) or a digest (…@sha256:…)`},
		{"grafana image missing", dockerArgs, func(a *Args) { a.Docker.GrafanaImage = "" },
			`Docker.GrafanaImage is required: pin a release tag (grafana/grafana:12.1.1) or a digest (…@sha256:…)`},
		{"password missing", dockerArgs, func(a *Args) { a.Docker.GrafanaAdminPassword = nil },
			"Docker.GrafanaAdminPassword is required: set it with `pulumi config set --secret` and pass the secret"},
		{"password empty", dockerArgs, func(a *Args) { a.Docker.GrafanaAdminPassword = pulumi.String("") },
			"Docker.GrafanaAdminPassword is empty"},
		{"port collision", dockerArgs, func(a *Args) { a.Docker.GrafanaHostPort = 9090 },
			"Docker.PrometheusHostPort and Docker.GrafanaHostPort are both 9090: give each its own host port"},
		{"port collision via default", dockerArgs, func(a *Args) { a.Docker.PrometheusHostPort = 3000 },
			"Docker.PrometheusHostPort and Docker.GrafanaHostPort are both 3000: give each its own host port"},
		{"port out of range", dockerArgs, func(a *Args) { a.Docker.GrafanaHostPort = 70000 },
			"Docker.GrafanaHostPort 70000 is outside 1-65535"},
		{"network missing", dockerArgs, func(a *Args) { a.Docker.NetworkName = nil },
			"Docker.NetworkName is required: pass the cluster's NetworkName output"},
		{"targets missing on docker", dockerArgs, func(a *Args) { a.MetricsTargets = nil },
			"MetricsTargets is required: pass the cluster's MetricsTargets output (host:port of each broker admin API)"},
		{"grafana url missing", kubernetesArgs, func(a *Args) { a.Kubernetes.GrafanaURL = "" },
			"Kubernetes.GrafanaURL is required: the Grafana the provider manages, from stack config"},
		{"grafana url not http", kubernetesArgs, func(a *Args) { a.Kubernetes.GrafanaURL = "grafana.example.test" },
			`Kubernetes.GrafanaURL "grafana.example.test" is not an http(s) URL: the Grafana the provider manages, from stack config`},
		{"grafana token missing", kubernetesArgs, func(a *Args) { a.Kubernetes.GrafanaToken = nil },
			"Kubernetes.GrafanaToken is required: a Grafana service-account token, passed as a secret"},
		{"prometheus url missing", kubernetesArgs, func(a *Args) { a.Kubernetes.PrometheusURL = "" },
			"Kubernetes.PrometheusURL is required: Prometheus' URL as Grafana's server reaches it"},
		{"namespace missing", kubernetesArgs, func(a *Args) { a.Kubernetes.Namespace = "" },
			"Kubernetes.Namespace is required: the namespace of the brokers' Service"},
		{"selector missing with operator", kubernetesArgs, func(a *Args) { a.Kubernetes.ServiceSelector = nil },
			"Kubernetes.ServiceSelector is required with PrometheusOperator: the labels of the brokers' Service"},
		{"targets missing without operator", kubernetesArgs, func(a *Args) {
			a.Kubernetes.PrometheusOperator = false
			a.MetricsTargets = nil
		}, "MetricsTargets is required without Kubernetes.PrometheusOperator: the exported scrape config lists them"},
		{"unknown backend", dockerArgs, func(a *Args) { a.Backend = "swarm" },
			`Backend "swarm" is unknown: use "docker" or "kubernetes"`},
		{"bad stack", dockerArgs, func(a *Args) { a.Stack = "Dev_1" },
			`Stack "Dev_1" must be 1-24 lowercase letters, digits or '-' (it is part of Grafana UIDs)`},
		{"no receiver", dockerArgs, func(a *Args) { a.ContactPoint = ContactPointArgs{} },
			"ContactPoint needs a receiver: set WebhookURL or EmailAddresses"},
		{"negative threshold", dockerArgs, func(a *Args) { a.Thresholds.ConsumerLagRecords = -1 },
			"thresholds: ConsumerLagRecords is -1, must not be negative"},
		{"unknown severity", dockerArgs, func(a *Args) { a.Notification.RepeatInterval = map[Severity]string{"info": "1h"} },
			`Notification.RepeatInterval has unknown severity "info": use "critical" or "high"`},
		{"bad repeat interval", dockerArgs, func(a *Args) { a.Notification.RepeatInterval = map[Severity]string{SeverityHigh: "1d"} },
			`Notification.RepeatInterval[high] "1d" is not a positive duration (e.g. "4h")`},
		{"TLS without the CA Secret", kubernetesArgs, func(a *Args) { a.Kubernetes.TLS = ScrapeTLSArgs{Enabled: true, ServerName: "redpanda.x.svc"} },
			"Kubernetes.TLS.CASecretName is required with TLS and PrometheusOperator: the Secret with the CA of the brokers' certificate, which the ServiceMonitor's tlsConfig reads"},
		{"TLS without a server name", kubernetesArgs, func(a *Args) { a.Kubernetes.TLS = ScrapeTLSArgs{Enabled: true, CASecretName: "redpanda-tls"} },
			"Kubernetes.TLS.ServerName is required with TLS and PrometheusOperator: a name in the brokers' certificate (the headless Service's FQDN), since the operator scrapes pod IPs"},
		{"grouping Grafana refuses per rule", dockerArgs, func(a *Args) { a.Notification.GroupBy = []string{"alertname", "cluster"} },
			`Notification.GroupBy ["alertname" "cluster"] lacks "alertname" or "grafana_folder", which Grafana requires in a rule's own grouping: add them, or use ["..."] to disable grouping`},
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
			if got := err.Error(); got != prefix+tc.want {
				t.Errorf("error:\n got  %s\n want %s", got, prefix+tc.want)
			}
			if n := len(mocks.calls); n != 0 {
				t.Errorf("%d resources registered before the error", n)
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	a := dockerArgs()
	a.Docker.PrometheusImage = "prom/prometheus"
	a.Docker.GrafanaAdminPassword = nil
	a.Docker.GrafanaHostPort = 9090
	err := Validate(a)
	if err == nil {
		t.Fatal("Validate accepted the args")
	}
	if n := len(strings.Split(err.Error(), "\n")); n != 3 {
		t.Errorf("Validate reported %d problems, want 3:\n%s", n, err)
	}
	if err := Validate(dockerArgs()); err != nil {
		t.Errorf("Validate refused the dev args: %v", err)
	}
	if err := Validate(kubernetesArgs()); err != nil {
		t.Errorf("Validate refused the prod args: %v", err)
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
