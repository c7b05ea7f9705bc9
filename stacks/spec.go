// Package stacks turns a stack's configuration into a typed, validated Spec and wires the
// components that realise it. It is the only package that knows stack names and config keys.
package stacks

import (
	"github.com/marketbus/market-bus/components/cluster"
	"github.com/marketbus/market-bus/stackenv"
)

// Project is the Pulumi project name; config keys are namespaced with it.
const Project = "market-bus"

// DefaultImage is the Redpanda release the project is tested against, pinned.
const DefaultImage = "docker.redpanda.com/redpandadata/redpanda:v25.2.1"

// Cluster modes: the cluster component's, whose vocabulary market-bus:cluster is.
const (
	ModeDocker     = cluster.ModeDocker
	ModeKubernetes = cluster.ModeKubernetes
	ModeExternal   = cluster.ModeExternal
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

// ClusterSpec is market-bus:cluster: where the brokers come from. A cluster the stack creates
// (docker and kubernetes modes) is the cluster component's own Config, decoded straight from
// the stack file; the fields below it serve the program only.
type ClusterSpec struct {
	cluster.Config
	// BootstrapServers are the Kafka API addresses of an external cluster.
	BootstrapServers []string `json:"bootstrapServers"`
	// ClientID is what our provider's admin client calls itself.
	ClientID string `json:"clientId"`
	// SchemaRegistryURL is the Confluent-API registry of an external cluster.
	SchemaRegistryURL string `json:"schemaRegistryUrl"`
	// CACertFile is the PEM of the CA that signed the listeners' certificates (for a private
	// cert-manager issuer), relative to the folder of Pulumi.yaml; the system pool when empty.
	CACertFile string `json:"caCertFile"`
	caPEM      string
	// KubernetesOnly deploys only the Kubernetes layer (node pool, namespace, StatefulSet,
	// Services, Certificate, Secrets): no ClusterHealth, topics, schemas, gate or monitoring.
	// For a first bring-up from where the brokers' external names do not resolve yet, and
	// for the e2e test on an API server whose brokers are kwok's fake pods.
	KubernetesOnly bool `json:"kubernetesOnly"`
}

// Creates reports whether the stack creates its cluster (docker or kubernetes mode).
func (c ClusterSpec) Creates() bool { return c.Mode == ModeDocker || c.Mode == ModeKubernetes }

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
