package cluster

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// Backend selects where the brokers run.
type Backend string

// Backends.
const (
	// BackendDocker runs each broker as a container on a private bridge network.
	BackendDocker Backend = "docker"
	// BackendKubernetes runs the brokers as a StatefulSet behind a headless Service.
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

	DefaultServiceName   = "redpanda"
	DefaultClusterDomain = "cluster.local"
	// DefaultKubernetesDiskBytes is the data PVC's size unless
	// Resources.DiskSizeBytes says otherwise.
	DefaultKubernetesDiskBytes = 50 * gib
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
	// TLS turns on TLS for every listener. Nil takes the backend's default:
	// on for Kubernetes, off for Docker (which refuses true: it has no
	// certificates to serve). Kubernetes.TLS says where certificates come from.
	TLS *bool
	// SASL turns on SASL/SCRAM authentication and authorization on the
	// Kafka API, with Superuser as the only superuser, and authentication on
	// every HTTP listener (Listeners). Required on Docker when ExternalHost is
	// not a loopback address.
	SASL bool
	// Superuser is the bootstrap user SASL creates on first start.
	Superuser SuperuserArgs
	// Listeners sets each API's exposure, source ranges, Service
	// annotations and authentication.
	Listeners ListenersArgs
	// Production turns on the production floors: at least 3 brokers, a data
	// volume of at least MinDiskBytes, an SSD StorageClass named on
	// Kubernetes, and TLS unless AllowPlaintext. The caller decides which
	// stacks are production; the component does not know stack names.
	Production bool
	// MinDiskBytes is the smallest data volume accepted; 0 means 50 GiB
	// when Production is set and no floor otherwise.
	MinDiskBytes int64
	// AllowPlaintext is the explicit override that lets a Production
	// cluster run with TLS off.
	AllowPlaintext bool
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
	// Kubernetes configures the Kubernetes backend.
	Kubernetes KubernetesArgs
}

// SuperuserArgs is the SASL bootstrap user.
type SuperuserArgs struct {
	// Name is the user name; default "admin". It cannot contain ':', the
	// separator of RP_BOOTSTRAP_USER.
	Name string
	// Password is the user's password. It is stored only as a Pulumi
	// secret and in a Kubernetes Secret, never in the rendered config.
	Password pulumi.StringInput
	// Mechanism is SCRAM-SHA-256 or SCRAM-SHA-512; default SCRAM-SHA-512
	// (the chart's default).
	Mechanism string
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
	// Racks gives broker i the rack Racks[i] (--set redpanda.rack) and
	// turns on enable_rack_awareness; one per broker, or none.
	Racks []string
}

// KubernetesArgs configures the Kubernetes backend.
type KubernetesArgs struct {
	// Namespace holds every object of the cluster; required.
	Namespace string
	// CreateNamespace creates Namespace; leave false when the platform owns it.
	CreateNamespace bool
	// ServiceName is the headless Service; default "redpanda".
	ServiceName string
	// ClusterDomain is the cluster DNS suffix; default "cluster.local".
	ClusterDomain string
	// ExternalDomain turns on external access: broker i is advertised to
	// clients outside the cluster as `redpanda-<i>.<ExternalDomain>` on the
	// NodePorts (or load balancer ports) the Services publish. Empty means
	// no external listeners at all.
	ExternalDomain string
	// ExternalServiceType is "NodePort" (default: one Service, the same port
	// on every node, traffic kept on the node) or "LoadBalancer" (one per
	// broker). DNS for the external names is the platform's.
	ExternalServiceType string
	// ExternalServiceAnnotations go on the external Services (e.g. the
	// cloud's load balancer settings).
	ExternalServiceAnnotations map[string]string
	// StorageClass names the data volumes' StorageClass, an SSD class
	// (gp3, premium-rwo, …). Empty takes the cluster default; Production
	// requires it.
	StorageClass string
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
	// TLS says where the listeners' certificate comes from when TLS is on.
	TLS KubernetesTLS
	// NetworkPolicy names who besides the brokers may reach them.
	NetworkPolicy NetworkPolicyArgs
	// WaitFor are resources the StatefulSet waits for, e.g. the node pool.
	WaitFor []pulumi.Resource
	// RackAwareness tells each broker the zone of the node it runs on as
	// its rack (ZoneLabel through the downward API) and turns on
	// enable_rack_awareness, so Redpanda spreads a partition's replicas
	// over zones.
	RackAwareness bool
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

// KubernetesTLS names the certificate source: exactly one of IssuerName
// (cert-manager makes a Certificate for every broker's DNS names) or
// SecretName (a kubernetes.io/tls Secret with tls.crt, tls.key and ca.crt).
type KubernetesTLS struct {
	// IssuerName is a cert-manager Issuer or ClusterIssuer.
	IssuerName string
	// IssuerKind is "Issuer" or "ClusterIssuer"; default "ClusterIssuer".
	IssuerKind string
	// SecretName is a Secret the platform provides instead of an issuer.
	SecretName string
}

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
	if a.TLS == nil {
		on := a.Backend == BackendKubernetes
		a.TLS = &on
	}
	if a.Production && a.MinDiskBytes == 0 {
		a.MinDiskBytes = DefaultMinDiskBytes
	}
	s := &a.Superuser
	if s.Name == "" {
		s.Name = DefaultSuperuser
	}
	if s.Mechanism == "" {
		s.Mechanism = DefaultSASLMechanism
	}
	a = a.withListenerDefaults()
	if a.Backend == BackendKubernetes {
		a.Kubernetes = a.Kubernetes.withDefaults()
		if a.Resources.DiskSizeBytes == 0 {
			a.Resources.DiskSizeBytes = DefaultKubernetesDiskBytes
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
	if k.ExternalServiceType == "" {
		k.ExternalServiceType = ExternalNodePort
	}
	if k.TerminationGracePeriodSeconds == 0 {
		k.TerminationGracePeriodSeconds = DefaultTerminationGraceSeconds
	}
	if k.MaxUnavailable == 0 {
		k.MaxUnavailable = 1
	}
	if k.NetworkPolicy.MonitoringNamespace == "" {
		k.NetworkPolicy.MonitoringNamespace = DefaultMonitoringNamespace
	}
	if k.TLS.IssuerName != "" && k.TLS.IssuerKind == "" {
		k.TLS.IssuerKind = "ClusterIssuer"
	}
	return k
}

// tlsOn reports whether TLS is on after defaulting.
func (a Args) tlsOn() bool { return a.TLS != nil && *a.TLS }

// Topology is the renderer's view of a, with defaults applied. It does
// not validate: Validate (or the constructor) refuses what would not run.
func (a Args) Topology() Topology {
	a = a.withDefaults()
	t := Topology{
		Brokers:                     a.Brokers,
		Resources:                   a.Resources,
		LogLevel:                    a.LogLevel,
		DevContainerMode:            a.DevContainerMode,
		ConsumerGroupLagIntervalSec: a.ConsumerGroupLagIntervalSec,
		ExtraClusterConfig:          a.ExtraClusterConfig,
		Racks:                       a.Docker.Racks,
		RackFromZone:                a.Backend == BackendKubernetes && a.Kubernetes.RackAwareness,
		Auth: ListenerAuth{
			Kafka:          a.Listeners.Kafka.Authentication,
			SchemaRegistry: a.Listeners.SchemaRegistry.Authentication,
			HTTPProxy:      a.Listeners.HTTPProxy.Authentication,
			Admin:          a.Listeners.Admin.Authentication,
		},
	}
	switch a.Backend {
	case BackendKubernetes:
		t.Addressing = KubernetesAddressing{
			Name:           StatefulSetName,
			Service:        a.Kubernetes.ServiceName,
			Namespace:      a.Kubernetes.Namespace,
			ClusterDomain:  a.Kubernetes.ClusterDomain,
			ExternalDomain: a.Kubernetes.ExternalDomain,
			External:       a.Listeners.External(),
		}
		if a.tlsOn() {
			t.TLS = TLSConfig{Enabled: true, CertFile: TLSDir + "/tls.crt", KeyFile: TLSDir + "/tls.key", TruststoreFile: TLSDir + "/ca.crt"}
		}
		if a.SASL {
			t.SASL = SASLConfig{Enabled: true, Superuser: a.Superuser.Name, Mechanism: a.Superuser.Mechanism}
		}
	default:
		t.Addressing = DockerAddressing{
			HostnamePrefix: a.Docker.HostnamePrefix,
			ExternalHost:   a.Docker.ExternalHost,
			HostPorts:      a.Docker.HostPorts,
		}
		if a.SASL {
			t.SASL = SASLConfig{Enabled: true, Superuser: a.Superuser.Name, Mechanism: a.Superuser.Mechanism}
		}
		// Containers are not pinned to cores: each broker shares the host's
		// CPUs with the others, which Seastar must be told or it pins and
		// busy-polls the same core in every container.
		t.Overprovisioned = true
	}
	return t
}
