// Package stacks turns a stack's configuration into a typed, validated Spec and wires the
// components that realise it. It is the only package that knows stack names and config keys.
package stacks

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
	Stack   string
	Cluster ClusterSpec
	Topics  []TopicSpec
	Gate    GateSpec
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
	StrictConfig        bool              `json:"strictConfig"`
}

// GateSpec holds the latency gate's thresholds: the seed's SLO is avg < 50 ms,
// p99 < 100 ms, at least 100k msg/s.
type GateSpec struct {
	Enabled                *bool   `json:"enabled"`
	MaxAvgLatencyMs        float64 `json:"maxAvgLatencyMs"`
	MaxP99LatencyMs        float64 `json:"maxP99LatencyMs"`
	MinThroughputMsgPerSec float64 `json:"minThroughputMsgPerSec"`
}

// IsEnabled reports whether the gate runs on this stack.
func (g GateSpec) IsEnabled() bool { return g.Enabled == nil || *g.Enabled }

// Protected reports whether the topic refuses deletion; protection is the default.
func (t TopicSpec) Protected() bool { return t.DeletionProtection == nil || *t.DeletionProtection }

// defaultsFor returns the per-stack defaults that config fields fall back to, and whether
// the stack is one the project knows.
func defaultsFor(stack string) (ClusterSpec, GateSpec, bool) {
	slo := GateSpec{MaxAvgLatencyMs: 50, MaxP99LatencyMs: 100, MinThroughputMsgPerSec: 100000}
	switch stack {
	case "dev":
		return ClusterSpec{Mode: ModeDocker, Brokers: 3, ClientID: "market-bus-dev",
			Image: DefaultImage, CPUCores: 1, Memory: "2Gi", LogLevel: "info", DevContainerMode: true}, slo, true
	case "prod":
		return ClusterSpec{Mode: ModeKubernetes, Brokers: 3, ClientID: "market-bus-prod", TLS: true,
			Image: DefaultImage, CPUCores: 1, Memory: "3Gi", StorageSize: "50Gi", LogLevel: "info"}, slo, true
	case "local":
		return ClusterSpec{
			Mode:             ModeExternal,
			Brokers:          3,
			BootstrapServers: []string{"127.0.0.1:19092", "127.0.0.1:29092", "127.0.0.1:39092"},
			ClientID:         "market-bus-local",
		}, slo, true
	}
	return ClusterSpec{Brokers: 3, ClientID: "market-bus", Image: DefaultImage, CPUCores: 1, Memory: "2Gi", LogLevel: "info"}, slo, false
}
