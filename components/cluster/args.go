package cluster

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

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

	DefaultServiceName   = "redpanda"
	DefaultClusterDomain = "cluster.local"
	// DefaultKubernetesStorage is the data PVC's size unless StorageSize
	// says otherwise.
	DefaultKubernetesStorage = "50Gi"
	// DefaultMinDiskBytes is the Production floor for the data volume.
	DefaultMinDiskBytes = 50 * gib
	// DefaultTerminationGraceSeconds is the chart's: the preStop hook gets
	// half to drain leadership, the broker the rest to stop.
	DefaultTerminationGraceSeconds = 90
	DefaultSuperuser               = "admin"
	DefaultSASLMechanism           = "SCRAM-SHA-512"
)

// External Service types.
const (
	ExternalNodePort     = "NodePort"
	ExternalLoadBalancer = "LoadBalancer"
)

// Kubernetes names that the addressing and the objects share.
const (
	// StatefulSetName names the StatefulSet, so pods are redpanda-<i>.
	StatefulSetName = "redpanda"
	// TLSDir is where the listeners' certificate Secret is mounted.
	TLSDir = "/etc/tls/certs/redpanda"
)

// Args configures a RedpandaCluster: the stack's Config, and the wiring only a program
// supplies (a secret input, the caller's facts, names and placement). One struct serves every
// mode; the mode-specific wiring lives in Docker and Kubernetes.
type Args struct {
	Config
	// SuperuserPassword is the SASL superuser's password. It is stored only as a Pulumi
	// secret and in a Kubernetes Secret, never in the rendered config.
	SuperuserPassword pulumi.StringInput
	// Production turns on the production floors: at least 3 brokers, a data
	// volume of at least MinDiskBytes, an SSD StorageClass named on
	// Kubernetes, and TLS unless AllowPlaintext. The caller decides which
	// stacks are production; the component does not know stack names.
	Production bool
	// MinDiskBytes is the smallest data volume accepted; 0 means 50 GiB
	// when Production is set and no floor otherwise.
	MinDiskBytes int64
	// RedpandaMemoryBytes overrides --memory. Zero means 90 % of Memory,
	// the Helm chart's rule for explicit limits.
	RedpandaMemoryBytes int64
	// ConsumerGroupLagIntervalSec is how often Redpanda computes consumer
	// lag for its metrics; default 60.
	ConsumerGroupLagIntervalSec int
	// ExtraClusterConfig is merged over the rendered bootstrap cluster config.
	ExtraClusterConfig map[string]any
	// MaxTopicReplicationFactor is the largest replication factor the
	// caller's topics use; refused when above Brokers. Zero skips the check.
	MaxTopicReplicationFactor int
	// ReservedHostPorts are host ports other services of the caller publish
	// (port → owner, e.g. 9090 → "prometheus"); brokers must not take them.
	ReservedHostPorts map[int]string
	// Docker configures the Docker mode's wiring.
	Docker DockerArgs
	// Kubernetes configures the Kubernetes mode's wiring.
	Kubernetes KubernetesArgs
}

// DockerArgs is the Docker mode's wiring.
type DockerArgs struct {
	// NetworkName names the private bridge network; default
	// "<project>-<stack>-redpanda". It also prefixes container and volume names.
	NetworkName string
	// HostnamePrefix makes container hostnames `<prefix>-<i>`; default "redpanda".
	HostnamePrefix string
	// HostPorts assigns published host ports; zero fields take the values
	// of DefaultHostPortScheme (19092/29092/39092 …, stride 10000).
	HostPorts HostPortScheme
	// WaitTimeoutSeconds bounds the wait for each container to turn
	// healthy; default 300.
	WaitTimeoutSeconds int
}

// KubernetesArgs is the Kubernetes mode's wiring.
type KubernetesArgs struct {
	// ServiceName is the headless Service; default "redpanda".
	ServiceName string
	// ClusterDomain is the cluster DNS suffix; default "cluster.local".
	ClusterDomain string
	// ExternalServiceAnnotations go on the external Services (e.g. the
	// cloud's load balancer settings).
	ExternalServiceAnnotations map[string]string
	// NodeSelector and Tolerations place the brokers on their node pool;
	// nodepool.NodePool outputs both.
	NodeSelector map[string]string
	Tolerations  []Toleration
	// TerminationGracePeriodSeconds gives a stopping broker time to leave
	// maintenance mode cleanly; default and minimum 90.
	TerminationGracePeriodSeconds int
	// MaxUnavailable is the PodDisruptionBudget's; default 1. More than
	// (Brokers-1)/2 would let voluntary disruptions break Raft quorum.
	MaxUnavailable int
	// WaitFor are resources the StatefulSet waits for, e.g. the node pool.
	WaitFor []pulumi.Resource
	// HealthGatedRollout makes the StatefulSet's updateStrategy OnDelete:
	// a changed pod template then restarts no pod by itself, and the
	// stack's RollingRestart restarts the brokers one at a time, each
	// only when the cluster is healthy again. Without a RollingRestart
	// nothing would ever roll the pods, so it stays RollingUpdate.
	HealthGatedRollout bool
}

// ZoneLabel is the node label whose value becomes a broker's rack. The
// PodTopologyLabelsAdmission plugin (beta and on by default since
// Kubernetes 1.35) copies it from the node onto the pod at binding, where
// the downward API can read it: no API access, no service account token.
const ZoneLabel = "topology.kubernetes.io/zone"

// Toleration lets the brokers onto tainted nodes. It has the fields of a
// Kubernetes toleration (and of nodepool.Toleration, which converts to it).
type Toleration struct {
	Key      string
	Operator string
	Value    string
	Effect   string
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
	if a.ExternalHost == "" {
		a.ExternalHost = DefaultExternalHost
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
	if a.TLS == nil {
		on := a.TLSOn()
		a.TLS = &on
	}
	if a.Production && a.MinDiskBytes == 0 {
		a.MinDiskBytes = DefaultMinDiskBytes
	}
	if a.SASL != nil {
		// A copy: the caller's Config keeps what it wrote.
		s := *a.SASL
		if s.Username == "" {
			s.Username = DefaultSuperuser
		}
		if s.Mechanism == "" {
			s.Mechanism = DefaultSASLMechanism
		}
		a.SASL = &s
	}
	a = a.withListenerDefaults()
	if a.Mode == ModeKubernetes {
		a.Kubernetes = a.Kubernetes.withDefaults()
		if a.ExternalServiceType == "" {
			a.ExternalServiceType = ExternalNodePort
		}
		if a.NetworkPolicy.MonitoringNamespace == "" {
			a.NetworkPolicy.MonitoringNamespace = DefaultMonitoringNamespace
		}
		if a.CertIssuer != "" && a.CertIssuerKind == "" {
			a.CertIssuerKind = "ClusterIssuer"
		}
		if a.StorageSize.IsZero() {
			a.StorageSize = MustQuantity(DefaultKubernetesStorage)
		}
	} else {
		// The addressing only needs these two; the rest stay as given.
		k := &a.Kubernetes
		if k.ServiceName == "" {
			k.ServiceName = DefaultServiceName
		}
		if k.ClusterDomain == "" {
			k.ClusterDomain = DefaultClusterDomain
		}
	}
	return a
}

// withDefaults fills the Kubernetes backend's optional fields.
func (k KubernetesArgs) withDefaults() KubernetesArgs {
	if k.ServiceName == "" {
		k.ServiceName = DefaultServiceName
	}
	if k.ClusterDomain == "" {
		k.ClusterDomain = DefaultClusterDomain
	}
	if k.TerminationGracePeriodSeconds == 0 {
		k.TerminationGracePeriodSeconds = DefaultTerminationGraceSeconds
	}
	if k.MaxUnavailable == 0 {
		k.MaxUnavailable = 1
	}
	return k
}

// resources is the renderer's view of the broker's size, in bytes.
func (a Args) resources() Resources {
	return Resources{CPUCores: a.CPUCores, MemoryLimitBytes: a.Memory.Bytes(),
		RedpandaMemoryBytes: a.RedpandaMemoryBytes, DiskSizeBytes: a.StorageSize.Bytes()}
}

// superuser is the SASL bootstrap user after defaulting; empty when SASL is off.
func (a Args) superuser() SASLConfig {
	if a.SASL == nil {
		return SASLConfig{}
	}
	return *a.SASL
}

// Topology is the renderer's view of a, with defaults applied. It does
// not validate: Validate (or the constructor) refuses what would not run.
func (a Args) Topology() Topology {
	a = a.withDefaults()
	t := Topology{
		Brokers:                     a.Brokers,
		Resources:                   a.resources(),
		LogLevel:                    a.LogLevel,
		DevContainerMode:            a.DevContainerMode,
		ConsumerGroupLagIntervalSec: a.ConsumerGroupLagIntervalSec,
		ExtraClusterConfig:          a.ExtraClusterConfig,
		Racks:                       a.Racks,
		RackFromZone:                a.Mode == ModeKubernetes && a.RackAwareness,
		Auth: ListenerAuth{
			Kafka:          a.Listeners.Kafka.Authentication,
			SchemaRegistry: a.Listeners.SchemaRegistry.Authentication,
			HTTPProxy:      a.Listeners.HTTPProxy.Authentication,
			Admin:          a.Listeners.Admin.Authentication,
		},
	}
	switch a.Mode {
	case ModeKubernetes:
		t.Addressing = KubernetesAddressing{
			Name:           StatefulSetName,
			Service:        a.Kubernetes.ServiceName,
			Namespace:      a.Namespace,
			ClusterDomain:  a.Kubernetes.ClusterDomain,
			ExternalDomain: a.ExternalDomain,
			External:       a.Listeners.External(),
		}
		if a.TLSOn() {
			t.TLS = TLSConfig{Enabled: true, CertFile: TLSDir + "/tls.crt", KeyFile: TLSDir + "/tls.key", TruststoreFile: TLSDir + "/ca.crt"}
		}
		if u := a.superuser(); a.SASLOn() {
			t.SASL = SASLSettings{Enabled: true, Superuser: u.Username, Mechanism: u.Mechanism}
		}
	default:
		t.Addressing = DockerAddressing{
			HostnamePrefix: a.Docker.HostnamePrefix,
			ExternalHost:   a.ExternalHost,
			HostPorts:      a.Docker.HostPorts,
		}
		if u := a.superuser(); a.SASLOn() {
			t.SASL = SASLSettings{Enabled: true, Superuser: u.Username, Mechanism: u.Mechanism}
		}
		// Containers are not pinned to cores: each broker shares the host's
		// CPUs with the others, which Seastar must be told or it pins and
		// busy-polls the same core in every container.
		t.Overprovisioned = true
	}
	return t
}
