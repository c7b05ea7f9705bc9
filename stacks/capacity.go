package stacks

import (
	"fmt"

	"github.com/marketbus/market-bus/capacity"
)

// CapacityReport estimates the disk each broker needs for what the topics (and the gate's
// topic) retain at the gate's certified rate and message size, against cluster.storageSize.
// It reports false when there is nothing to compare: an external cluster or a docker volume
// without a size, or a gate without a throughput threshold.
func (s Spec) CapacityReport() (capacity.Report, bool) {
	disk := s.Cluster.StorageSize.Bytes()
	if disk <= 0 || s.Gate.MinThroughputMsgPerSec <= 0 || s.Gate.MessageSize <= 0 {
		return capacity.Report{}, false
	}
	topics := make([]capacity.Topic, 0, len(s.Topics)+1)
	for _, t := range s.Topics {
		topics = append(topics, capacity.Topic{Name: t.Name, Partitions: t.Partitions, ReplicationFactor: t.ReplicationFactor, Config: t.Config})
	}
	if s.Gate.IsEnabled() {
		g := s.GateTopic()
		topics = append(topics, capacity.Topic{Name: g.Name, Partitions: g.Partitions, ReplicationFactor: g.ReplicationFactor, Config: g.Config})
	}
	return capacity.Estimate(capacity.Cluster{Brokers: s.Cluster.Brokers, DiskBytes: disk},
		capacity.Load{MsgPerSec: s.Gate.MinThroughputMsgPerSec, MessageBytes: s.Gate.MessageSize}, topics), true
}

// CapacityWarning is the preview warning of a stack whose topics outgrow the brokers'
// volumes, naming the numbers and the fixes; empty when they fit or cannot be judged.
// On production the policy pack's topic-capacity rule fails the same stack.
func (s Spec) CapacityWarning() string {
	rep, ok := s.CapacityReport()
	if !ok || !rep.Exceeds() {
		return ""
	}
	keyOf := func(topic string) string {
		for i, t := range s.Topics {
			if t.Name == topic {
				return fmt.Sprintf("%s:%s[%d]", Project, KeyTopics, i)
			}
		}
		return fmt.Sprintf("%s:%s (the gate's topic %q)", Project, KeyGate, topic)
	}
	return "disk capacity: " + rep.Problem(Project+":cluster.storageSize", keyOf)
}
