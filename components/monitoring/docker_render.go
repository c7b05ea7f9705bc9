package monitoring

import (
	"errors"
	"fmt"

	"github.com/marketbus/market-bus/components/cluster"
)

// grafanaAdminPasswordEnv is the variable Grafana reads the admin password
// from; it only applies when Grafana creates its database.
const grafanaAdminPasswordEnv = "GF_SECURITY_ADMIN_PASSWORD"

// DockerServices are the Docker backend's Prometheus and Grafana containers
// in plain values, and what Grafana is fed. docker.go creates the
// containers from them, a Compose file writes them: one rendering, so an
// image, port, file or healthcheck cannot differ between the two.
type DockerServices struct {
	Prometheus cluster.DockerContainer
	// Grafana's environment has the admin password as a Secret entry.
	Grafana cluster.DockerContainer
	// Stack names the data source and folder.
	Stack string
	// DatasourceURL is Prometheus as Grafana's server reaches it.
	DatasourceURL string
	// Dashboards are the rendered dashboards.
	Dashboards []RenderedDashboard
}

// RenderedDashboard is one dashboard's model as Grafana imports it.
type RenderedDashboard struct {
	Slug  string
	Title string
	JSON  string
}

// RenderDocker validates args and renders the Prometheus and Grafana
// containers NewMonitoring creates on the Docker backend for project,
// scraping targets (host:port of each broker's admin API on the cluster
// network). Nothing is created. The Pulumi inputs only the Pulumi backend
// reads (NetworkName, MetricsTargets, GrafanaAdminPassword, the webhook)
// are neither read nor checked: the rendering never holds the password.
func RenderDocker(project string, args Args, targets []string) (DockerServices, error) {
	a := args.withDefaults()
	if a.Backend != BackendDocker {
		return DockerServices{}, fmt.Errorf("render docker monitoring: Backend = %q: only %q renders as containers", a.Backend, BackendDocker)
	}
	if len(targets) == 0 {
		return DockerServices{}, errors.New("render docker monitoring: no metrics targets: pass the admin API host:port of every broker")
	}
	errs := validateConfig(a.Config, Env{Stack: a.Stack, Backend: a.Backend})
	if errs = append(errs, validateWiring(a)...); len(errs) > 0 {
		return DockerServices{}, fmt.Errorf("render docker monitoring: invalid args:\n%w", errors.Join(errs...))
	}
	p, err := render(a)
	if err != nil {
		return DockerServices{}, fmt.Errorf("render docker monitoring: %w", err)
	}
	promConfig, err := promConfigFor(a.Stack, targets)
	if err != nil {
		return DockerServices{}, fmt.Errorf("render docker monitoring: prometheus config: %w", err)
	}
	return renderDocker(project, a, p, promConfig), nil
}

// renderDocker lays out defaulted args and their plan as containers, with
// promConfig as prometheus.yml. The Pulumi backend passes "" and uploads
// the config it renders once the targets are known (promConfigFor both).
func renderDocker(project string, a Args, p plan, promConfig string) DockerServices {
	prefix := project + "-" + a.Stack
	s := DockerServices{
		Stack:         a.Stack,
		DatasourceURL: fmt.Sprintf("http://%s:%d", prometheusHostname, prometheusPort),
	}
	s.Prometheus = cluster.DockerContainer{
		Name:     prefix + "-prometheus",
		Hostname: prometheusHostname,
		Image:    a.PrometheusImage,
		Ports:    publishOn(prometheusPort, a.PrometheusPort),
		Files: []cluster.DockerFile{
			{Path: promConfigPath, Content: promConfig, Mode: "0644"},
			{Path: promRulesPath, Content: p.rulesYAML, Mode: "0644"},
		},
		// The image is busybox-based: wget, no curl.
		Healthcheck: healthcheckOf([]string{"CMD", "wget", "-q", "-O", "/dev/null",
			fmt.Sprintf("http://localhost:%d/-/ready", prometheusPort)}),
		Restart: "unless-stopped",
		Labels:  monitoringLabels(a.Stack, "prometheus"),
	}
	s.Grafana = cluster.DockerContainer{
		Name:     prefix + "-grafana",
		Hostname: grafanaHostname,
		Image:    a.GrafanaImage,
		Ports:    publishOn(grafanaPort, a.GrafanaPort),
		Env:      grafanaEnvOf(a.GrafanaPort),
		// Alpine-based images have busybox wget, Ubuntu-based ones curl.
		Healthcheck: healthcheckOf([]string{"CMD-SHELL", fmt.Sprintf(
			"wget -q -O /dev/null http://localhost:%[1]d/api/health || curl -fsS -o /dev/null http://localhost:%[1]d/api/health",
			grafanaPort)}),
		Restart: "unless-stopped",
		Labels:  monitoringLabels(a.Stack, "grafana"),
	}
	for _, db := range p.dashboards {
		s.Dashboards = append(s.Dashboards, RenderedDashboard(db))
	}
	return s
}

// grafanaEnvOf is the environment of a Grafana published on hostPort; the
// admin password is a Secret entry each backend fills its own way.
func grafanaEnvOf(hostPort int) []cluster.DockerEnv {
	return []cluster.DockerEnv{
		{Name: "GF_SECURITY_ADMIN_USER", Value: grafanaAdminUser},
		{Name: grafanaAdminPasswordEnv, Secret: true},
		// Links Grafana renders (dashboard URLs among them) must use the
		// published port, not the container's.
		{Name: "GF_SERVER_ROOT_URL", Value: fmt.Sprintf("http://localhost:%d/", hostPort)},
		{Name: "GF_USERS_ALLOW_SIGN_UP", Value: "false"},
		// A laptop stack has no business phoning home.
		{Name: "GF_ANALYTICS_REPORTING_ENABLED", Value: "false"},
		{Name: "GF_ANALYTICS_CHECK_FOR_UPDATES", Value: "false"},
		{Name: "GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES", Value: "false"},
	}
}

// publishOn publishes one port on the loopback interface: Prometheus has no
// authentication, and Grafana's admin password is the only lock.
func publishOn(internal, external int) []cluster.DockerPort {
	return []cluster.DockerPort{{ContainerPort: internal, HostPort: external, HostIP: loopback, Protocol: "tcp"}}
}

func healthcheckOf(test []string) cluster.DockerHealthcheck {
	return cluster.DockerHealthcheck{
		Test:        test,
		Interval:    healthInterval,
		Timeout:     healthTimeout,
		Retries:     healthRetries,
		StartPeriod: healthStartPeriod,
	}
}

// monitoringLabels mirror the cluster's labels, so `docker ps --filter
// label=marketbus/stack=dev` lists the whole stack.
func monitoringLabels(stack, app string) map[string]string {
	return map[string]string{
		"app.kubernetes.io/name":       app,
		"app.kubernetes.io/component":  "monitoring",
		"app.kubernetes.io/part-of":    "market-bus",
		"app.kubernetes.io/managed-by": "pulumi",
		"marketbus/stack":              stack,
	}
}
