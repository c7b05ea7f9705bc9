package cluster

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/marketbus/market-bus/fielderr"
)

const (
	mib = int64(1) << 20
	gib = int64(1) << 30

	// minMemoryPerCore is Redpanda's production floor; below it Seastar
	// shards starve and brokers stall or get OOM-killed.
	minMemoryPerCore = 2 * gib
	// memoryPercent of the container limit goes to --memory; the rest is
	// left for allocations outside Seastar's pool (the chart's explicit-mode
	// rule). Giving Redpanda the whole limit is the classic OOM kill.
	memoryPercent = 90
	// bindAll is where listeners bind inside the broker.
	bindAll = "0.0.0.0"
)

// Redpanda's in-image paths.
const (
	// DataDir is where Redpanda keeps its data; the volume mounts here.
	DataDir = "/var/lib/redpanda/data"
	// BootstrapPath is read once, on the first start of a cluster, as the
	// initial cluster config. Redpanda looks for it next to redpanda.yaml.
	BootstrapPath = "/etc/redpanda/.bootstrap.yaml"
	// ReadyPath on the admin API reports {"status":"ready"} once the broker
	// has a node ID and serves requests, {"status":"booting"} before (both
	// with HTTP 200); the chart's startup probe uses it.
	ReadyPath = "/v1/status/ready"
	// MetricsPath is the admin API's public Prometheus endpoint.
	MetricsPath = "/public_metrics"
)

// RenderCluster renders every broker of t.
func RenderCluster(t Topology) ([]BrokerConfig, error) {
	if t.Brokers < 1 {
		return nil, fmt.Errorf("render cluster: %d brokers: need at least 1", t.Brokers)
	}
	out := make([]BrokerConfig, 0, t.Brokers)
	for i := 0; i < t.Brokers; i++ {
		b, err := RenderBroker(t, i)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// RenderBroker computes the node configuration of broker i: listeners,
// advertised addresses, seeds, published ports, the `redpanda start`
// argument list and the bootstrap cluster config.
func RenderBroker(t Topology, i int) (BrokerConfig, error) {
	if t.Addressing == nil {
		return BrokerConfig{}, errors.New("render broker: topology has no addressing")
	}
	if i < 0 || i >= t.Brokers {
		return BrokerConfig{}, fmt.Errorf("render broker: index %d outside 0..%d", i, t.Brokers-1)
	}
	memMiB, err := RedpandaMemoryMiB(t.Resources)
	if err != nil {
		return BrokerConfig{}, fmt.Errorf("render broker %d: %w", i, err)
	}
	bootstrap, err := RenderBootstrapYAML(t)
	if err != nil {
		return BrokerConfig{}, fmt.Errorf("render broker %d: %w", i, err)
	}

	addr := t.Addressing.Broker(i)
	p := addr.Ports
	b := BrokerConfig{
		Index:          i,
		InternalHost:   addr.InternalHost,
		ExternalHost:   addr.ExternalHost,
		Ports:          p,
		Kafka:          listeners(addr, p.Kafka, t.Auth.Kafka),
		HTTPProxy:      listeners(addr, p.HTTPProxy, t.Auth.HTTPProxy),
		SchemaRegistry: listeners(addr, p.SchemaRegistry, t.Auth.SchemaRegistry),
		Admin: Listener{
			Name:      "internal",
			Bind:      Endpoint{Host: bindAll, Port: p.Admin.Internal},
			Advertise: Endpoint{Host: addr.InternalHost, Port: p.Admin.Internal},
		},
		// RPC binds everywhere (as the chart does) rather than on the
		// hostname (as the compose file does): binding must not depend on
		// DNS being ready when the broker starts.
		RPC: Listener{
			Bind:      Endpoint{Host: bindAll, Port: p.RPC},
			Advertise: Endpoint{Host: addr.InternalHost, Port: p.RPC},
		},
		Seeds:         seeds(t),
		Published:     published(p),
		MemoryMiB:     memMiB,
		BootstrapYAML: bootstrap,
		TLS:           t.TLS,
		SASL:          t.SASL,
	}
	b.Args = startArgs(t, b)
	return b, nil
}

// RedpandaMemoryMiB is the --memory value in MiB: 90 % of the container
// limit (rounded down, as the chart does: 10Gi gives 9216M) unless
// RedpandaMemoryBytes overrides it. It refuses less than 2 GiB of container
// memory per core and a --memory that would not fit the limit.
func RedpandaMemoryMiB(r Resources) (int64, error) {
	if errs := checkMemory(r); len(errs) > 0 {
		return 0, fielderr.Join(errs)
	}
	if r.RedpandaMemoryBytes > 0 {
		return r.RedpandaMemoryBytes / mib, nil
	}
	return maxRedpandaMemory(r.MemoryLimitBytes) / mib, nil
}

// maxRedpandaMemory is the most --memory may be for a container limit.
func maxRedpandaMemory(limit int64) int64 { return limit * memoryPercent / 100 }

// listeners renders the internal listener and, when the API has one, the
// external listener.
// Both carry the API's authentication method: an internal listener is
// reachable by every pod of the cluster network, so it is no place to skip it.
func listeners(addr BrokerAddress, p ListenerPorts, authN string) []Listener {
	if authN == AuthNone {
		authN = ""
	}
	ls := []Listener{{
		Name:      "internal",
		Bind:      Endpoint{Host: bindAll, Port: p.Internal},
		Advertise: Endpoint{Host: addr.InternalHost, Port: p.Internal},
		AuthN:     authN,
	}}
	if p.ExternalBind != 0 {
		ls = append(ls, Listener{
			Name:      "external",
			Bind:      Endpoint{Host: bindAll, Port: p.ExternalBind},
			Advertise: Endpoint{Host: addr.ExternalHost, Port: p.ExternalAdvertised},
			AuthN:     authN,
		})
	}
	return ls
}

// seeds lists every broker as a seed (the chart's scheme). Together with
// empty_seed_starts_cluster=false no broker is special: the seeds form the
// cluster together, and broker 0 cannot found a second cluster on its own
// after losing its volume.
func seeds(t Topology) []Endpoint {
	out := make([]Endpoint, 0, t.Brokers)
	for j := 0; j < t.Brokers; j++ {
		a := t.Addressing.Broker(j)
		out = append(out, Endpoint{Host: a.InternalHost, Port: a.Ports.RPC})
	}
	return out
}

// published lists the ports reachable from outside the broker network. A
// listener with its own external bind is published on that port; the
// admin API, which has a single listener, is published to its internal port.
func published(p BrokerPorts) []PortMapping {
	var out []PortMapping
	add := func(service string, lp ListenerPorts) {
		if lp.ExternalAdvertised == 0 {
			return
		}
		target := lp.ExternalBind
		if target == 0 {
			target = lp.Internal
		}
		out = append(out, PortMapping{Service: service, HostPort: lp.ExternalAdvertised, ContainerPort: target})
	}
	add("kafka", p.Kafka)
	add("schema-registry", p.SchemaRegistry)
	add("http-proxy", p.HTTPProxy)
	add("admin", p.Admin)
	return out
}

// startArgs is the argument list handed to the image's entrypoint. Every
// flag and its value are separate elements: rpk reads `--set` only as a
// separate word followed by its key=value.
func startArgs(t Topology, b BrokerConfig) []string {
	args := []string{
		"redpanda", "start",
		"--kafka-addr", joinListeners(b.Kafka, true),
		"--advertise-kafka-addr", joinListeners(b.Kafka, false),
		"--pandaproxy-addr", joinListeners(b.HTTPProxy, true),
		"--advertise-pandaproxy-addr", joinListeners(b.HTTPProxy, false),
		"--schema-registry-addr", joinListeners(b.SchemaRegistry, true),
		"--rpc-addr", b.RPC.Bind.String(),
		"--advertise-rpc-addr", b.RPC.Advertise.String(),
		"--seeds", joinEndpoints(b.Seeds),
		"--smp", strconv.Itoa(t.Resources.CPUCores),
		"--memory", fmt.Sprintf("%dM", b.MemoryMiB),
		// Explicit --memory already leaves the OS its share; a reserve on
		// top would only shrink Redpanda further.
		"--reserve-memory", "0M",
	}
	if t.DevContainerMode {
		args = append(args, "--mode", "dev-container")
	} else if t.Overprovisioned {
		// dev-container bundles --overprovisioned; say it only once.
		args = append(args, "--overprovisioned")
	}
	args = append(args,
		"--default-log-level="+t.LogLevel,
		"--set", "redpanda.empty_seed_starts_cluster=false",
		// The proxy and schema registry talk Kafka to the cluster. Their
		// default, 127.0.0.1:9092, is wrong wherever internal Kafka is not
		// on 9092 (Kubernetes uses 9093), so list the internal listeners.
		"--set", "pandaproxy_client.brokers="+clientBrokers(t),
		"--set", "schema_registry_client.brokers="+clientBrokers(t),
	)
	// Last, so a topology without TLS or racks renders exactly what it did
	// before they existed (the Docker golden files pin that).
	args = append(args, tlsArgs(t.TLS, b)...)
	if b.Index < len(t.Racks) {
		args = append(args, "--set", "redpanda.rack="+t.Racks[b.Index])
	}
	return args
}

// clientBrokers renders every broker's internal Kafka listener as the value
// rpk's --set parses (YAML, of which compact JSON is a subset). Compact JSON
// keeps the argument free of spaces, so it survives an entrypoint that
// splits words as well as one that does not.
func clientBrokers(t Topology) string {
	parts := make([]string, 0, t.Brokers)
	for j := 0; j < t.Brokers; j++ {
		a := t.Addressing.Broker(j)
		// %q quotes like JSON for the DNS names validation admits.
		parts = append(parts, fmt.Sprintf(`{"address":%q,"port":%d}`, a.InternalHost, a.Ports.Kafka.Internal))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// joinListeners renders listeners as `name://host:port,…`, either the bind
// side or the advertised side. The bind side carries each listener's
// authentication method as rpk parses it: `name://host:port|sasl`.
func joinListeners(ls []Listener, bind bool) string {
	parts := make([]string, 0, len(ls))
	for _, l := range ls {
		e, suffix := l.Advertise, ""
		if bind {
			e, suffix = l.Bind, authSuffix(l.AuthN)
		}
		parts = append(parts, l.Name+"://"+e.String()+suffix)
	}
	return strings.Join(parts, ",")
}

func joinEndpoints(es []Endpoint) string {
	parts := make([]string, 0, len(es))
	for _, e := range es {
		parts = append(parts, e.String())
	}
	return strings.Join(parts, ",")
}

// BrokerLabels are the labels every object of broker i carries, in the
// Kubernetes recommended-label style so Docker and Kubernetes objects can
// be selected the same way.
func BrokerLabels(instance, stack string, i int) map[string]string {
	l := ClusterLabels(instance, stack)
	l["app.kubernetes.io/component"] = "broker"
	l["marketbus/broker-index"] = strconv.Itoa(i)
	return l
}

// ClusterLabels are the labels of the cluster-wide objects.
func ClusterLabels(instance, stack string) map[string]string {
	return map[string]string{
		"app.kubernetes.io/name":       "redpanda",
		"app.kubernetes.io/instance":   instance,
		"app.kubernetes.io/part-of":    "market-bus",
		"app.kubernetes.io/managed-by": "pulumi",
		"marketbus/stack":              stack,
	}
}
