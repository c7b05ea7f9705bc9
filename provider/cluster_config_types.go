package provider

import (
	"github.com/pulumi/pulumi-go-provider/infer"
)

// ClusterConfig owns a set of cluster-wide properties, the way Topic owns a topic's config
// keys: only the declared keys are written, keys set by anyone else are never touched, and a
// key removed from the declaration (or the whole resource destroyed) is reset to the
// cluster's default. Two APIs reach the same idea:
//
//   - kafka: Kafka's cluster-wide dynamic broker config, IncrementalAlterConfigs on the
//     default BROKER resource (the entity kafka-configs calls --entity-default). Real on the
//     local Apache Kafka stack; a key only a broker restart would apply is refused.
//   - redpanda-admin: Redpanda's central config through its admin API, PUT /v1/cluster_config
//     with upsert/remove, then GET /v1/cluster_config/status until every broker runs the new
//     config_version; a property Redpanda applies only at restart is reported in restartBrokers.
type ClusterConfig struct{}

// The APIs a ClusterConfig writes through.
const (
	ConfigAPIKafka         = "kafka"
	ConfigAPIRedpandaAdmin = "redpanda-admin"
)

// ClusterConfigArgs are the inputs of a ClusterConfig.
type ClusterConfigArgs struct {
	// Properties are the owned keys. Kafka values are written as kafka-configs takes them;
	// Redpanda values are JSON (true, 60, ["a","b"]), and text that is not JSON is a string.
	Properties map[string]string `pulumi:"properties"`
	API        *string           `pulumi:"api,optional"`
	// AdminURLs are the Redpanda admin API base URLs (redpanda-admin only).
	AdminURLs []string `pulumi:"adminUrls,optional"`
	// AdminPath says how AdminURLs reach the admin API, so an error names the path tried.
	AdminPath      *string `pulumi:"adminPath,optional"`
	TimeoutSeconds *int    `pulumi:"timeoutSeconds,optional"`
}

// ClusterConfigState is what a ClusterConfig records: its inputs and what the cluster reported.
type ClusterConfigState struct {
	ClusterConfigArgs
	// ConfigVersion is Redpanda's config_version after the last write; 0 for kafka.
	ConfigVersion int `pulumi:"configVersion"`
	// RestartBrokers are the brokers that report restart: true (redpanda-admin).
	RestartBrokers []int `pulumi:"restartBrokers"`
}

// Annotate documents the resource.
func (c *ClusterConfig) Annotate(a infer.Annotator) {
	a.Describe(c, "Cluster-wide properties owned by the stack: undeclared keys are never touched, a key removed "+
		"from properties is reset to its default. api 'kafka' writes Kafka's cluster-wide dynamic broker config "+
		"(IncrementalAlterConfigs on the default BROKER resource); 'redpanda-admin' writes Redpanda's central "+
		"config through the admin API and waits until every broker applied it. Preview validates every key with "+
		"the cluster (validate-only / dry_run) and fails on an unknown property or a bad value.")
}

// Annotate documents the inputs.
func (c *ClusterConfigArgs) Annotate(a infer.Annotator) {
	a.Describe(&c.Properties, "The owned properties. kafka: Kafka broker config names and values as kafka-configs "+
		"takes them (message.max.bytes: \"2097152\"). redpanda-admin: Redpanda property names with JSON values "+
		"(enable_consumer_group_metrics: '[\"group\",\"partition\"]'); a value that is not JSON is sent as a string.")
	a.Describe(&c.API, "'kafka' (the provider's Kafka connection) or 'redpanda-admin' (adminUrls).")
	a.SetDefault(&c.API, ConfigAPIKafka)
	a.Describe(&c.AdminURLs, "Redpanda admin API base URLs, tried in order; TLS and basic auth come from the provider's tls and sasl settings.")
	a.Describe(&c.AdminPath, "How adminUrls reach the admin API (e.g. 'the external admin listener'); named in errors.")
	a.Describe(&c.TimeoutSeconds, "How long to wait until every broker applied the change.")
	a.SetDefault(&c.TimeoutSeconds, 120)
}

// Annotate documents the outputs.
func (c *ClusterConfigState) Annotate(a infer.Annotator) {
	a.Describe(&c.ConfigVersion, "Redpanda's config_version after the last change (0 for api 'kafka').")
	a.Describe(&c.RestartBrokers, "Brokers that need a restart before a changed property takes effect (Redpanda's restart: true).")
}

func (a ClusterConfigArgs) api() string { return deref(a.API, ConfigAPIKafka) }

func (a ClusterConfigArgs) adminPath() string {
	return deref(a.AdminPath, "adminUrls as given")
}
