package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// errTopicNotFound marks a topic the cluster does not know.
var errTopicNotFound = errors.New("topic not found")

// observedTopic is a topic as the cluster reports it.
type observedTopic struct {
	ID                string
	Partitions        int
	ReplicationFactor int
	// Replicas per partition, for reassignment.
	Assignment map[int32][]int32
	// Config holds every non-default entry: keys set on the topic and keys set on the broker.
	Config map[string]ConfigValue
}

// brokerError joins a Kafka error code with the broker's own explanation, which is where
// policy violations and invalid-config reasons are spelled out.
func brokerError(err error, msg string) error {
	if err == nil {
		return nil
	}
	if msg != "" {
		return fmt.Errorf("%w: %s", err, msg)
	}
	return err
}

// uncached makes kadm send a real Metadata request instead of answering from franz-go's
// metadata cache (kept for MetadataMinAge, 5 s): right after a create or delete the cache
// still holds the old answer. kadm bypasses the cache whenever authorized operations are
// asked for; that is the only documented way to force a fresh read.
func uncached(ctx context.Context) context.Context { return kadm.WithAuthorizedOps(ctx) }

// describeTopic reads partitions, replicas and config of one topic.
func describeTopic(ctx context.Context, adm *kadm.Client, name string) (observedTopic, error) {
	tds, err := adm.ListTopics(uncached(ctx), name)
	if err != nil {
		return observedTopic{}, fmt.Errorf("reading metadata of topic %q: %w", name, err)
	}
	td, ok := tds[name]
	if !ok || errors.Is(td.Err, kerr.UnknownTopicOrPartition) {
		return observedTopic{}, errTopicNotFound
	}
	if td.Err != nil {
		return observedTopic{}, fmt.Errorf("reading metadata of topic %q: %w", name, td.Err)
	}
	obs := observedTopic{
		ID:                td.ID.String(),
		Partitions:        len(td.Partitions),
		ReplicationFactor: td.Partitions.NumReplicas(),
		Assignment:        map[int32][]int32{},
	}
	for p, pd := range td.Partitions {
		obs.Assignment[p] = append([]int32(nil), pd.Replicas...)
	}
	rcs, err := adm.DescribeTopicConfigs(ctx, name)
	if err != nil {
		return observedTopic{}, fmt.Errorf("reading config of topic %q: %w", name, err)
	}
	rc, err := rcs.On(name, nil)
	if err != nil {
		return observedTopic{}, fmt.Errorf("reading config of topic %q: %w", name, err)
	}
	if rc.Err != nil {
		if errors.Is(rc.Err, kerr.UnknownTopicOrPartition) {
			return observedTopic{}, errTopicNotFound
		}
		return observedTopic{}, fmt.Errorf("reading config of topic %q: %w", name, brokerError(rc.Err, rc.ErrMessage))
	}
	obs.Config = map[string]ConfigValue{}
	for _, c := range rc.Configs {
		if c.Value == nil || c.Source == kmsg.ConfigSourceDefaultConfig {
			continue
		}
		obs.Config[c.Key] = ConfigValue{Value: *c.Value, Source: configSourceName(c.Source)}
	}
	return obs, nil
}

// configSourceName renders a config source the way Kafka's tools print it.
func configSourceName(s kmsg.ConfigSource) string {
	switch s {
	case kmsg.ConfigSourceDynamicTopicConfig:
		return "DYNAMIC_TOPIC_CONFIG"
	case kmsg.ConfigSourceDynamicBrokerConfig:
		return "DYNAMIC_BROKER_CONFIG"
	case kmsg.ConfigSourceDynamicDefaultBrokerConfig:
		return "DYNAMIC_DEFAULT_BROKER_CONFIG"
	case kmsg.ConfigSourceStaticBrokerConfig:
		return "STATIC_BROKER_CONFIG"
	case kmsg.ConfigSourceDefaultConfig:
		return "DEFAULT_CONFIG"
	default:
		return s.String()
	}
}

// isTopicLevel reports whether a config entry was set on the topic itself.
func (v ConfigValue) isTopicLevel() bool { return v.Source == "DYNAMIC_TOPIC_CONFIG" }

func stringPtrs(m map[string]string) map[string]*string {
	out := make(map[string]*string, len(m))
	for k, v := range m {
		out[k] = kadm.StringPtr(v)
	}
	return out
}

// createTopic creates the topic, or with validateOnly asks the broker whether it would.
// Retriable broker errors are retried. A broker may answer REQUEST_TIMED_OUT and still
// create the topic; a retry then meets TOPIC_ALREADY_EXISTS, and a topic of the requested
// shape is taken as the one the earlier attempt created (Create checked that it did not
// exist before).
func createTopic(ctx context.Context, adm *kadm.Client, a TopicArgs, validateOnly bool) (string, error) {
	create := adm.CreateTopics
	if validateOnly {
		create = adm.ValidateCreateTopics
	}
	var r kadm.CreateTopicResponse
	retried := false
	err := retryRetriable(ctx, func() error {
		resps, err := create(ctx, int32(a.Partitions), int16(a.ReplicationFactor), stringPtrs(a.Config), a.Name)
		if err != nil {
			return err
		}
		var ok bool
		if r, ok = resps[a.Name]; !ok {
			return errors.New("the broker did not answer for this topic")
		}
		if kerr.IsRetriable(r.Err) {
			retried = true
		}
		return brokerError(r.Err, r.ErrMessage)
	})
	if errors.Is(err, kerr.TopicAlreadyExists) && retried && !validateOnly {
		if obs, derr := describeTopic(ctx, adm, a.Name); derr == nil &&
			obs.Partitions == a.Partitions && obs.ReplicationFactor == a.ReplicationFactor {
			return obs.ID, nil
		}
	}
	if errors.Is(err, kerr.TopicAlreadyExists) {
		return "", fmt.Errorf("topic %q already exists on the cluster and is not managed by this stack: "+
			"import it with `pulumi import marketbus:index:Topic <resource-name> %s` instead of creating it", a.Name, a.Name)
	}
	if err != nil {
		return "", fmt.Errorf("creating topic %q: %w", a.Name, err)
	}
	return r.ID.String(), nil
}

// perBrokerMetadata asks every broker, not just one, what it knows of the topic: metadata
// propagates asynchronously, and a topic that one broker lists may still be unknown to (or
// already deleted on) another. It returns each broker's view: the partitions with a leader,
// or -1 when that broker does not know the topic.
func perBrokerMetadata(ctx context.Context, cl *kgo.Client, adm *kadm.Client, name string) (map[int32]int, error) {
	ids, err := brokerIDs(ctx, adm)
	if err != nil {
		return nil, err
	}
	views := map[int32]int{}
	for _, id := range ids {
		req := kmsg.NewPtrMetadataRequest()
		rt := kmsg.NewMetadataRequestTopic()
		rt.Topic = kmsg.StringPtr(name)
		req.Topics = append(req.Topics, rt)
		resp, err := req.RequestWith(ctx, cl.Broker(int(id)))
		if err != nil {
			return nil, fmt.Errorf("asking broker %d about topic %q: %w", id, name, err)
		}
		views[id] = -1
		for _, t := range resp.Topics {
			if t.Topic == nil || *t.Topic != name || t.ErrorCode != 0 {
				continue
			}
			led := 0
			for _, p := range t.Partitions {
				if p.Leader >= 0 && p.ErrorCode == 0 {
					led++
				}
			}
			views[id] = led
		}
	}
	return views, nil
}

// waitTopicReady waits until every broker lists every partition of the topic with a leader,
// so the resource is only recorded as created once any client can use it.
func waitTopicReady(ctx context.Context, c *connection, name string, partitions int, timeout time.Duration) error {
	return waitFor(ctx, timeout, fmt.Sprintf("every broker to list topic %q with %d led partitions", name, partitions), func(ctx context.Context) (bool, error) {
		views, err := perBrokerMetadata(ctx, c.cl, c.adm, name)
		if err != nil {
			return false, nil
		}
		for _, led := range views {
			if led < partitions {
				return false, nil
			}
		}
		return true, nil
	})
}

// deleteTopic deletes the topic and waits until no broker lists it any more, because
// Kafka deletes asynchronously and an immediate re-create would fail with "already exists".
func deleteTopic(ctx context.Context, c *connection, name string, timeout time.Duration) error {
	r, err := c.adm.DeleteTopic(ctx, name)
	if err != nil && !errors.Is(err, kerr.UnknownTopicOrPartition) {
		return fmt.Errorf("deleting topic %q: %w", name, brokerError(err, r.ErrMessage))
	}
	return waitFor(ctx, timeout, fmt.Sprintf("topic %q to be gone from every broker", name), func(ctx context.Context) (bool, error) {
		views, err := perBrokerMetadata(ctx, c.cl, c.adm, name)
		if err != nil {
			return false, nil
		}
		for _, led := range views {
			if led >= 0 {
				return false, nil
			}
		}
		return true, nil
	})
}

// alterConfig applies set and delete operations incrementally; validateOnly asks the broker
// to check them without applying.
func alterConfig(ctx context.Context, adm *kadm.Client, name string, ops []kadm.AlterConfig, validateOnly bool) error {
	if len(ops) == 0 {
		return nil
	}
	alter := adm.AlterTopicConfigs
	if validateOnly {
		alter = adm.ValidateAlterTopicConfigs
	}
	// Set and delete operations are idempotent, so retrying a retriable error is safe even
	// when the broker applied the first attempt.
	err := retryRetriable(ctx, func() error {
		resps, err := alter(ctx, ops, name)
		if err != nil {
			return err
		}
		for _, r := range resps {
			if r.Err != nil {
				return brokerError(r.Err, r.ErrMessage)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("altering config of topic %q: %w", name, err)
	}
	return nil
}

// addPartitions raises the partition count to n.
func addPartitions(ctx context.Context, adm *kadm.Client, name string, n int, validateOnly bool) error {
	update := adm.UpdatePartitions
	if validateOnly {
		update = adm.ValidateUpdatePartitions
	}
	resps, err := update(ctx, n, name)
	if err != nil {
		return fmt.Errorf("raising partitions of topic %q to %d: %w", name, n, err)
	}
	if r, ok := resps[name]; ok && r.Err != nil {
		return fmt.Errorf("raising partitions of topic %q to %d: %w", name, n, brokerError(r.Err, r.ErrMessage))
	}
	return nil
}

// brokerIDs lists the ids of the live brokers, sorted.
func brokerIDs(ctx context.Context, adm *kadm.Client) ([]int32, error) {
	bs, err := adm.ListBrokers(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing brokers: %w", err)
	}
	ids := make([]int32, 0, len(bs))
	for _, b := range bs {
		ids = append(ids, b.NodeID)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids, nil
}

// planReassignment returns the new replica list of every partition for replication factor
// rf. Existing replicas are kept in order (the first is the preferred leader), extra
// replicas are spread round-robin over the other brokers so load stays balanced.
func planReassignment(current map[int32][]int32, brokers []int32, rf int) (map[int32][]int32, error) {
	if rf > len(brokers) {
		return nil, fmt.Errorf("replication factor %d needs at least %d brokers, the cluster has %d", rf, rf, len(brokers))
	}
	parts := make([]int32, 0, len(current))
	for p := range current {
		parts = append(parts, p)
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i] < parts[j] })
	plan := map[int32][]int32{}
	for _, p := range parts {
		reps := append([]int32(nil), current[p]...)
		if len(reps) > rf {
			reps = reps[:rf]
		}
		next := int(p)
		for len(reps) < rf {
			b := brokers[next%len(brokers)]
			next++
			if !containsID(reps, b) {
				reps = append(reps, b)
			}
		}
		plan[p] = reps
	}
	return plan, nil
}

func containsID(ids []int32, id int32) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// changeReplicationFactor reassigns every partition to rf replicas and waits until the
// cluster reports the reassignment finished.
func changeReplicationFactor(ctx context.Context, adm *kadm.Client, name string, current map[int32][]int32, rf int, timeout time.Duration) error {
	brokers, err := brokerIDs(ctx, adm)
	if err != nil {
		return err
	}
	plan, err := planReassignment(current, brokers, rf)
	if err != nil {
		return fmt.Errorf("changing replication factor of topic %q: %w", name, err)
	}
	var req kadm.AlterPartitionAssignmentsReq
	for p, reps := range plan {
		req.Assign(name, p, reps)
	}
	resps, err := adm.AlterPartitionAssignments(ctx, req)
	if err != nil {
		if errors.Is(err, kerr.UnsupportedVersion) {
			return fmt.Errorf("changing replication factor of topic %q: this cluster does not support partition reassignment (Kafka API keys 45/46); "+
				"create a new topic with the wanted replication factor and move producers to it: %w", name, err)
		}
		return fmt.Errorf("changing replication factor of topic %q: %w", name, err)
	}
	if err := resps.Error(); err != nil {
		return fmt.Errorf("changing replication factor of topic %q: %w", name, err)
	}
	return waitFor(ctx, timeout, fmt.Sprintf("reassignment of topic %q to finish", name), func(ctx context.Context) (bool, error) {
		ls, err := adm.ListPartitionReassignments(ctx, kadm.TopicsSet{name: {}})
		if err != nil {
			return false, nil
		}
		if len(ls) > 0 {
			return false, nil
		}
		obs, err := describeTopic(ctx, adm, name)
		return err == nil && obs.ReplicationFactor == rf, nil
	})
}
