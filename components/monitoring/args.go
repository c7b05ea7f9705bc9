package monitoring

import (
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/marketbus/market-bus/components/cluster"
	"github.com/marketbus/market-bus/dashboards"
)

// Backend selects where Prometheus and Grafana come from: the cluster's own mode, so a
// stack passes its market-bus:cluster.mode as it is.
type Backend = cluster.Mode

// Backends.
const (
	// BackendDocker runs Prometheus and Grafana as containers on the
	// cluster's Docker network.
	BackendDocker = cluster.ModeDocker
	// BackendKubernetes uses the platform's Prometheus and Grafana: a
	// ServiceMonitor (or an exported scrape config) and a Grafana reached
	// with an API token.
	BackendKubernetes = cluster.ModeKubernetes
)

// Defaults applied to zero-valued optional fields.
const (
	DefaultPrometheusPort = 9090
	DefaultGrafanaPort    = 3000
	// DefaultWaitTimeoutSeconds bounds the wait for each container to turn
	// healthy. Grafana's first start runs its database migrations, which
	// take tens of seconds on a slow laptop.
	DefaultWaitTimeoutSeconds = 180
	// DefaultAdminPortName is the broker Service's port name for the admin
	// API, as in the Redpanda Helm chart.
	DefaultAdminPortName = "admin"
	// DefaultCASecretKey is where cert-manager puts the issuing CA.
	DefaultCASecretKey = "ca.crt"
)

// Config is the monitoring as a user writes it: the market-bus:monitoring
// stack key's subtree, with its field names and json tags. Validate names
// a bad field by its json path inside the subtree (grafanaPort,
// contactEmails[1]), which the stack prefixes with its key.
type Config struct {
	// Enabled is the stack's switch (default true); the component itself
	// does not read it.
	Enabled *bool `json:"enabled"`

	// Docker backend: containers on the cluster's network.

	// PrometheusImage and GrafanaImage are pinned by release tag
	// (prom/prometheus:v3.5.0, grafana/grafana:12.1.1) or by digest.
	PrometheusImage string `json:"prometheusImage"`
	GrafanaImage    string `json:"grafanaImage"`
	// PrometheusPort and GrafanaPort are published on 127.0.0.1; defaults
	// 9090 and 3000. Reserve them in the cluster's ReservedHostPorts so no
	// broker takes them.
	PrometheusPort int `json:"prometheusPort"`
	GrafanaPort    int `json:"grafanaPort"`

	// Kubernetes backend: the platform's Prometheus and Grafana.

	// PrometheusOperator creates a monitoring.coreos.com/v1 ServiceMonitor
	// and PrometheusRule for the brokers. Without it the scrape config is
	// only exported (Monitoring.ScrapeConfigYAML) for whoever runs
	// Prometheus.
	PrometheusOperator bool `json:"prometheusOperator"`
	// PrometheusURL is Prometheus' query URL as Grafana's server reaches
	// it: the Grafana data source URL. Required.
	PrometheusURL string `json:"prometheusUrl"`
	// GrafanaURL is the Grafana the Grafana provider manages. Required.
	GrafanaURL string `json:"grafanaUrl"`

	// Alerting: who is told, and when consumer lag is too much.

	// ContactEmails receive alert mails (needs SMTP configured in Grafana).
	ContactEmails []string `json:"contactEmails"`
	// LagThresholdRecords and LagThresholdSeconds are the consumer-lag
	// alerts' thresholds; when set they take the place of Args.Thresholds'
	// ConsumerLagRecords and ConsumerLagTime (defaults 10000 and 60).
	LagThresholdRecords float64 `json:"lagThresholdRecords"`
	LagThresholdSeconds float64 `json:"lagThresholdSeconds"`
}

// IsEnabled reports whether monitoring is deployed: unless Enabled is false.
func (c Config) IsEnabled() bool { return c.Enabled == nil || *c.Enabled }

// Args configures a Monitoring component: the user's Config and what the
// caller wires in beside it (the cluster's outputs, secrets as Pulumi
// inputs, the stack's thresholds). One struct serves both backends; the
// wiring specific to one lives in Docker and Kubernetes.
type Args struct {
	Config
	// Stack is the stack name: the value of the cluster label on every
	// scraped series, and part of every Grafana UID (1-24 lowercase
	// letters, digits or '-').
	Stack string
	// Backend is "docker" or "kubernetes".
	Backend Backend
	// MetricsTargets are host:port of each broker's admin API as Prometheus
	// reaches it (the cluster component's MetricsTargets output). Required,
	// except on Kubernetes with PrometheusOperator, where the ServiceMonitor
	// finds the brokers itself.
	MetricsTargets pulumi.StringArrayInput
	// Thresholds drive the alert rules (Prometheus and Grafana) and the
	// dashboards' colours; zero fields take dashboards.DefaultThresholds,
	// and Config's lag thresholds, when set, replace the consumer-lag ones.
	Thresholds dashboards.Thresholds
	// ContactPoint is where Grafana sends alerts, beside ContactEmails.
	ContactPoint ContactPointArgs
	// Notification tunes how each rule notifies its contact point.
	Notification NotificationArgs
	// Docker is the Docker backend's wiring.
	Docker DockerArgs
	// Kubernetes is the Kubernetes backend's wiring.
	Kubernetes KubernetesArgs
}

// DockerArgs is the Docker backend's wiring.
type DockerArgs struct {
	// NetworkName is the cluster's Docker network (its NetworkName output);
	// Prometheus and Grafana join it to reach the brokers and each other.
	NetworkName pulumi.StringInput
	// GrafanaAdminPassword is the password of Grafana's admin user, which
	// the Grafana provider also signs in with. Required; it is kept secret
	// in state whether or not the caller marked it so.
	GrafanaAdminPassword pulumi.StringInput
	// WaitTimeoutSeconds bounds the wait for each container to turn
	// healthy; default 180.
	WaitTimeoutSeconds int
}

// KubernetesArgs is the Kubernetes backend's wiring. Prometheus and Grafana
// are the platform's; this component only feeds them.
type KubernetesArgs struct {
	// Namespace holds the brokers' Service and the ServiceMonitor: the
	// cluster's namespace.
	Namespace string
	// ServiceSelector are the labels of the brokers' Service the
	// ServiceMonitor selects. Required with PrometheusOperator.
	ServiceSelector map[string]string
	// AdminPortName is the Service port of the admin API; default "admin".
	AdminPortName string
	// ServiceMonitorLabels are extra labels on the ServiceMonitor and the
	// PrometheusRule, for a Prometheus whose serviceMonitorSelector and
	// ruleSelector want them (kube-prometheus-stack: release: <its release
	// name>).
	ServiceMonitorLabels map[string]string
	// TLS is how Prometheus verifies the admin API when it serves TLS.
	TLS ScrapeTLSArgs
	// GrafanaToken is a Grafana service-account token. Required; kept
	// secret in state.
	GrafanaToken pulumi.StringInput
}

// ScrapeTLSArgs configures scraping an admin API that serves TLS.
type ScrapeTLSArgs struct {
	// Enabled scrapes https and verifies the brokers' certificate with the
	// cluster CA (set it when the cluster's TLS covers the admin API).
	Enabled bool
	// CASecretName is the Secret in Namespace holding the CA that signed
	// the brokers' certificate (cert-manager's Certificate Secret, or the
	// platform's kubernetes.io/tls Secret); the ServiceMonitor's tlsConfig
	// reads it. Required with Enabled and PrometheusOperator.
	CASecretName string
	// CASecretKey is the key of the CA in that Secret; default "ca.crt".
	CASecretKey string
	// ServerName is the name the ServiceMonitor verifies in the
	// certificate: the operator scrapes pod IPs, which the certificate does
	// not name (e.g. the headless Service's FQDN, which it does). Required
	// with Enabled and PrometheusOperator.
	ServerName string
	// CAFile is the CA's path as the platform's Prometheus process sees it,
	// for the exported static scrape config (tls_config.ca_file). Default
	// /etc/prometheus/secrets/<CASecretName>/<CASecretKey>, where a
	// prometheus-operator Prometheus mounts what its spec.secrets lists.
	CAFile string
}

// ContactPointArgs is where alerts go besides Config.ContactEmails. The
// contact point needs at least one receiver: an address or the webhook.
type ContactPointArgs struct {
	// Name is the contact point's name; default "market-bus-<stack>".
	Name string
	// WebhookURL receives Grafana's webhook payload. Webhook URLs often
	// carry a token, so it is kept secret in state.
	WebhookURL pulumi.StringInput
}

// NotificationArgs tunes the notification settings of every rule: Grafana's
// simplified routing, which sends a rule's alerts to its contact point
// without a notification policy (the organisation's routing tree, which
// the stack must not own).
type NotificationArgs struct {
	// GroupBy are the labels alerts are grouped by in one notification;
	// default alertname, grafana_folder, cluster, severity. Grafana wants
	// alertname and grafana_folder in it, unless it is ["..."].
	GroupBy []string
	// RepeatInterval is how often a still-firing alert is re-sent, per
	// severity (Go/Prometheus duration, e.g. "1h"). Defaults: critical 1h,
	// high 4h.
	RepeatInterval map[Severity]string
}

// withDefaults returns a copy of c with zero-valued optional fields filled.
func (c Config) withDefaults() Config {
	if c.PrometheusPort == 0 {
		c.PrometheusPort = DefaultPrometheusPort
	}
	if c.GrafanaPort == 0 {
		c.GrafanaPort = DefaultGrafanaPort
	}
	return c
}

// withDefaults returns a copy of a with zero-valued optional fields filled.
func (a Args) withDefaults() Args {
	a.Config = a.Config.withDefaults()
	if a.Docker.WaitTimeoutSeconds == 0 {
		a.Docker.WaitTimeoutSeconds = DefaultWaitTimeoutSeconds
	}
	if a.Kubernetes.AdminPortName == "" {
		a.Kubernetes.AdminPortName = DefaultAdminPortName
	}
	if t := &a.Kubernetes.TLS; t.Enabled {
		if t.CASecretKey == "" {
			t.CASecretKey = DefaultCASecretKey
		}
		if t.CAFile == "" && t.CASecretName != "" {
			t.CAFile = "/etc/prometheus/secrets/" + t.CASecretName + "/" + t.CASecretKey
		}
	}
	if a.ContactPoint.Name == "" {
		a.ContactPoint.Name = "market-bus-" + a.Stack
	}
	n := &a.Notification
	if len(n.GroupBy) == 0 {
		n.GroupBy = []string{labelAlertname, labelGrafanaFolder, dashboards.ClusterLabel, "severity"}
	}
	// Copy before filling, so the caller's map is never written to.
	repeat := map[Severity]string{SeverityCritical: "1h", SeverityHigh: "4h"}
	for k, v := range n.RepeatInterval {
		repeat[k] = v
	}
	n.RepeatInterval = repeat
	return a
}

// thresholds are the alert and dashboard thresholds: the caller's, with
// the config's consumer-lag thresholds in their place where set.
func (a Args) thresholds() dashboards.Thresholds {
	t := a.Thresholds
	if a.LagThresholdRecords != 0 {
		t.ConsumerLagRecords = a.LagThresholdRecords
	}
	if a.LagThresholdSeconds != 0 {
		t.ConsumerLagTime = time.Duration(a.LagThresholdSeconds * float64(time.Second))
	}
	return t
}

// DatasourceUID is the UID of the Grafana Prometheus data source of a
// stack; fixed, so dashboards and rules can name it before it exists.
func DatasourceUID(stack string) string { return "prometheus-" + stack }

// FolderUID is the UID of the stack's Grafana folder.
func FolderUID(stack string) string { return "market-bus-" + stack }
