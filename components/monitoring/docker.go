package monitoring

import (
	"fmt"
	"sort"

	"github.com/pulumi/pulumi-docker/sdk/v4/go/docker"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/marketbus/market-bus/components/cluster"
	"github.com/marketbus/market-bus/sdk/go/grafana"
)

// Ports inside the containers (the images' defaults) and the hostnames the
// containers answer to on the cluster network: Grafana's data source URL
// uses the Prometheus one.
const (
	prometheusPort     = 9090
	grafanaPort        = 3000
	prometheusHostname = "prometheus"
	grafanaHostname    = "grafana"
	// grafanaAdminUser is the admin the provider signs in as.
	grafanaAdminUser = "admin"
	// loopback is where the host ports bind: Prometheus has no
	// authentication, and Grafana's admin password is the only lock.
	loopback = "127.0.0.1"
)

// Healthcheck timing. Docker runs the check during the start period too and
// the first success ends it; the period only spares Grafana's first-start
// database migrations from counting as failures.
const (
	healthInterval    = "5s"
	healthTimeout     = "3s"
	healthRetries     = 5
	healthStartPeriod = "60s"
)

// deployDocker creates the Prometheus and Grafana containers on the
// cluster's network and a Grafana provider that signs in as admin.
func deployDocker(ctx *pulumi.Context, parent pulumi.Resource, name string, a Args, p plan) (backendResult, error) {
	d := a.Docker
	svc := renderDocker(ctx.Project(), a, p, "")

	promConfig := a.MetricsTargets.ToStringArrayOutput().ApplyT(func(targets []string) (string, error) {
		return promConfigFor(a.Stack, targets)
	}).(pulumi.StringOutput)

	promImage, err := remoteImage(ctx, parent, name+"-prometheus-image", svc.Prometheus.Image)
	if err != nil {
		return backendResult{}, err
	}
	prom, err := docker.NewContainer(ctx, name+"-prometheus",
		containerArgs(svc.Prometheus, promImage, d, map[string]pulumi.StringInput{promConfigPath: promConfig}),
		// Name and host port are fixed: the old container must go first.
		pulumi.Parent(parent), pulumi.DeleteBeforeReplace(true))
	if err != nil {
		return backendResult{}, fmt.Errorf("prometheus container: %w", err)
	}

	grafanaImage, err := remoteImage(ctx, parent, name+"-grafana-image", svc.Grafana.Image)
	if err != nil {
		return backendResult{}, err
	}
	// No data volume: every object in this Grafana comes from Pulumi, and
	// the admin password only applies when the database is created. A
	// changed password changes the uploaded file, which replaces the container with
	// a fresh database, so the provider's credentials always match; the
	// Grafana objects are recreated with it (backendResult.replaceWith).
	gf, err := docker.NewContainer(ctx, name+"-grafana", containerArgs(svc.Grafana, grafanaImage, d, nil),
		pulumi.Parent(parent), pulumi.DeleteBeforeReplace(true))
	if err != nil {
		return backendResult{}, fmt.Errorf("grafana container: %w", err)
	}

	grafanaURL := fmt.Sprintf("http://localhost:%d", a.GrafanaPort)
	// DependsOn the container is enough to reach a live Grafana: the
	// container is created with Wait, so Docker reports it created only
	// once its /api/health check passes, and only then does the engine
	// configure this provider and create Grafana objects through it.
	prov, err := grafana.NewProvider(ctx, name+"-grafana-provider", &grafana.ProviderArgs{
		Url:  pulumi.String(grafanaURL),
		Auth: pulumi.ToSecret(pulumi.Sprintf("%s:%s", grafanaAdminUser, d.GrafanaAdminPassword)).(pulumi.StringOutput),
	}, pulumi.Parent(parent), pulumi.DependsOn([]pulumi.Resource{gf}))
	if err != nil {
		return backendResult{}, fmt.Errorf("grafana provider: %w", err)
	}

	withDeps := func(s string, deps ...pulumi.Resource) pulumi.StringOutput {
		o := pulumi.String(s).ToStringOutputWithContext(ctx.Context())
		return pulumi.OutputWithDependencies(ctx.Context(), o, deps...).(pulumi.StringOutput)
	}
	return backendResult{
		provider:          prov,
		grafanaURL:        withDeps(grafanaURL, gf),
		prometheusURL:     withDeps(fmt.Sprintf("http://localhost:%d", a.PrometheusPort), prom),
		datasourceURL:     svc.DatasourceURL,
		datasourceDefault: true,
		scrapeConfig:      promConfig,
		replaceWith:       []pulumi.Resource{gf},
	}, nil
}

// containerArgs turns a rendered container into the provider's inputs on
// the cluster's network. contents overrides file contents by path (those
// only known once other resources exist). A Secret env entry (the admin
// password) never becomes an environment variable, which `docker inspect`
// shows to anyone with the socket: it becomes a file uploaded with the
// password as a Pulumi secret, and NAME__FILE points Grafana at it.
func containerArgs(c cluster.DockerContainer, img *docker.RemoteImage, d DockerArgs, contents map[string]pulumi.StringInput) *docker.ContainerArgs {
	var uploads docker.ContainerUploadArray
	for _, f := range c.Files {
		var content pulumi.StringInput = pulumi.String(f.Content)
		if o, ok := contents[f.Path]; ok {
			content = o
		}
		uploads = append(uploads, docker.ContainerUploadArgs{File: pulumi.String(f.Path), Content: content, Permissions: pulumi.String(f.Mode)})
	}
	var env pulumi.StringArray
	for _, e := range c.Env {
		if e.Secret {
			uploads = append(uploads, docker.ContainerUploadArgs{
				File:        pulumi.String(secretFilePath),
				Content:     pulumi.ToSecret(d.GrafanaAdminPassword).(pulumi.StringOutput),
				Permissions: pulumi.String("0444"),
			})
			env = append(env, pulumi.String(e.Name+"__FILE="+secretFilePath))
			continue
		}
		env = append(env, pulumi.String(e.Name+"="+e.Value))
	}
	args := &docker.ContainerArgs{
		Name:             pulumi.String(c.Name),
		Image:            img.ImageId,
		Hostname:         pulumi.String(c.Hostname),
		NetworksAdvanced: onNetwork(d.NetworkName, c.Hostname),
		Ports:            c.PortArgs(),
		Uploads:          uploads,
		Healthcheck:      c.HealthcheckArgs(),
		Wait:             pulumi.Bool(true),
		WaitTimeout:      pulumi.Int(d.WaitTimeoutSeconds),
		Restart:          pulumi.String(c.Restart),
		Labels:           containerLabels(c.Labels),
	}
	if len(env) > 0 {
		args.Envs = env
	}
	return args
}

// secretFilePath is where the Grafana container reads its admin password
// (the same path the Compose file mounts its secret at).
const secretFilePath = "/run/secrets/" + ComposePasswordSecret

// remoteImage pulls a pinned image. KeepLocally: destroying the stack must
// not delete an image other stacks or a later `up` use.
func remoteImage(ctx *pulumi.Context, parent pulumi.Resource, name, ref string) (*docker.RemoteImage, error) {
	img, err := docker.NewRemoteImage(ctx, name, &docker.RemoteImageArgs{
		Name:        pulumi.String(ref),
		KeepLocally: pulumi.Bool(true),
	}, pulumi.Parent(parent))
	if err != nil {
		return nil, fmt.Errorf("docker image %s: %w", ref, err)
	}
	return img, nil
}

func onNetwork(network pulumi.StringInput, alias string) docker.ContainerNetworksAdvancedArray {
	return docker.ContainerNetworksAdvancedArray{
		docker.ContainerNetworksAdvancedArgs{Name: network, Aliases: pulumi.StringArray{pulumi.String(alias)}},
	}
}

// containerLabels sorts the labels: stable inputs, no spurious diffs.
func containerLabels(m map[string]string) docker.ContainerLabelArray {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make(docker.ContainerLabelArray, 0, len(keys))
	for _, k := range keys {
		out = append(out, docker.ContainerLabelArgs{Label: pulumi.String(k), Value: pulumi.String(m[k])})
	}
	return out
}
