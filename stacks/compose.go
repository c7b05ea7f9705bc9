package stacks

import (
	"fmt"
	"strings"

	"github.com/marketbus/market-bus/components/cluster"
	"github.com/marketbus/market-bus/components/monitoring"
)

// composeHeader heads every Compose file busctl writes (a comment: Compose
// ignores it). %[1]s is the stack, %[2]s the file, %[3]s the brokers'
// external Kafka addresses, %[4]s the monitoring note, %[5]s-%[7]s the rpk
// profile's name, admin and schema registry addresses.
const composeHeader = `Generated from Pulumi.%[1]s.yaml by the renderer of the %[1]s stack's Docker backend. DO NOT EDIT.
Regenerate it with:
  go run ./cmd/busctl render --stack %[1]s --format compose --out %[2]s
(a unit test fails while it is stale). Start it with:
  docker compose -f %[2]s up -d
Kafka on the host: %[3]s. An rpk profile for it:
  rpk profile create %[5]s --set brokers=%[3]s \
    --set admin.hosts=%[6]s --set registry.hosts=%[7]s%[4]s
It creates the same network, volumes and containers as ` + "`busctl up --stack %[1]s`" + `:
run one or the other, not both (they share names and host ports).
`

const composePasswordNote = `
Grafana's admin password is never in this file: Compose reads it from the
environment of the shell that runs it and mounts it as a secret file:
  export ` + monitoring.ComposePasswordVariable + `='<a password>'   # before ` + "`docker compose up`"

// ComposeFile renders spec's Docker cluster, and its Prometheus and Grafana
// when monitoring is on, as a Compose file named fileName in its header.
// It uses the renderers NewRedpandaCluster and NewMonitoring deploy from,
// so the containers are the ones the stack's Docker backend creates.
func ComposeFile(spec Spec, fileName string) ([]byte, error) {
	if spec.Cluster.Mode != ModeDocker {
		return nil, fmt.Errorf("stack %q: %s:cluster.mode = %q: only a docker cluster renders as a Compose file", spec.Stack, Project, spec.Cluster.Mode)
	}
	args := clusterArgs(spec, nil)
	dc, brokers, err := cluster.RenderDocker(Project, spec.Stack, clusterInstance, args)
	if err != nil {
		return nil, fmt.Errorf("stack %q: %w", spec.Stack, err)
	}
	// Nothing reconciles a Compose cluster after `docker compose up`, so its bootstrap file
	// carries the cluster properties a ClusterConfig would write on the Pulumi stack.
	boot, err := cluster.RenderStandaloneBootstrapYAML(args, spec.ClusterConfig)
	if err != nil {
		return nil, fmt.Errorf("stack %q: %w", spec.Stack, err)
	}
	for i := range dc.Containers {
		for j := range dc.Containers[i].Files {
			if dc.Containers[i].Files[j].Path == cluster.BootstrapPath {
				dc.Containers[i].Files[j].Content = boot
			}
		}
	}
	project := Project + "-" + spec.Stack
	f, err := cluster.ComposeCluster(project, dc)
	if err != nil {
		return nil, fmt.Errorf("stack %q: %w", spec.Stack, err)
	}
	note := ""
	if spec.Monitoring.IsEnabled() {
		svc, err := monitoring.RenderDocker(Project, monitoringArgs(spec, monitoringSecrets{}), cluster.ClusterEndpoints(brokers).MetricsInternal)
		if err != nil {
			return nil, fmt.Errorf("stack %q: %w", spec.Stack, err)
		}
		hosts := make([]string, 0, len(dc.Containers))
		for _, c := range dc.Containers {
			hosts = append(hosts, c.Hostname)
		}
		if err := svc.AddToCompose(f, hosts); err != nil {
			return nil, fmt.Errorf("stack %q: %w", spec.Stack, err)
		}
		note = fmt.Sprintf("\nGrafana on http://localhost:%d (user admin), Prometheus on http://localhost:%d.%s",
			spec.Monitoring.GrafanaPort, spec.Monitoring.PrometheusPort, composePasswordNote)
	}
	ep := cluster.ClusterEndpoints(brokers)
	var registry []string
	for _, u := range ep.SchemaRegistryExternal {
		registry = append(registry, strings.TrimPrefix(u, "http://")) // rpk takes host:port
	}
	header := fmt.Sprintf(composeHeader, spec.Stack, fileName, strings.Join(ep.ExternalBootstrap, ","), note,
		project, strings.Join(ep.MetricsExternal, ","), strings.Join(registry, ","))
	return f.Marshal(header)
}

// LoadStackFile loads and validates stack's config from its stack file
// (see StackFileSource) for rendering it as a Compose file. The Grafana
// admin password is not required there: a Compose file reads it from the
// environment of `docker compose` (ComposePasswordVariable).
func LoadStackFile(root, stack, file string) (Spec, error) {
	src, err := StackFileSource(root, file)
	if err != nil {
		return Spec{}, err
	}
	if _, ok := src[KeyGrafanaAdminPassword]; !ok {
		src[KeyGrafanaAdminPassword] = secretPresent
	}
	return Load(stack, src)
}
