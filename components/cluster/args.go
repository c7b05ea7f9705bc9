package cluster

// Backend selects where the brokers run.
type Backend string

// Backends.
const (
	// BackendDocker runs each broker as a container on a private bridge network.
	BackendDocker Backend = "docker"
	// BackendKubernetes runs the brokers as a StatefulSet (not implemented yet).
	BackendKubernetes Backend = "kubernetes"
)

// Defaults applied to zero-valued optional fields.
const (
	DefaultLogLevel                    = "info"
	DefaultConsumerGroupLagIntervalSec = 60 // Redpanda's own default
	DefaultHostnamePrefix              = "redpanda"
	DefaultExternalHost                = "localhost"
	// DefaultWaitTimeoutSeconds bounds how long `up` waits for a broker to
	// report ready. Brokers of a new cluster become ready only once all
	// seeds have found each other, so this covers the slowest of them.
	DefaultWaitTimeoutSeconds = 300
)

// Args configures a RedpandaCluster. One struct serves every backend; the
// backend-specific parts live in Docker and Kubernetes.
type Args struct {
	// Backend is "docker" or "kubernetes".
	Backend Backend
	// Brokers is the number of brokers, at least 1 (3 for replication 3).
	Brokers int
	// Image is the Redpanda image, pinned by release tag
	// (redpandadata/redpanda:v25.2.1) or, preferably, by digest (…@sha256:…).
	Image string
	// Resources sizes each broker.
	Resources Resources
	// LogLevel is --default-log-level; default "info".
	LogLevel string
	// DevContainerMode adds `--mode dev-container` (no fsync, no checks).
	DevContainerMode bool
	// TLS is reserved; true is refused until TLS is implemented.
	TLS bool
	// SASL is reserved; true is refused until SASL is implemented.
	SASL bool
	// ConsumerGroupLagIntervalSec is how often Redpanda computes consumer
	// lag for its metrics; default 60.
	ConsumerGroupLagIntervalSec int
	// ExtraClusterConfig is merged over the rendered bootstrap cluster config.
	ExtraClusterConfig map[string]any
	// MaxTopicReplicationFactor is the largest replication factor the
	// caller's topics use; refused when above Brokers. Zero skips the check.
	MaxTopicReplicationFactor int
	// ReservedHostPorts are host ports other services of the stack publish
	// (port → owner, e.g. 9090 → "prometheus"); brokers must not take them.
	ReservedHostPorts map[int]string
	// Docker configures the Docker backend.
	Docker DockerArgs
	// Kubernetes configures the Kubernetes backend (not implemented yet).
	Kubernetes KubernetesArgs
}

// DockerArgs configures the Docker backend.
type DockerArgs struct {
	// NetworkName names the private bridge network; default
	// "<project>-<stack>-redpanda". It also prefixes container and volume names.
	NetworkName string
	// HostnamePrefix makes container hostnames `<prefix>-<i>`; default "redpanda".
	HostnamePrefix string
	// ExternalHost is what host-side clients dial; default "localhost".
	ExternalHost string
	// HostPorts assigns published host ports; zero fields take the values
	// of DefaultHostPortScheme (19092/29092/39092 …, stride 10000).
	HostPorts HostPortScheme
	// DeleteVolumesOnDestroy opts out of retain-on-delete for the data
	// volumes. By default `pulumi destroy` leaves them, so a destroy/up
	// cycle cannot silently swap a broker's disk for an empty one.
	DeleteVolumesOnDestroy bool
	// WaitTimeoutSeconds bounds the wait for each container to turn
	// healthy; default 300.
	WaitTimeoutSeconds int
}

// KubernetesArgs configures the Kubernetes backend. The backend is a later
// issue; the fields exist so the addressing can be rendered and tested now.
type KubernetesArgs struct {
	// Namespace holds the StatefulSet.
	Namespace string
	// ServiceName is the headless Service; default "redpanda".
	ServiceName string
	// ClusterDomain is the cluster DNS suffix; default "cluster.local".
	ClusterDomain string
	// ExternalDomain makes external hosts `redpanda-<i>.<ExternalDomain>`.
	ExternalDomain string
}

// withDefaults returns a copy of a with zero-valued optional fields filled.
// Docker.NetworkName is left alone: its default needs the project and
// stack, which only the constructor knows.
func (a Args) withDefaults() Args {
	if a.LogLevel == "" {
		a.LogLevel = DefaultLogLevel
	}
	if a.ConsumerGroupLagIntervalSec == 0 {
		a.ConsumerGroupLagIntervalSec = DefaultConsumerGroupLagIntervalSec
	}
	d := &a.Docker
	if d.HostnamePrefix == "" {
		d.HostnamePrefix = DefaultHostnamePrefix
	}
	if d.ExternalHost == "" {
		d.ExternalHost = DefaultExternalHost
	}
	// Field by field, so {Stride: 10} alone keeps the usual base ports.
	def, hp := DefaultHostPortScheme(), &d.HostPorts
	for _, f := range []struct {
		v   *int
		def int
	}{
		{&hp.Kafka, def.Kafka}, {&hp.SchemaRegistry, def.SchemaRegistry},
		{&hp.HTTPProxy, def.HTTPProxy}, {&hp.Admin, def.Admin}, {&hp.Stride, def.Stride},
	} {
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	if d.WaitTimeoutSeconds == 0 {
		d.WaitTimeoutSeconds = DefaultWaitTimeoutSeconds
	}
	k := &a.Kubernetes
	if k.ServiceName == "" {
		k.ServiceName = "redpanda"
	}
	if k.ClusterDomain == "" {
		k.ClusterDomain = "cluster.local"
	}
	return a
}

// Topology is the renderer's view of a, with defaults applied. It does
// not validate: Validate (or the constructor) refuses what would not run.
func (a Args) Topology() Topology {
	a = a.withDefaults()
	t := Topology{
		Brokers:                     a.Brokers,
		Resources:                   a.Resources,
		LogLevel:                    a.LogLevel,
		DevContainerMode:            a.DevContainerMode,
		TLS:                         a.TLS,
		SASL:                        a.SASL,
		ConsumerGroupLagIntervalSec: a.ConsumerGroupLagIntervalSec,
		ExtraClusterConfig:          a.ExtraClusterConfig,
	}
	switch a.Backend {
	case BackendKubernetes:
		t.Addressing = KubernetesAddressing{
			Name:           "redpanda",
			Service:        a.Kubernetes.ServiceName,
			Namespace:      a.Kubernetes.Namespace,
			ClusterDomain:  a.Kubernetes.ClusterDomain,
			ExternalDomain: a.Kubernetes.ExternalDomain,
		}
	default:
		t.Addressing = DockerAddressing{
			HostnamePrefix: a.Docker.HostnamePrefix,
			ExternalHost:   a.Docker.ExternalHost,
			HostPorts:      a.Docker.HostPorts,
		}
		// Containers are not pinned to cores: each broker shares the host's
		// CPUs with the others, which Seastar must be told or it pins and
		// busy-polls the same core in every container.
		t.Overprovisioned = true
	}
	return t
}
