package stacks

import "github.com/marketbus/market-bus/components/cluster"

// ListenersSpec is cluster.listeners: how each API of a cluster the stack creates is exposed
// and authenticated. Fields left out take the component's defaults: Kafka external (when the
// cluster has an external address), the schema registry, HTTP proxy and admin API internal;
// sasl / http_basic on every listener when cluster.sasl is set.
type ListenersSpec struct {
	Kafka          ListenerSpec `json:"kafka"`
	SchemaRegistry ListenerSpec `json:"schemaRegistry"`
	HTTPProxy      ListenerSpec `json:"httpProxy"`
	Admin          ListenerSpec `json:"admin"`
}

// ListenerSpec is one API's listener settings, the Redpanda chart's per-listener keys.
type ListenerSpec struct {
	// Exposure is internal (inside the cluster network only) or external (published).
	Exposure string `json:"exposure"`
	// SourceRanges are the CIDRs that may reach an external listener; required on production.
	SourceRanges []string `json:"sourceRanges"`
	// Annotations go on the API's external Services, e.g. an internal load balancer.
	Annotations map[string]string `json:"annotations"`
	// Authentication is sasl (Kafka), http_basic (HTTP APIs) or none (only without SASL).
	Authentication string `json:"authentication"`
}

func (l ListenerSpec) args() cluster.ListenerArgs {
	return cluster.ListenerArgs{Exposure: l.Exposure, SourceRanges: l.SourceRanges, Annotations: l.Annotations, Authentication: l.Authentication}
}

func (l ListenersSpec) args() cluster.ListenersArgs {
	return cluster.ListenersArgs{Kafka: l.Kafka.args(), SchemaRegistry: l.SchemaRegistry.args(), HTTPProxy: l.HTTPProxy.args(), Admin: l.Admin.args()}
}

// listenerKeys map the component's listener fields onto the stack keys, longest first so a
// field's prefix never rewrites it.
var listenerKeys = []struct{ field, key string }{
	{"Listeners.SchemaRegistry", "cluster.listeners.schemaRegistry"},
	{"Listeners.HTTPProxy", "cluster.listeners.httpProxy"},
	{"Listeners.Kafka", "cluster.listeners.kafka"},
	{"Listeners.Admin", "cluster.listeners.admin"},
	{".Exposure", ".exposure"},
	{".SourceRanges", ".sourceRanges"},
	{".Annotations", ".annotations"},
	{".Authentication", ".authentication"},
}

// NetworkPolicySpec is cluster.networkPolicy: who besides the brokers may reach them.
type NetworkPolicySpec struct {
	// ClientNamespaces may reach the in-cluster Kafka, registry and proxy listeners.
	ClientNamespaces []string `json:"clientNamespaces"`
	// MonitoringNamespace may reach the admin API's metrics; default monitoring.
	MonitoringNamespace string `json:"monitoringNamespace"`
}
