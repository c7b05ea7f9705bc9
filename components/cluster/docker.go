package cluster

import (
	"fmt"
	"net"
	"sort"

	"github.com/pulumi/pulumi-docker/sdk/v4/go/docker"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Healthcheck timing. Docker runs the check during the start period too and
// the first success ends it, so a long start period costs nothing on a fast
// start; it only spares a slow first cluster formation from counting as
// failures.
const (
	healthInterval    = "10s"
	healthTimeout     = "5s"
	healthRetries     = 3
	healthStartPeriod = "120s"
	// stopGraceSeconds lets a broker leave cleanly before it is killed.
	stopGraceSeconds = 60
)

// dockerDeployment holds the Docker resources of one cluster.
type dockerDeployment struct {
	network    *docker.Network
	image      *docker.RemoteImage
	volumes    []*docker.Volume
	containers []*docker.Container
}

// readyDeps are the resources whose completion means "brokers ready": each
// container is created with Wait, so it completes only once healthy.
func (d *dockerDeployment) readyDeps() []pulumi.Resource {
	out := make([]pulumi.Resource, len(d.containers))
	for i, c := range d.containers {
		out[i] = c
	}
	return out
}

// deployDocker creates the network, image, volumes and containers of a
// validated, defaulted args and its rendered brokers.
//
// The containers do not depend on each other, so Pulumi creates them in
// parallel. They must be: with every broker a seed and
// empty_seed_starts_cluster=false, no broker is ready until all seeds run.
func deployDocker(ctx *pulumi.Context, parent pulumi.Resource, name string, a Args, brokers []BrokerConfig) (*dockerDeployment, error) {
	plan := renderDocker(a, name, ctx.Stack(), brokers)
	d := &dockerDeployment{}
	var err error

	// The network name is fixed, so a replacement must delete the old one first.
	d.network, err = docker.NewNetwork(ctx, name+"-network", &docker.NetworkArgs{
		Name:   pulumi.String(plan.Network.Name),
		Driver: pulumi.String(plan.Network.Driver),
		Labels: networkLabels(plan.Network.Labels),
	}, pulumi.Parent(parent), pulumi.DeleteBeforeReplace(true))
	if err != nil {
		return nil, fmt.Errorf("docker network: %w", err)
	}

	// KeepLocally: destroying the stack must not delete an image other
	// stacks or a later `up` use.
	d.image, err = docker.NewRemoteImage(ctx, name+"-image", &docker.RemoteImageArgs{
		Name:        pulumi.String(plan.Image),
		KeepLocally: pulumi.Bool(true),
	}, pulumi.Parent(parent))
	if err != nil {
		return nil, fmt.Errorf("docker image %s: %w", plan.Image, err)
	}

	for i, c := range plan.Containers {
		v := plan.Volumes[i]
		vol, err := docker.NewVolume(ctx, fmt.Sprintf("%s-data-%d", name, c.Index), &docker.VolumeArgs{
			Name:   pulumi.String(v.Name),
			Labels: volumeLabels(v.Labels),
		}, volumeOptions(parent, a)...)
		if err != nil {
			return nil, fmt.Errorf("docker volume of broker %d: %w", c.Index, err)
		}
		d.volumes = append(d.volumes, vol)

		ctr, err := docker.NewContainer(ctx, fmt.Sprintf("%s-broker-%d", name, c.Index),
			containerArgs(a, c, d.image, d.network, vol),
			// Name and host ports are fixed: the old container must go
			// before its replacement can start.
			pulumi.Parent(parent), pulumi.DeleteBeforeReplace(true))
		if err != nil {
			return nil, fmt.Errorf("docker container of broker %d: %w", c.Index, err)
		}
		d.containers = append(d.containers, ctr)
	}
	return d, nil
}

// volumeOptions keeps data volumes on `pulumi destroy` unless the caller
// opts out. A broker that comes back on an empty disk gets a new node ID
// and leaves a ghost broker behind in the cluster.
func volumeOptions(parent pulumi.Resource, a Args) []pulumi.ResourceOption {
	return []pulumi.ResourceOption{
		pulumi.Parent(parent),
		pulumi.RetainOnDelete(a.RetainsVolumes()),
	}
}

func containerName(a Args, i int) string { return fmt.Sprintf("%s-%d", a.Docker.NetworkName, i) }

func volumeName(a Args, i int) string { return fmt.Sprintf("%s-%d-data", a.Docker.NetworkName, i) }

// containerArgs turns one rendered container into the provider's inputs.
// The image, network and volume come from their resources, so the
// container depends on each of them.
func containerArgs(a Args, c DockerContainer, img *docker.RemoteImage, nw *docker.Network, vol *docker.Volume) *docker.ContainerArgs {
	var volumes docker.ContainerVolumeArray
	for _, m := range c.Mounts {
		volumes = append(volumes, docker.ContainerVolumeArgs{VolumeName: vol.Name, ContainerPath: pulumi.String(m.Target)})
	}
	var uploads docker.ContainerUploadArray
	for _, f := range c.Files {
		uploads = append(uploads, docker.ContainerUploadArgs{
			File:        pulumi.String(f.Path),
			Content:     pulumi.String(f.Content),
			Permissions: pulumi.String(f.Mode),
		})
	}
	for _, sec := range c.Secrets {
		// The only broker secret is the bootstrap user; the upload is a Pulumi
		// secret, so the state and every diff mask it.
		u := a.superuser()
		uploads = append(uploads, docker.ContainerUploadArgs{
			File:        pulumi.String(sec.Path()),
			Content:     pulumi.ToSecret(pulumi.Sprintf("%s:%s:%s", u.Username, a.SuperuserPassword, u.Mechanism)).(pulumi.StringOutput),
			Permissions: pulumi.String("0400"),
		})
	}
	var entrypoint pulumi.StringArrayInput
	if c.Entrypoint != nil {
		entrypoint = pulumi.ToStringArray(c.Entrypoint)
	}
	return &docker.ContainerArgs{
		Name:        pulumi.String(c.Name),
		Image:       img.ImageId,
		Hostname:    pulumi.String(c.Hostname),
		Entrypoints: entrypoint,
		Command:     pulumi.ToStringArray(c.Command),
		NetworksAdvanced: docker.ContainerNetworksAdvancedArray{
			docker.ContainerNetworksAdvancedArgs{
				Name:    nw.Name,
				Aliases: pulumi.StringArray{pulumi.String(c.Hostname)},
			},
		},
		Ports:   c.PortArgs(),
		Volumes: volumes,
		Uploads: uploads,
		// Memory is in MiB in this provider.
		Memory:              pulumi.Int(c.MemoryMiB),
		MemorySwap:          pulumi.Int(c.MemorySwapMiB),
		Cpus:                pulumi.String(c.CPUs),
		Healthcheck:         c.HealthcheckArgs(),
		Wait:                pulumi.Bool(true),
		WaitTimeout:         pulumi.Int(a.Docker.WaitTimeoutSeconds),
		Restart:             pulumi.String(c.Restart),
		StopTimeout:         pulumi.Int(c.StopGraceSeconds),
		DestroyGraceSeconds: pulumi.Int(c.StopGraceSeconds),
		Labels:              containerLabels(c.Labels),
	}
}

// healthTest asks the broker's own admin API whether it is ready, the
// chart's startup probe. The endpoint answers 200 while booting too, with
// {"status":"booting"}, so curl -f alone would pass early: the body must say
// ready (the chart greps it the same way). Per-broker readiness, never
// cluster health, so one sick broker does not mark the others unhealthy.
// The image ships curl, grep and sh (the chart's probe relies on all three).
func healthTest(b BrokerConfig) []string {
	return []string{"CMD-SHELL", readyCheck(b)}
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// sortedKeys makes label order, and so the resource inputs, stable.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func containerLabels(m map[string]string) docker.ContainerLabelArray {
	var out docker.ContainerLabelArray
	for _, k := range sortedKeys(m) {
		out = append(out, docker.ContainerLabelArgs{Label: pulumi.String(k), Value: pulumi.String(m[k])})
	}
	return out
}

func networkLabels(m map[string]string) docker.NetworkLabelArray {
	var out docker.NetworkLabelArray
	for _, k := range sortedKeys(m) {
		out = append(out, docker.NetworkLabelArgs{Label: pulumi.String(k), Value: pulumi.String(m[k])})
	}
	return out
}

func volumeLabels(m map[string]string) docker.VolumeLabelArray {
	var out docker.VolumeLabelArray
	for _, k := range sortedKeys(m) {
		out = append(out, docker.VolumeLabelArgs{Label: pulumi.String(k), Value: pulumi.String(m[k])})
	}
	return out
}

// PortArgs are the container's published ports as the docker provider's inputs; the
// cluster's and the monitoring containers share them.
func (c DockerContainer) PortArgs() docker.ContainerPortArray {
	ports := make(docker.ContainerPortArray, 0, len(c.Ports))
	for _, p := range c.Ports {
		ports = append(ports, docker.ContainerPortArgs{
			Internal: pulumi.Int(p.ContainerPort),
			External: pulumi.Int(p.HostPort),
			Ip:       pulumi.String(p.HostIP),
			Protocol: pulumi.String(p.Protocol),
		})
	}
	return ports
}

// HealthcheckArgs is the container's healthcheck as the docker provider's input.
func (c DockerContainer) HealthcheckArgs() docker.ContainerHealthcheckArgs {
	return docker.ContainerHealthcheckArgs{
		Tests:       pulumi.ToStringArray(c.Healthcheck.Test),
		Interval:    pulumi.String(c.Healthcheck.Interval),
		Timeout:     pulumi.String(c.Healthcheck.Timeout),
		Retries:     pulumi.Int(c.Healthcheck.Retries),
		StartPeriod: pulumi.String(c.Healthcheck.StartPeriod),
	}
}
