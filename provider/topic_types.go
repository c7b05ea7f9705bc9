package provider

import (
	"github.com/pulumi/pulumi-go-provider/infer"

	"github.com/marketbus/market-bus/topicrules"
)

// Topic is a Kafka topic on the configured cluster, managed through the Kafka admin API.
type Topic struct{}

// Values accepted by TopicArgs.OnPartitionDecrease.
const (
	PartitionDecreaseError   = topicrules.PartitionDecreaseError
	PartitionDecreaseReplace = topicrules.PartitionDecreaseReplace
)

// Values accepted by TopicArgs.OnReplicationDecrease.
const (
	ReplicationDecreaseError = topicrules.ReplicationDecreaseError
	ReplicationDecreaseAllow = topicrules.ReplicationDecreaseAllow
)

// TopicArgs are the inputs of a Topic.
type TopicArgs struct {
	Name              string            `pulumi:"name"`
	Partitions        int               `pulumi:"partitions"`
	ReplicationFactor int               `pulumi:"replicationFactor"`
	Config            map[string]string `pulumi:"config,optional"`
	// Pointers keep "not set" apart from "false" so defaults apply only when the user said nothing.
	DeletionProtection    *bool   `pulumi:"deletionProtection,optional"`
	OnPartitionDecrease   *string `pulumi:"onPartitionDecrease,optional"`
	OnReplicationDecrease *string `pulumi:"onReplicationDecrease,optional"`
	StrictConfig          *bool   `pulumi:"strictConfig,optional"`
	// ReplaceUnmanaged adopts a scratch topic left by an earlier owner by recreating it.
	ReplaceUnmanaged *bool `pulumi:"replaceUnmanaged,optional"`
}

// TopicState is what a Topic records in state: its inputs plus what the broker reports.
type TopicState struct {
	TopicArgs
	TopicID string `pulumi:"topicId"`
	// EffectiveConfig holds the owned keys and every key set on the topic itself, each with
	// the source the broker reports; broker and cluster defaults are never stored.
	EffectiveConfig map[string]ConfigValue `pulumi:"effectiveConfig"`
}

// ConfigValue is one topic configuration entry as the broker reports it.
type ConfigValue struct {
	Value  string `pulumi:"value"`
	Source string `pulumi:"source"`
}

// Annotate documents the resource.
func (t *Topic) Annotate(a infer.Annotator) {
	a.Describe(t, "A Kafka topic. Partition increases, replication-factor changes and config edits "+
		"are applied in place; partition and replication-factor decreases and deletes are refused unless explicitly allowed.")
}

// Annotate documents the inputs.
func (t *TopicArgs) Annotate(a infer.Annotator) {
	a.Describe(&t.Name, "Topic name. Changing it replaces the topic.")
	a.Describe(&t.Partitions, "Number of partitions. Increases are applied in place.")
	a.Describe(&t.ReplicationFactor, "Replicas per partition. Changes are applied by partition reassignment; a decrease is refused unless onReplicationDecrease is 'allow'.")
	a.Describe(&t.Config, "Topic configuration. Only keys listed here (and keys removed from here) are managed.")
	a.Describe(&t.DeletionProtection, "Refuse to delete (or replace) the topic while true.")
	a.SetDefault(&t.DeletionProtection, true)
	a.Describe(&t.OnPartitionDecrease, "What a lower partition count does: 'error' (refuse) or 'replace' (delete and recreate: all data is lost).")
	a.SetDefault(&t.OnPartitionDecrease, PartitionDecreaseError)
	a.Describe(&t.OnReplicationDecrease, "What a lower replicationFactor does: 'error' (refuse: each partition would lose replicas and the "+
		"topic would survive fewer broker failures) or 'allow' (remove the replicas by reassignment).")
	a.SetDefault(&t.OnReplicationDecrease, ReplicationDecreaseError)
	a.Describe(&t.ReplaceUnmanaged, "When true and a topic of this name already exists outside the stack at create, it is deleted "+
		"and created as declared (its data is lost). Only for topics whose data is disposable, such as the latency gate's.")
	a.SetDefault(&t.ReplaceUnmanaged, false)
	a.Describe(&t.StrictConfig, "When true, topic-level keys set outside Pulumi are removed; when false they are left alone.")
	a.SetDefault(&t.StrictConfig, false)
}

// Annotate documents the outputs.
func (t *TopicState) Annotate(a infer.Annotator) {
	a.Describe(&t.TopicID, "The topic's UUID as the cluster reports it.")
	a.Describe(&t.EffectiveConfig, "Owned and topic-level config entries with the source of each value.")
}

func (a TopicArgs) deletionProtected() bool {
	return a.DeletionProtection == nil || *a.DeletionProtection
}

func (a TopicArgs) replaceUnmanaged() bool { return a.ReplaceUnmanaged != nil && *a.ReplaceUnmanaged }

func (a TopicArgs) strict() bool { return a.StrictConfig != nil && *a.StrictConfig }

func (a TopicArgs) decreaseMode() string {
	if a.OnPartitionDecrease == nil || *a.OnPartitionDecrease == "" {
		return PartitionDecreaseError
	}
	return *a.OnPartitionDecrease
}

func (a TopicArgs) replicationDecreaseMode() string {
	if a.OnReplicationDecrease == nil || *a.OnReplicationDecrease == "" {
		return ReplicationDecreaseError
	}
	return *a.OnReplicationDecrease
}
