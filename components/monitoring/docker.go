package monitoring

import (
	"fmt"
	"sort"

	"github.com/pulumi/pulumi-docker/sdk/v4/go/docker"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

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
	prefix := ctx.Project() + "-" + a.Stack

	promConfig := a.MetricsTargets.ToStringArrayOutput().ApplyT(func(targets []string) (string, error) {
		return promConfigFor(a.Stack, targets)
	}).(pulumi.StringOutput)

	promImage, err := remoteImage(ctx, parent, name+"-prometheus-image", d.PrometheusImage)
	if err != nil {
		return backendResult{}, err
	}
	prom, err := docker.NewContainer(ctx, name+"-prometheus", &docker.ContainerArgs{
		Name:             pulumi.String(prefix + "-prometheus"),
		Image:            promImage.ImageId,
		Hostname:         pulumi.String(prometheusHostname),
		NetworksAdvanced: onNetwork(d.NetworkName, prometheusHostname),
		Ports:            publish(prometheusPort, d.PrometheusHostPort),
		Uploads: docker.ContainerUploadArray{
			docker.ContainerUploadArgs{File: pulumi.String(promConfigPath), Content: promConfig, Permissions: pulumi.String("0644")},
			docker.ContainerUploadArgs{File: pulumi.String(promRulesPath), Content: pulumi.String(p.rulesYAML), Permissions: pulumi.String("0644")},
		},
		// The image is busybox-based: wget, no curl.
		Healthcheck: healthcheck([]string{"CMD", "wget", "-q", "-O", "/dev/null",
			fmt.Sprintf("http://localhost:%d/-/ready", prometheusPort)}),
		Wait:        pulumi.Bool(true),
		WaitTimeout: pulumi.Int(d.WaitTimeoutSeconds),
		Restart:     pulumi.String("unless-stopped"),
		Labels:      containerLabels(a.Stack, "prometheus"),
		// Name and host port are fixed: the old container must go first.
	}, pulumi.Parent(parent), pulumi.DeleteBeforeReplace(true))
	if err != nil {
		return backendResult{}, fmt.Errorf("prometheus container: %w", err)
	}

	grafanaImage, err := remoteImage(ctx, parent, name+"-grafana-image", d.GrafanaImage)
	if err != nil {
		return backendResult{}, err
	}
	// No data volume: every object in this Grafana comes from Pulumi, and
	// GF_SECURITY_ADMIN_PASSWORD only applies when the database is created.
	// A changed password changes the env, which replaces the container with
	// a fresh database, so the provider's credentials always match; the
	// Grafana objects are recreated with it (backendResult.replaceWith).
	gf, err := docker.NewContainer(ctx, name+"-grafana", &docker.ContainerArgs{
		Name:             pulumi.String(prefix + "-grafana"),
		Image:            grafanaImage.ImageId,
		Hostname:         pulumi.String(grafanaHostname),
		NetworksAdvanced: onNetwork(d.NetworkName, grafanaHostname),
		Ports:            publish(grafanaPort, d.GrafanaHostPort),
		Envs:             grafanaEnv(d),
		// Alpine-based images have busybox wget, Ubuntu-based ones curl.
		Healthcheck: healthcheck([]string{"CMD-SHELL", fmt.Sprintf(
			"wget -q -O /dev/null http://localhost:%[1]d/api/health || curl -fsS -o /dev/null http://localhost:%[1]d/api/health",
			grafanaPort)}),
		Wait:        pulumi.Bool(true),
		WaitTimeout: pulumi.Int(d.WaitTimeoutSeconds),
		Restart:     pulumi.String("unless-stopped"),
		Labels:      containerLabels(a.Stack, "grafana"),
	}, pulumi.Parent(parent), pulumi.DeleteBeforeReplace(true))
	if err != nil {
		return backendResult{}, fmt.Errorf("grafana container: %w", err)
	}

	grafanaURL := fmt.Sprintf("http://localhost:%d", d.GrafanaHostPort)
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
		prometheusURL:     withDeps(fmt.Sprintf("http://localhost:%d", d.PrometheusHostPort), prom),
		datasourceURL:     fmt.Sprintf("http://%s:%d", prometheusHostname, prometheusPort),
		datasourceDefault: true,
		scrapeConfig:      promConfig,
		replaceWith:       []pulumi.Resource{gf},
	}, nil
}

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

// grafanaEnv is Grafana's environment. It holds the admin password, so the
// whole array is secret: the docker provider does not mark envs secret.
func grafanaEnv(d DockerArgs) pulumi.StringArrayOutput {
	env := pulumi.StringArray{
		pulumi.String("GF_SECURITY_ADMIN_USER=" + grafanaAdminUser),
		pulumi.Sprintf("GF_SECURITY_ADMIN_PASSWORD=%s", d.GrafanaAdminPassword),
		// Links Grafana renders (dashboard URLs among them) must use the
		// published port, not the container's.
		pulumi.Sprintf("GF_SERVER_ROOT_URL=http://localhost:%d/", d.GrafanaHostPort),
		pulumi.String("GF_USERS_ALLOW_SIGN_UP=false"),
		// A laptop stack has no business phoning home.
		pulumi.String("GF_ANALYTICS_REPORTING_ENABLED=false"),
		pulumi.String("GF_ANALYTICS_CHECK_FOR_UPDATES=false"),
		pulumi.String("GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES=false"),
	}
	return pulumi.ToSecret(env).(pulumi.StringArrayOutput)
}

func onNetwork(network pulumi.StringInput, alias string) docker.ContainerNetworksAdvancedArray {
	return docker.ContainerNetworksAdvancedArray{
		docker.ContainerNetworksAdvancedArgs{Name: network, Aliases: pulumi.StringArray{pulumi.String(alias)}},
	}
}

func publish(internal, external int) docker.ContainerPortArray {
	return docker.ContainerPortArray{docker.ContainerPortArgs{
		Internal: pulumi.Int(internal),
		External: pulumi.Int(external),
		Ip:       pulumi.String(loopback),
		Protocol: pulumi.String("tcp"),
	}}
}

func healthcheck(test []string) docker.ContainerHealthcheckArgs {
	return docker.ContainerHealthcheckArgs{
		Tests:       pulumi.ToStringArray(test),
		Interval:    pulumi.String(healthInterval),
		Timeout:     pulumi.String(healthTimeout),
		Retries:     pulumi.Int(healthRetries),
		StartPeriod: pulumi.String(healthStartPeriod),
	}
}

// containerLabels mirror the cluster's labels, so `docker ps --filter
// label=marketbus/stack=dev` lists the whole stack.
func containerLabels(stack, app string) docker.ContainerLabelArray {
	m := map[string]string{
		"app.kubernetes.io/name":       app,
		"app.kubernetes.io/component":  "monitoring",
		"app.kubernetes.io/part-of":    "market-bus",
		"app.kubernetes.io/managed-by": "pulumi",
		"marketbus/stack":              stack,
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys) // stable inputs, no spurious diffs
	out := make(docker.ContainerLabelArray, 0, len(keys))
	for _, k := range keys {
		out = append(out, docker.ContainerLabelArgs{Label: pulumi.String(k), Value: pulumi.String(m[k])})
	}
	return out
}
