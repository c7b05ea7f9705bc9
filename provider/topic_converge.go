package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Every broker answers metadata and config requests from its own copy of the cluster
// metadata, which trails the controller by a little. A change is only done when every
// broker reports it: otherwise the state recorded right after an update (or the next
// read by any client) can still show the old value and cause a diff.

// brokerTopicConfig asks one broker for the topic-level value of each key (nil when the key
// is not set on the topic).
func brokerTopicConfig(ctx context.Context, c *connection, broker int32, topic string, keys []string) (map[string]*string, error) {
	req := kmsg.NewPtrDescribeConfigsRequest()
	res := kmsg.NewDescribeConfigsRequestResource()
	res.ResourceType = kmsg.ConfigResourceTypeTopic
	res.ResourceName = topic
	res.ConfigNames = keys
	req.Resources = append(req.Resources, res)
	resp, err := req.RequestWith(ctx, c.cl.Broker(int(broker)))
	if err != nil {
		return nil, err
	}
	out := map[string]*string{}
	for _, r := range resp.Resources {
		if r.ErrorCode != 0 {
			return nil, fmt.Errorf("broker %d: config of topic %q: error code %d", broker, topic, r.ErrorCode)
		}
		for _, e := range r.Configs {
			if e.Source == kmsg.ConfigSourceDynamicTopicConfig {
				out[e.Name] = e.Value
			}
		}
	}
	return out, nil
}

// waitConfigApplied waits until every broker reports the topic-level values the ops set
// and no longer reports the keys they deleted.
func waitConfigApplied(ctx context.Context, c *connection, topic string, ops []kadm.AlterConfig, timeout time.Duration) error {
	if len(ops) == 0 {
		return nil
	}
	keys := make([]string, len(ops))
	for i, o := range ops {
		keys[i] = o.Name
	}
	return waitFor(ctx, timeout, fmt.Sprintf("every broker to report the new config of topic %q", topic), func(ctx context.Context) (bool, error) {
		ids, err := brokerIDs(ctx, c.adm)
		if err != nil {
			return false, nil
		}
		for _, id := range ids {
			got, err := brokerTopicConfig(ctx, c, id, topic, keys)
			if err != nil {
				return false, nil
			}
			for _, o := range ops {
				v, set := got[o.Name]
				switch o.Op {
				case kadm.SetConfig:
					if !set || v == nil || o.Value == nil || *v != *o.Value {
						return false, nil
					}
				case kadm.DeleteConfig:
					if set {
						return false, nil
					}
				}
			}
		}
		return true, nil
	})
}

// waitReplicationFactor waits until every broker lists every partition with rf replicas.
func waitReplicationFactor(ctx context.Context, c *connection, topic string, rf int, timeout time.Duration) error {
	return waitFor(ctx, timeout, fmt.Sprintf("every broker to list topic %q with replication factor %d", topic, rf), func(ctx context.Context) (bool, error) {
		ids, err := brokerIDs(ctx, c.adm)
		if err != nil {
			return false, nil
		}
		for _, id := range ids {
			req := kmsg.NewPtrMetadataRequest()
			rt := kmsg.NewMetadataRequestTopic()
			rt.Topic = kmsg.StringPtr(topic)
			req.Topics = append(req.Topics, rt)
			resp, err := req.RequestWith(ctx, c.cl.Broker(int(id)))
			if err != nil || len(resp.Topics) != 1 || resp.Topics[0].ErrorCode != 0 {
				return false, nil
			}
			for _, p := range resp.Topics[0].Partitions {
				if len(p.Replicas) != rf {
					return false, nil
				}
			}
		}
		return true, nil
	})
}
