package stacks

import (
	"fmt"
	"strconv"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/marketbus/market-bus/fielderr"
	"github.com/marketbus/market-bus/sdk/go/marketbus"
	"github.com/marketbus/market-bus/topicrules"
)

// Retention of the gate's topic: the records are only read once, by the gate's own
// consumers within seconds. An hour (the policy pack's floor) leaves time to inspect a failed
// run; retention.bytes caps each partition at 256 MiB so the topic never takes disk from the
// data topics. Its partitions start together and fill at the same even rate, so they also
// roll their segments together: on the local brokers (16 MiB segments) all 36 replicas
// rolled within a second every ~30 s at 20k msg/s, and p99 on a topic with 1 GiB segments
// was 31-38 ms against 51-60 ms. 64 MiB segments roll a quarter as often and still leave
// retention.bytes four segments to delete.
const (
	gateRetentionMs    = "3600000"
	gateRetentionBytes = "268435456"
	gateSegmentBytes   = "67108864"
)

// GateTopic is the Topic the stack manages for the latency gate: partitions and replication
// from the gate config, short retention, no deletion protection (its records are
// disposable), and a partition or replication decrease applied rather than refused.
func (s Spec) GateTopic() TopicSpec {
	g := s.Gate
	off := false
	return TopicSpec{
		Name: g.Topic, Partitions: g.Partitions, ReplicationFactor: g.ReplicationFactor,
		Config: map[string]string{
			"retention.ms": gateRetentionMs, "retention.bytes": gateRetentionBytes, "segment.bytes": gateSegmentBytes,
			"cleanup.policy":      "delete",
			"min.insync.replicas": strconv.Itoa(min(2, max(g.ReplicationFactor, 1))),
		},
		DeletionProtection: &off, OnPartitionDecrease: "replace", OnReplicationDecrease: "allow",
	}
}

// validateGateTopic refuses a gate topic that is also a managed data topic: the gate would
// write benchmark records into it and the stack would own it twice.
func (s Spec) validateGateTopic() []error {
	var errs []error
	g := s.Gate
	if g.Topic == "" {
		return append(errs, fielderr.New(Key(KeyGate+".topic"), `""`, "the gate needs a topic of its own", "name it (default market-bus-gate)"))
	}
	for i, t := range s.Topics {
		if t.Name == g.Topic {
			errs = append(errs, fielderr.New(Key(KeyGate+".topic"), strconv.Quote(g.Topic),
				fmt.Sprintf("it is also %s: the gate writes benchmark records into its topic and the stack deletes it with the gate",
					Key(fmt.Sprintf("%s[%d].name", KeyTopics, i))),
				"give the gate a topic of its own (default market-bus-gate)"))
		}
	}
	switch {
	case g.ReplicationFactor < 1:
		errs = append(errs, fielderr.New(Key(KeyGate+".replicationFactor"), g.ReplicationFactor, "a topic needs at least 1 replica",
			"use at least 1 (0 or unset takes min(3, brokers))"))
	case s.Cluster.Brokers >= 1 && g.ReplicationFactor > s.Cluster.Brokers:
		errs = append(errs, fielderr.New(Key(KeyGate+".replicationFactor"), g.ReplicationFactor,
			fmt.Sprintf("more than the %d broker(s) of the cluster", s.Cluster.Brokers), fmt.Sprintf("lower it to at most %d", s.Cluster.Brokers)))
	}
	if fe := topicrules.ValidateName(g.Topic); fe != nil {
		// The rule's field is the topic's own "name"; here the name is the gate's topic key.
		errs = append(errs, fielderr.New(Key(KeyGate+".topic"), fe.Value, fe.Problem, fe.Fix))
	}
	return errs
}

// deployGateTopic registers the gate's topic; replaceUnmanaged adopts the topic earlier
// versions let the gate create by itself (its records are disposable).
func deployGateTopic(ctx *pulumi.Context, s Spec, prov pulumi.ProviderResource, deps []pulumi.Resource) (*marketbus.Topic, error) {
	args := topicArgs(s.GateTopic())
	args.ReplaceUnmanaged = pulumi.BoolPtr(true)
	t, err := marketbus.NewTopic(ctx, "gate-topic", args, pulumi.Provider(prov), pulumi.DependsOn(deps))
	if err != nil {
		return nil, fmt.Errorf("registering the gate's topic %q: %w", s.Gate.Topic, err)
	}
	return t, nil
}
