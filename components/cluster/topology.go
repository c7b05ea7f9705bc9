package cluster

import (
	"net"
	"strconv"
)

// Topology is everything the renderer needs to compute a broker's node
// configuration. It is plain data with no Pulumi types, so the same value
// renders the flags of a Docker container and of a Kubernetes pod.
type Topology struct {
	// Brokers is the number of brokers in the cluster.
	Brokers int
	// Addressing decides how each broker is named and which ports it uses.
	Addressing Addressing
	// Resources sizes every broker (all brokers are the same size).
	Resources Resources
	// LogLevel is Redpanda's --default-log-level (trace, debug, info, warn, error).
	LogLevel string
	// DevContainerMode adds `--mode dev-container`: no fsync, no system
	// checks. Only for throwaway local clusters.
	DevContainerMode bool
	// Overprovisioned adds --overprovisioned, which Redpanda needs when its
	// cores are shared with other processes (no thread pinning, no busy
	// polling). dev-container mode already implies it.
	Overprovisioned bool
	// TLS turns on TLS for every listener (Kubernetes only for now).
	TLS TLSConfig
	// SASL turns on SASL/SCRAM authentication and authorization on the
	// Kafka API (Kubernetes only for now).
	SASL SASLSettings
	// Auth is each API's authentication_method ("none" or empty: none).
	Auth ListenerAuth
	// ConsumerGroupLagIntervalSec is consumer_group_lag_collection_interval_sec.
	ConsumerGroupLagIntervalSec int
	// ExtraClusterConfig is merged over the rendered bootstrap cluster
	// config; its keys win over the defaults.
	ExtraClusterConfig map[string]any
	// Racks is each broker's rack in broker order (Docker: configured);
	// empty means no rack flags.
	Racks []string
	// RackFromZone takes each broker's rack from its node's zone label at
	// start (Kubernetes), where the renderer cannot know the node.
	RackFromZone bool
}

// rackAware reports whether the brokers are told their racks.
func (t Topology) rackAware() bool { return len(t.Racks) > 0 || t.RackFromZone }

// TLSConfig turns on TLS for every listener of every API, internal and
// external alike, with one certificate. The paths are inside the broker.
type TLSConfig struct {
	Enabled bool
	// CertFile and KeyFile are the broker's certificate and private key (PEM).
	CertFile string
	KeyFile  string
	// TruststoreFile is the CA that signed every broker's certificate. Peers
	// (RPC), the HTTP proxy and the schema registry trust it when they dial
	// other brokers.
	TruststoreFile string
}

// SASLSettings turns on SASL/SCRAM on the Kafka API with one superuser, whom
// Redpanda creates on first start from the RP_BOOTSTRAP_USER environment
// variable (the password never enters the rendered config).
type SASLSettings struct {
	Enabled bool
	// Superuser is the bootstrap user's name.
	Superuser string
	// Mechanism is SCRAM-SHA-256 or SCRAM-SHA-512.
	Mechanism string
}

// ListenerAuth is the authentication method of every listener of each API.
type ListenerAuth struct {
	Kafka, SchemaRegistry, HTTPProxy, Admin string
}

// Resources sizes one broker.
type Resources struct {
	// CPUCores is the number of Seastar shards (--smp).
	CPUCores int
	// MemoryLimitBytes is the container memory limit.
	MemoryLimitBytes int64
	// RedpandaMemoryBytes overrides --memory. Zero means 90 % of
	// MemoryLimitBytes, the Helm chart's rule for explicit limits.
	RedpandaMemoryBytes int64
	// DiskSizeBytes is the size of the data volume; zero when unknown (a
	// Docker named volume shares the host disk).
	DiskSizeBytes int64
}

// Addressing names brokers and assigns their ports. Docker and Kubernetes
// differ only here: the renderer asks the Addressing and builds identical
// flags around the answers.
type Addressing interface {
	// Scheme names the addressing scheme ("docker", "kubernetes") for messages.
	Scheme() string
	// Broker returns the addresses and ports of broker i (0-based).
	Broker(i int) BrokerAddress
	// InNetworkOnly reports whether host resolves only inside the broker
	// network, so a client outside it could never dial an address that uses it.
	InNetworkOnly(host string, brokers int) bool
}

// BrokerAddress is where one broker is reached.
type BrokerAddress struct {
	// InternalHost is the name peers and in-network clients resolve
	// (container hostname, or pod FQDN).
	InternalHost string
	// ExternalHost is the name clients outside the broker network dial.
	ExternalHost string
	// Ports are the broker's ports.
	Ports BrokerPorts
}

// BrokerPorts are the ports of one broker, per API.
type BrokerPorts struct {
	Kafka          ListenerPorts
	HTTPProxy      ListenerPorts
	SchemaRegistry ListenerPorts
	// Admin has no second listener (rpk start has no admin flag), so
	// Admin.ExternalBind stays 0 and the published port maps to Admin.Internal.
	Admin ListenerPorts
	RPC   int
}

// ListenerPorts are the ports of one API that has an internal listener for
// the broker network and an external one for everything else.
type ListenerPorts struct {
	// Internal is bound and advertised on the internal listener.
	Internal int
	// ExternalBind is bound inside the broker by the external listener; 0
	// when the API has no external listener of its own.
	ExternalBind int
	// ExternalAdvertised is what outside clients dial: the published host
	// port on Docker, the NodePort on Kubernetes. It must be what the broker
	// advertises, or clients are redirected to a port that does not exist.
	ExternalAdvertised int
}

// Endpoint is a host and port.
type Endpoint struct {
	Host string
	Port int
}

// String joins host and port, bracketing IPv6 literals.
func (e Endpoint) String() string { return net.JoinHostPort(e.Host, strconv.Itoa(e.Port)) }

// Listener is one named listener: where it binds and what it advertises.
type Listener struct {
	Name      string
	Bind      Endpoint
	Advertise Endpoint
	// AuthN is the listener's authentication_method; empty or "none" for none.
	AuthN string
}

// PortMapping publishes a port of the broker on the host (Docker) or node
// (Kubernetes NodePort).
type PortMapping struct {
	// Service names the API ("kafka", "schema-registry", "http-proxy", "admin").
	Service string
	// HostPort is the port outside the broker.
	HostPort int
	// ContainerPort is the port inside the broker.
	ContainerPort int
}

// BrokerConfig is the rendered node configuration of one broker.
type BrokerConfig struct {
	Index          int
	InternalHost   string
	ExternalHost   string
	Ports          BrokerPorts
	Kafka          []Listener
	HTTPProxy      []Listener
	SchemaRegistry []Listener
	// Admin is the admin API bound inside the broker; its Advertise is the
	// in-network address (the admin API advertises nothing).
	Admin Listener
	// RPC binds the internal RPC server and advertises it to peers.
	RPC Listener
	// Seeds lists every broker's RPC address, this one included.
	Seeds []Endpoint
	// Published are the ports reachable from outside the broker network.
	Published []PortMapping
	// MemoryMiB is the value of --memory, in MiB.
	MemoryMiB int64
	// Args is the complete argument list after the image's entrypoint,
	// starting with "redpanda", "start".
	Args []string
	// BootstrapYAML is the cluster config written to /etc/redpanda/.bootstrap.yaml.
	BootstrapYAML string
	// TLS and SASL are the topology's security settings, which decide the
	// URL schemes and the client settings derived from this broker.
	TLS  TLSConfig
	SASL SASLSettings
}
