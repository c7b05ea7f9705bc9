package cluster

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/marketbus/market-bus/fielderr"
)

// DockerCluster is the Docker backend's deployment in plain values: the
// network, image, volumes and containers docker.go creates, and what a
// Compose file writes. Both consume this one rendering, so a flag, port,
// mount or limit cannot differ between them.
type DockerCluster struct {
	// Network is the private bridge network every broker joins.
	Network DockerNetwork
	// Image is the pinned Redpanda image reference (every container's).
	Image string
	// Volumes are the brokers' data volumes, in broker order.
	Volumes []DockerVolume
	// Containers are the brokers' containers, in broker order.
	Containers []DockerContainer
}

// DockerNetwork is a Docker network.
type DockerNetwork struct {
	Name   string
	Driver string
	Labels map[string]string
}

// DockerVolume is a named Docker volume.
type DockerVolume struct {
	Name   string
	Labels map[string]string
}

// DockerContainer is one container: a broker here, Prometheus or Grafana in
// the monitoring component. Zero fields are Docker's defaults.
type DockerContainer struct {
	// Index is the broker's index (brokers only).
	Index int
	// Name is the container name; Hostname is also its alias on the network.
	Name     string
	Hostname string
	// Image is the pinned image reference.
	Image string
	// Entrypoint replaces the image's entrypoint; nil keeps it.
	Entrypoint []string
	// Command is the argument list after the image's entrypoint; nil keeps
	// the image's own.
	Command []string
	// Env is the environment, in order.
	Env []DockerEnv
	// Ports are published on the host, sorted by container port (the order
	// the Docker provider reads them back in).
	Ports []DockerPort
	// Mounts are named volumes mounted into the container.
	Mounts []DockerMount
	// Files are written into the container before it starts.
	Files []DockerFile
	// Secrets are files whose content the renderer never holds: each writer
	// supplies it its own way (an upload marked as a Pulumi secret, a Compose
	// secret read from the environment of `docker compose`).
	Secrets []DockerSecret
	// MemoryMiB is the memory limit; MemorySwapMiB equal to it means no swap.
	MemoryMiB     int
	MemorySwapMiB int
	// CPUs is the CPU quota, as Docker's --cpus takes it.
	CPUs        string
	Healthcheck DockerHealthcheck
	// Restart is Docker's restart policy.
	Restart string
	// StopGraceSeconds is how long a stopping broker gets before SIGKILL.
	StopGraceSeconds int
	Labels           map[string]string
}

// DockerEnv is one environment variable. A Secret one has no Value: the
// renderer never holds secrets, and each writer supplies the value its own
// way (a Pulumi secret, a Compose secret file).
type DockerEnv struct {
	Name   string
	Value  string
	Secret bool
}

// DockerSecret is a secret file at /run/secrets/<Name>.
type DockerSecret struct {
	// Name is the secret's name, also its Compose secret and file name.
	Name string
	// ComposeEnv is the variable `docker compose` reads the content from.
	ComposeEnv string
}

// Path is where the container reads the secret.
func (s DockerSecret) Path() string { return "/run/secrets/" + s.Name }

// bootstrapUserSecret holds the SASL bootstrap user as user:password:mechanism.
// Redpanda reads it from RP_BOOTSTRAP_USER only; an environment variable is
// visible to anyone who can run `docker inspect`, so the container gets a file
// and bootstrapEntrypoint exports it just before the image's own entrypoint.
var bootstrapUserSecret = DockerSecret{Name: "redpanda_bootstrap_user", ComposeEnv: "REDPANDA_BOOTSTRAP_USER"}

// bootstrapEntrypoint wraps the Redpanda image's entrypoint (/entrypoint.sh,
// which runs rpk with the container's command).
func bootstrapEntrypoint() []string {
	return []string{"/bin/bash", "-c",
		`RP_BOOTSTRAP_USER="$(cat ` + bootstrapUserSecret.Path() + `)" && export RP_BOOTSTRAP_USER && exec /entrypoint.sh "$@"`,
		"entrypoint"}
}

// DockerPort publishes ContainerPort on HostIP:HostPort.
type DockerPort struct {
	ContainerPort int
	HostPort      int
	HostIP        string
	Protocol      string
}

// DockerMount mounts the named volume Volume at Target.
type DockerMount struct {
	Volume string
	Target string
}

// DockerFile is a file placed in the container, with its octal mode ("0644").
type DockerFile struct {
	Path    string
	Content string
	Mode    string
}

// DockerHealthcheck is a container healthcheck; durations are Go/Docker
// duration strings ("10s").
type DockerHealthcheck struct {
	Test        []string
	Interval    string
	Timeout     string
	Retries     int
	StartPeriod string
}

// DefaultNetworkName is the Docker network name when Args.Docker.NetworkName
// is empty: "<project>-<stack>-redpanda". Container and volume names derive
// from it.
func DefaultNetworkName(project, stack string) string { return project + "-" + stack + "-redpanda" }

// RenderDocker validates args and renders the Docker deployment a
// RedpandaCluster named instance would create in project's stack, without
// creating anything. It is what NewRedpandaCluster deploys on the Docker
// backend, for tools that write the same cluster in another format.
func RenderDocker(project, stack, instance string, args Args) (DockerCluster, []BrokerConfig, error) {
	a := args.withDefaults()
	if a.Mode != ModeDocker {
		return DockerCluster{}, nil, fmt.Errorf("render docker cluster: mode = %q: only %q renders as containers", a.Mode, ModeDocker)
	}
	if errs := validate(a); len(errs) > 0 {
		return DockerCluster{}, nil, fmt.Errorf("render docker cluster: invalid args:\n%w", fielderr.Join(errs))
	}
	if a.Docker.NetworkName == "" {
		a.Docker.NetworkName = DefaultNetworkName(project, stack)
	}
	brokers, err := RenderCluster(a.Topology())
	if err != nil {
		return DockerCluster{}, nil, fmt.Errorf("render docker cluster: %w", err)
	}
	return renderDocker(a, instance, stack, brokers), brokers, nil
}

// renderDocker lays out validated, defaulted args with a network name and
// their rendered brokers as Docker objects.
func renderDocker(a Args, instance, stack string, brokers []BrokerConfig) DockerCluster {
	d := DockerCluster{
		Network: DockerNetwork{Name: a.Docker.NetworkName, Driver: "bridge", Labels: ClusterLabels(instance, stack)},
		Image:   a.Image,
	}
	limitMiB := int(a.Memory.Bytes() / mib)
	var entrypoint []string
	var secrets []DockerSecret
	if a.SASLOn() {
		entrypoint, secrets = bootstrapEntrypoint(), []DockerSecret{bootstrapUserSecret}
	}
	for _, b := range brokers {
		vol := DockerVolume{Name: volumeName(a, b.Index), Labels: BrokerLabels(instance, stack, b.Index)}
		d.Volumes = append(d.Volumes, vol)
		d.Containers = append(d.Containers, DockerContainer{
			Entrypoint: entrypoint,
			Secrets:    secrets,
			Index:      b.Index,
			Name:       containerName(a, b.Index),
			Hostname:   b.InternalHost,
			Image:      a.Image,
			Command:    append([]string(nil), b.Args...),
			Ports:      containerPorts(b),
			Mounts:     []DockerMount{{Volume: vol.Name, Target: DataDir}},
			Files:      []DockerFile{{Path: BootstrapPath, Content: b.BootstrapYAML, Mode: "0644"}},
			// Swap equal to memory means no swap: a swapping broker
			// misses its raft heartbeats.
			MemoryMiB:     limitMiB,
			MemorySwapMiB: limitMiB,
			CPUs:          strconv.Itoa(a.CPUCores),
			Healthcheck: DockerHealthcheck{
				Test:        healthTest(b),
				Interval:    healthInterval,
				Timeout:     healthTimeout,
				Retries:     healthRetries,
				StartPeriod: healthStartPeriod,
			},
			Restart:          "unless-stopped",
			StopGraceSeconds: stopGraceSeconds,
			Labels:           BrokerLabels(instance, stack, b.Index),
		})
	}
	return d
}

// containerPorts publishes the broker's external ports. They bind to the
// loopback interface when clients dial a loopback name; any other external
// host binds every interface, which validation allows only with SASL on
// (every listener then authenticates).
//
// The provider reads ports back sorted by container port; declaring them in
// any other order shows a diff after every refresh, and ports force a
// replacement of the container.
func containerPorts(b BrokerConfig) []DockerPort {
	ip := "0.0.0.0"
	if isLoopback(b.ExternalHost) {
		ip = "127.0.0.1"
	}
	pub := append([]PortMapping(nil), b.Published...)
	sort.SliceStable(pub, func(i, j int) bool { return pub[i].ContainerPort < pub[j].ContainerPort })
	out := make([]DockerPort, 0, len(pub))
	for _, m := range pub {
		out = append(out, DockerPort{ContainerPort: m.ContainerPort, HostPort: m.HostPort, HostIP: ip, Protocol: "tcp"})
	}
	return out
}
