// Package stacks turns a stack's configuration into a typed, validated Spec and wires the
// components that realise it. It is the only package that knows stack names and config keys.
package stacks

import "github.com/marketbus/market-bus/stackenv"

// Project is the Pulumi project name; config keys are namespaced with it.
const Project = "market-bus"

// DefaultImage is the Redpanda release the project is tested against, pinned.
const DefaultImage = "docker.redpanda.com/redpandadata/redpanda:v25.2.1"

// Cluster modes.
const (
	ModeDocker     = "docker"
	ModeKubernetes = "kubernetes"
	ModeExternal   = "external"
)

// Spec is everything the program needs to know about one stack, validated.
type Spec struct {
	Stack string
	// Environment is production, staging or development (market-bus:environment); every
	// production guard reads it, never the stack's name.
	Environment string
	Cluster     ClusterSpec
	Topics      []TopicSpec
	Schemas     []SchemaSpec
	Gate        GateSpec
	// NodePool is used by the kubernetes mode only.
	NodePool NodePoolSpec
	// Monitoring is used by the docker and kubernetes modes.
	Monitoring MonitoringSpec
	// Principals are the application principals (market-bus:principals); none by default.
	Principals []PrincipalSpec
	// Warnings are config findings the program prints without refusing the stack.
	Warnings []string
	// ClusterConfig are the cluster properties the stack owns (market-bus:clusterConfig).
	ClusterConfig map[string]any
}

// ClusterSpec says where the brokers come from.
type ClusterSpec struct {
	// Mode is docker, kubernetes or external.
	Mode string `json:"mode"`
	// Brokers is the number of brokers the cluster has (or will have).
	Brokers int `json:"brokers"`
	// BootstrapServers are the Kafka API addresses of an external cluster.
	BootstrapServers []string `json:"bootstrapServers"`
	// ClientID is what our provider's admin client calls itself.
	ClientID string `json:"clientId"`
	// SASL, when set, authenticates the provider; the password is the secret key saslPassword.
	SASL *SASLSpec `json:"sasl"`
	// TLS, when true, dials the Kafka API with TLS.
	TLS bool `json:"tls"`
	// SchemaRegistryURL is the Confluent-API registry of an external cluster.
	SchemaRegistryURL string `json:"schemaRegistryUrl"`

	// Settings of a cluster the stack creates (docker and kubernetes modes).

	// Image is the Redpanda image, pinned by version tag or digest; never latest.
	Image string `json:"image"`
	// CPUCores per broker; Redpanda runs one shard per core (--smp).
	CPUCores int `json:"cpuCores"`
	// Memory is each broker's memory limit, e.g. 2Gi; Redpanda gets 90 % of it.
	Memory string `json:"memory"`
	// StorageSize is each broker's data volume, e.g. 50Gi.
	StorageSize string `json:"storageSize"`
	// LogLevel is Redpanda's default log level.
	LogLevel string `json:"logLevel"`
	// DevContainerMode runs Redpanda with --mode dev-container (no fsync): laptops only.
	DevContainerMode bool `json:"devContainerMode"`
	// RetainVolumes keeps broker data volumes when the stack is destroyed (default true).
	RetainVolumes *bool `json:"retainVolumes"`
	// ExternalHost is the host name clients outside the cluster network dial.
	ExternalHost string `json:"externalHost"`
	// Racks gives each Docker broker a rack (one per broker), turning on rack awareness.
	Racks []string `json:"racks"`
	// RackAwareness (kubernetes) makes each broker's rack its node's zone label.
	RackAwareness bool `json:"rackAwareness"`

	// Kubernetes mode.

	// Namespace holds the brokers; CreateNamespace (default true) creates it.
	Namespace       string `json:"namespace"`
	CreateNamespace *bool  `json:"createNamespace"`
	// StorageClass is an SSD class for the brokers' volumes.
	StorageClass string `json:"storageClass"`
	// CertIssuer names the cert-manager issuer of the listeners' certificates (CertIssuerKind:
	// ClusterIssuer or Issuer), or TLSSecret an existing kubernetes.io/tls Secret.
	CertIssuer     string `json:"certIssuer"`
	CertIssuerKind string `json:"certIssuerKind"`
	TLSSecret      string `json:"tlsSecret"`
	// CACertFile is the PEM of the CA that signed the listeners' certificates (for a private
	// cert-manager issuer), relative to the folder of Pulumi.yaml; the system pool when empty.
	CACertFile string `json:"caCertFile"`
	caPEM      string
	// AllowPlaintext is the explicit override that lets prod run without TLS.
	AllowPlaintext bool `json:"allowPlaintext"`
	// ExternalDomain makes the brokers reachable from outside as redpanda-<i>.<domain>.
	ExternalDomain string `json:"externalDomain"`
	// ExternalServiceType is LoadBalancer (one per broker) or NodePort.
	ExternalServiceType string `json:"externalServiceType"`
	// Listeners sets each API's exposure, source ranges, Service annotations and authentication.
	Listeners ListenersSpec `json:"listeners"`
	// KubernetesOnly deploys only the Kubernetes layer (node pool, namespace, StatefulSet,
	// Services, Certificate, Secrets): no ClusterHealth, topics, schemas, gate or monitoring.
	// For a first bring-up from where the brokers' external names do not resolve yet, and
	// for the e2e test on an API server whose brokers are kwok's fake pods.
	KubernetesOnly bool `json:"kubernetesOnly"`
	// NetworkPolicy names the namespaces that may reach the brokers (kubernetes mode).
	NetworkPolicy NetworkPolicySpec `json:"networkPolicy"`
}

// SASLSpec is the non-secret part of the SASL settings.
type SASLSpec struct {
	Mechanism string `json:"mechanism"`
	Username  string `json:"username"`
}

// TopicSpec is one topic the stack owns.
type TopicSpec struct {
	Name                string            `json:"name"`
	Partitions          int               `json:"partitions"`
	ReplicationFactor   int               `json:"replicationFactor"`
	Config              map[string]string `json:"config"`
	DeletionProtection  *bool             `json:"deletionProtection"`
	OnPartitionDecrease string            `json:"onPartitionDecrease"`
	// OnReplicationDecrease is error (default: a lower replicationFactor is refused) or
	// allow (the provider removes replicas by reassignment).
	OnReplicationDecrease string `json:"onReplicationDecrease"`
	StrictConfig          bool   `json:"strictConfig"`
}

// GateSpec holds the latency gate's thresholds: the seed's SLO is avg < 50 ms,
// p99 < 100 ms, at least 100k msg/s.
type GateSpec struct {
	Enabled                *bool   `json:"enabled"`
	MaxAvgLatencyMs        float64 `json:"maxAvgLatencyMs"`
	MaxP99LatencyMs        float64 `json:"maxP99LatencyMs"`
	MinThroughputMsgPerSec float64 `json:"minThroughputMsgPerSec"`

	// The load: offered rate (open loop), measured window and warm-up, record size, clients.
	Rate            int     `json:"rate"`
	DurationSeconds float64 `json:"durationSeconds"`
	WarmupSeconds   float64 `json:"warmupSeconds"`
	// MaxWarmupSeconds, above WarmupSeconds, lets the warm-up run on until the cluster is
	// steady (one second's p99 at most half of MaxP99LatencyMs); 0 is a fixed warm-up.
	MaxWarmupSeconds float64 `json:"maxWarmupSeconds"`
	MessageSize      int     `json:"messageSize"`
	Producers        int     `json:"producers"`
	Consumers        int     `json:"consumers"`
	Partitions       int     `json:"partitions"`
	Acks             string  `json:"acks"`
	LingerMs         float64 `json:"lingerMs"`
	Compression      string  `json:"compression"`
	// Topic is the gate's own topic; it never writes to the stack's data topics. The stack
	// manages it as a Topic (see GateTopic): created before the gate, deleted with the stack.
	Topic string `json:"topic"`
	// ReplicationFactor of the gate's topic; 0 takes min(3, cluster.brokers), so the gate
	// measures the replication the data topics pay for.
	ReplicationFactor int `json:"replicationFactor"`
	// Trigger is any string; changing it makes the gate measure again (busctl gate does).
	Trigger string `json:"trigger"`
	// Subject is the registered schema the payloads are encoded with.
	Subject string `json:"subject"`
}

// IsProduction reports whether the stack declares (or, for prod, defaults to) the
// production environment: mandatory policies, TLS on the cluster, no local passphrase.
func (s Spec) IsProduction() bool { return stackenv.IsProduction(s.Environment) }

// IsEnabled reports whether the gate runs on this stack.
func (g GateSpec) IsEnabled() bool { return g.Enabled == nil || *g.Enabled }

// Protected reports whether the topic refuses deletion; protection is the default.
func (t TopicSpec) Protected() bool { return t.DeletionProtection == nil || *t.DeletionProtection }

// defaultsFor returns the per-stack cluster defaults that config fields fall back to, and
// whether the stack is one the project knows. The rest of the defaults are in DefaultTable.
func defaultsFor(stack string) (ClusterSpec, bool) {
	switch stack {
	case "dev":
		return ClusterSpec{Mode: ModeDocker, Brokers: 3, ClientID: "market-bus-dev",
			Image: DefaultImage, CPUCores: 1, Memory: "2Gi", LogLevel: "info", DevContainerMode: true}, true
	case "prod":
		return ClusterSpec{Mode: ModeKubernetes, Brokers: 3, ClientID: "market-bus-prod", TLS: true,
			SASL:  &SASLSpec{Mechanism: "SCRAM-SHA-512", Username: "admin"},
			Image: DefaultImage, CPUCores: 1, Memory: "3Gi", StorageSize: "50Gi", LogLevel: "info",
			Namespace: "redpanda", StorageClass: "ssd", CertIssuer: "redpanda-ca", CertIssuerKind: "ClusterIssuer",
			ExternalServiceType: "LoadBalancer"}, true
	case "local":
		return ClusterSpec{
			Mode:              ModeExternal,
			Brokers:           3,
			BootstrapServers:  []string{"127.0.0.1:19092", "127.0.0.1:29092", "127.0.0.1:39092"},
			SchemaRegistryURL: "http://127.0.0.1:18081/apis/ccompat/v7",
			ClientID:          "market-bus-local",
		}, true
	}
	return ClusterSpec{Brokers: 3, ClientID: "market-bus", Image: DefaultImage, CPUCores: 1, Memory: "2Gi", LogLevel: "info"}, false
}
