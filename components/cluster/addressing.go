package cluster

import (
	"fmt"
	"strings"
)

// Container-side ports. They match the Redpanda defaults and the chart, so
// rpk inside a container works without flags.
const (
	kafkaPort          = 9092
	kafkaPortK8s       = 9093 // the chart moves internal Kafka off 9092
	httpProxyPort      = 8082
	schemaRegistryPort = 8081
	adminPort          = 9644
	rpcPort            = 33145
)

// HostPortScheme assigns the host ports Docker publishes. Broker i gets
// base + i*Stride for each service. The default (base 19092 etc., stride
// 10000) is the compose quickstart's `${n}9092` pattern with n = i+1; it
// runs out of port numbers after 4 brokers (59644 fits, 69092 does not), so
// larger clusters need a smaller Stride. Validation refuses collisions.
type HostPortScheme struct {
	Kafka          int
	SchemaRegistry int
	HTTPProxy      int
	Admin          int
	Stride         int
}

// DefaultHostPortScheme is the compose quickstart's port map:
// 19092/29092/39092, 18081/…, 18082/…, 19644/….
func DefaultHostPortScheme() HostPortScheme {
	return HostPortScheme{Kafka: 19092, SchemaRegistry: 18081, HTTPProxy: 18082, Admin: 19644, Stride: 10000}
}

// port returns base's port for broker i.
func (s HostPortScheme) port(base, i int) int { return base + i*s.Stride }

// DockerAddressing names brokers by container hostname on a private bridge
// network and publishes their external listeners on the Docker host.
type DockerAddressing struct {
	// HostnamePrefix makes hostnames `<prefix>-<i>`, e.g. redpanda-0.
	HostnamePrefix string
	// ExternalHost is what host-side clients dial, usually localhost.
	ExternalHost string
	// HostPorts assigns the published ports.
	HostPorts HostPortScheme
}

var _ Addressing = DockerAddressing{}

// Scheme implements Addressing.
func (DockerAddressing) Scheme() string { return "docker" }

// Hostname is broker i's container hostname and network alias.
func (d DockerAddressing) Hostname(i int) string { return fmt.Sprintf("%s-%d", d.HostnamePrefix, i) }

// Broker implements Addressing. The external listener binds inside the
// container on the same number as the host port, so what the broker
// advertises is exactly what Docker publishes.
func (d DockerAddressing) Broker(i int) BrokerAddress {
	hp := d.HostPorts
	kafka := hp.port(hp.Kafka, i)
	proxy := hp.port(hp.HTTPProxy, i)
	schema := hp.port(hp.SchemaRegistry, i)
	return BrokerAddress{
		InternalHost: d.Hostname(i),
		ExternalHost: d.ExternalHost,
		Ports: BrokerPorts{
			Kafka:          ListenerPorts{Internal: kafkaPort, ExternalBind: kafka, ExternalAdvertised: kafka},
			HTTPProxy:      ListenerPorts{Internal: httpProxyPort, ExternalBind: proxy, ExternalAdvertised: proxy},
			SchemaRegistry: ListenerPorts{Internal: schemaRegistryPort, ExternalBind: schema, ExternalAdvertised: schema},
			Admin:          ListenerPorts{Internal: adminPort, ExternalAdvertised: hp.port(hp.Admin, i)},
			RPC:            rpcPort,
		},
	}
}

// InNetworkOnly implements Addressing: container hostnames and aliases
// resolve only through Docker's embedded DNS on the private network.
func (d DockerAddressing) InNetworkOnly(host string, brokers int) bool {
	for i := 0; i < brokers; i++ {
		if strings.EqualFold(host, d.Hostname(i)) {
			return true
		}
	}
	return false
}

// KubernetesAddressing names brokers by StatefulSet pod FQDN behind a
// headless Service, as the Redpanda chart does.
type KubernetesAddressing struct {
	// Name is the StatefulSet name; pods are `<Name>-<i>`.
	Name string
	// Service is the headless Service name.
	Service string
	// Namespace holds the StatefulSet.
	Namespace string
	// ClusterDomain is the cluster DNS suffix, usually cluster.local.
	ClusterDomain string
	// ExternalDomain makes external hosts `<Name>-<i>.<ExternalDomain>`.
	// Empty means no external listeners: nothing outside the cluster can
	// dial an address the broker would have to advertise as "".
	ExternalDomain string
	// External says which APIs get an external listener; the rest stay
	// inside the cluster network.
	External ExternalAPIs
}

var _ Addressing = KubernetesAddressing{}

// Scheme implements Addressing.
func (KubernetesAddressing) Scheme() string { return "kubernetes" }

// PodFQDN is broker i's fully qualified pod name. The trailing dot stops
// resolv.conf search domains being tried first (the chart does the same).
func (k KubernetesAddressing) PodFQDN(i int) string {
	return fmt.Sprintf("%s-%d.%s.%s.svc.%s.", k.Name, i, k.Service, k.Namespace, k.ClusterDomain)
}

// Kubernetes external ports: what the external listeners bind inside the
// pod, and the NodePorts that publish them (the chart's defaults).
const (
	kafkaExternalBindK8s     = 9094
	proxyExternalBindK8s     = 8083
	schemaExternalBindK8s    = 8084
	kafkaNodePort            = 31092
	proxyNodePort            = 30082
	schemaRegistryNodePort   = 30081
	adminNodePort            = 31644
	nodePortMin, nodePortMax = 30000, 32767 // the API server's default range
)

// Broker implements Addressing with the chart's ports: internal Kafka on
// 9093, external listeners on 9094/8083/8084 advertised on NodePorts.
// Every broker uses the same NodePort because each runs on its own node.
func (k KubernetesAddressing) Broker(i int) BrokerAddress {
	a := BrokerAddress{
		InternalHost: k.PodFQDN(i),
		Ports: BrokerPorts{
			Kafka:          ListenerPorts{Internal: kafkaPortK8s},
			HTTPProxy:      ListenerPorts{Internal: httpProxyPort},
			SchemaRegistry: ListenerPorts{Internal: schemaRegistryPort},
			Admin:          ListenerPorts{Internal: adminPort},
			RPC:            rpcPort,
		},
	}
	if k.ExternalDomain == "" || !k.External.any() {
		return a
	}
	a.ExternalHost = fmt.Sprintf("%s-%d.%s", k.Name, i, k.ExternalDomain)
	p := &a.Ports
	if k.External.Kafka {
		p.Kafka.ExternalBind, p.Kafka.ExternalAdvertised = kafkaExternalBindK8s, kafkaNodePort
	}
	if k.External.HTTPProxy {
		p.HTTPProxy.ExternalBind, p.HTTPProxy.ExternalAdvertised = proxyExternalBindK8s, proxyNodePort
	}
	if k.External.SchemaRegistry {
		p.SchemaRegistry.ExternalBind, p.SchemaRegistry.ExternalAdvertised = schemaExternalBindK8s, schemaRegistryNodePort
	}
	if k.External.Admin {
		p.Admin.ExternalAdvertised = adminNodePort
	}
	return a
}

// InNetworkOnly implements Addressing: cluster-local names do not resolve
// outside the cluster.
func (k KubernetesAddressing) InNetworkOnly(host string, _ int) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	return strings.HasSuffix(h, ".svc."+strings.ToLower(k.ClusterDomain)) || strings.HasSuffix(h, ".svc")
}
