package guardrails

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/marketbus/market-bus/capacity"
)

// topicCapacity: at the rate the gate certifies, what the topics retain fits on the brokers'
// volumes. Redpanda stops accepting writes when a volume runs out, so an undersized
// retention is an outage on a timer (7 days of market-telemetry at 100,000 msg/s fills a
// 50 GiB volume in about 35 minutes).
//
// It reads the broker count and volume size from the Redpanda StatefulSet (replicas and
// its volumeClaimTemplates' storage request), the load from the LatencyGate
// (minThroughputMsgPerSec × messageSize) and every Topic; a stack without one of them (an
// external cluster, a docker volume without a size, a disabled gate) is not judged.
func topicCapacity() definition {
	return definition{
		name: "topic-capacity",
		description: "On production, what the topics retain at the latency gate's certified rate (retention.ms or retention.bytes, " +
			"partitions, replicationFactor) fits in 80 % of each broker's volume.",
		prodOnly: true,
		checkStack: func(_ Options, rs []policyx.AnalyzerResource) []finding {
			cluster, ok := brokerVolumes(rs)
			if !ok {
				return nil
			}
			var load capacity.Load
			var topics []capacity.Topic
			urns := map[string]string{}
			for _, r := range rs {
				switch r.Type {
				case typeLatencyGate:
					if on, ok := boolean(r.Properties.Get("enabled")); ok && !on {
						continue
					}
					rate, ok1 := num(r.Properties.Get("minThroughputMsgPerSec"))
					size, ok2 := num(r.Properties.Get("messageSize"))
					if !ok1 {
						continue
					}
					if !ok2 {
						size = 256 // the gate's default message size
					}
					load = capacity.Load{MsgPerSec: rate, MessageBytes: int(size)}
				case typeTopic:
					name, ok1 := str(r.Properties.Get("name"))
					parts, ok2 := num(r.Properties.Get("partitions"))
					rf, ok3 := num(r.Properties.Get("replicationFactor"))
					conf := r.Properties.Get("config")
					if !ok1 || !ok2 || !ok3 || conf.IsComputed() {
						return nil // an unknown shape could be anything: judge nothing
					}
					topics = append(topics, capacity.Topic{Name: name, Partitions: int(parts), ReplicationFactor: int(rf), Config: stringMap(conf)})
					urns[name] = r.URN
				}
			}
			if load.MsgPerSec <= 0 || len(topics) == 0 {
				return nil
			}
			rep := capacity.Estimate(cluster, load, topics)
			if !rep.Exceeds() {
				return nil
			}
			msg := rep.Problem("the brokers' storage request (market-bus:cluster.storageSize)",
				func(topic string) string { return fmt.Sprintf("the topic %q (market-bus:topics)", topic) })
			return []finding{{urns[rep.Topics[0].Name], "topic capacity: " + msg}}
		},
	}
}

// brokerVolumes finds the Redpanda StatefulSet's replica count and the largest storage
// request of its volumeClaimTemplates (the data volume).
func brokerVolumes(rs []policyx.AnalyzerResource) (capacity.Cluster, bool) {
	for _, r := range rs {
		if r.Type != typeStatefulSet || !isRedpandaWorkload(r) {
			continue
		}
		replicas, ok := num(at(r.Properties, "spec", "replicas"))
		if !ok || replicas < 1 {
			return capacity.Cluster{}, false
		}
		var disk int64
		for _, t := range items(at(r.Properties, "spec", "volumeClaimTemplates")) {
			if !t.IsMap() {
				continue
			}
			if b, ok := parseQuantity(stringOr(at(t.AsMap(), "spec", "resources", "requests", "storage"))); ok && int64(b) > disk {
				disk = int64(b)
			}
		}
		if disk == 0 {
			return capacity.Cluster{}, false
		}
		return capacity.Cluster{Brokers: int(replicas), DiskBytes: disk}, true
	}
	return capacity.Cluster{}, false
}
