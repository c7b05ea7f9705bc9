package cluster

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"
)

// fiveGiB caps storage_min_free_bytes, as in the chart.
const fiveGiB = 5 * gib

// consumerGroupMetrics are the consumer-group metric families Redpanda
// exports; consumer_lag feeds the consumer-lag dashboard and alerts.
func consumerGroupMetrics() []string { return []string{"group", "partition", "consumer_lag"} }

// StorageMinFreeBytes is the chart's formula: 5 % of the data volume,
// capped at 5 GiB. Below it Redpanda refuses writes instead of filling the
// disk. The chart truncates size*0.05 to an integer; size/20 is the same
// floor without float rounding.
func StorageMinFreeBytes(diskSizeBytes int64) int64 {
	return min(fiveGiB, diskSizeBytes/20)
}

// BootstrapConfig is the cluster config Redpanda loads on the first start
// of a new cluster, and only then: it keeps what must hold from the first
// second (no topic auto-creation, SASL and authorization on, the
// superuser), so the brokers never run a moment without it. Every other
// cluster property is in ClusterProperties, which the stack reconciles
// through the admin API (the provider's ClusterConfig), because editing
// this file on a formed cluster changes nothing.
func BootstrapConfig(t Topology) map[string]any {
	cfg := map[string]any{
		// Topics are resources of this program; a typo in a producer must
		// not create one behind its back.
		"auto_create_topics_enabled": false,
	}
	if t.SASL.Enabled {
		// Authentication without authorization would let any user do
		// anything; the bootstrap user is the only superuser, and it
		// exists before the first client connects (RP_BOOTSTRAP_USER).
		cfg["enable_sasl"] = true
		cfg["kafka_enable_authorization"] = true
		cfg["superusers"] = []string{t.SASL.Superuser}
		cfg["sasl_mechanisms"] = []string{"SCRAM"}
	}
	if t.Auth.Admin == AuthHTTPBasic {
		// The admin API can create users and change any cluster property:
		// with SASL on, only a superuser's basic-auth credentials may use it.
		cfg["admin_api_require_auth"] = true
	}
	return cfg
}

// ClusterProperties are the cluster properties the component wants on a
// running cluster: the consumer-group metrics the Consumer Lag dashboard
// reads, the replication default and the free-space floor, then
// ExtraClusterConfig, merged last so it wins. The stack hands them to a
// ClusterConfig, which writes them through the admin API and keeps them.
func ClusterProperties(t Topology) map[string]any {
	cfg := map[string]any{
		"enable_consumer_group_metrics": consumerGroupMetrics(),
	}
	if t.ConsumerGroupLagIntervalSec > 0 {
		cfg["consumer_group_lag_collection_interval_sec"] = t.ConsumerGroupLagIntervalSec
	}
	if t.Brokers >= 3 {
		cfg["default_topic_replications"] = 3
	}
	if t.Resources.DiskSizeBytes > 0 {
		cfg["storage_min_free_bytes"] = StorageMinFreeBytes(t.Resources.DiskSizeBytes)
	}
	if t.rackAware() {
		cfg["enable_rack_awareness"] = true
	}
	for k, v := range t.ExtraClusterConfig {
		cfg[k] = v
	}
	return cfg
}

// RenderStandaloneBootstrapYAML is the bootstrap file of a cluster nothing
// reconciles afterwards (a Compose file started with `docker compose up`):
// BootstrapConfig, ClusterProperties and then declared, merged in that
// order, so the properties hold from formation since no ClusterConfig will
// write them later.
func RenderStandaloneBootstrapYAML(args Args, declared map[string]any) (string, error) {
	t := args.withDefaults().Topology()
	cfg := BootstrapConfig(t)
	for k, v := range ClusterProperties(t) {
		cfg[k] = v
	}
	for k, v := range declared {
		cfg[k] = v
	}
	return encodeYAML(cfg)
}

func encodeYAML(cfg map[string]any) (string, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(cfg); err != nil {
		return "", fmt.Errorf("render bootstrap yaml: %w", err)
	}
	if err := enc.Close(); err != nil {
		return "", fmt.Errorf("render bootstrap yaml: %w", err)
	}
	return buf.String(), nil
}

// RenderBootstrapYAML renders BootstrapConfig as the .bootstrap.yaml file.
// Keys come out sorted, so the file is stable across runs.
//
// Redpanda reads the file only while the cluster has no config yet: once
// the data volume holds a cluster, editing it changes nothing (the chart
// has the same limit with retained PVCs).
func RenderBootstrapYAML(t Topology) (string, error) {
	return encodeYAML(BootstrapConfig(t))
}
