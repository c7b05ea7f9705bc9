package stacks

import (
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
)

var topicNameRE = regexp.MustCompile(`^[a-zA-Z0-9._-]+$`)

// integerTopicKeys are topic settings whose value must be a whole number.
var integerTopicKeys = []string{
	"retention.ms", "retention.bytes", "segment.bytes", "segment.ms", "max.message.bytes",
	"min.insync.replicas", "delete.retention.ms", "min.compaction.lag.ms", "max.compaction.lag.ms",
}

// validate checks the whole Spec and returns every problem found; hasPassword says whether
// the secret saslPassword is set.
func (s Spec) validate(hasPassword bool) []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	c := s.Cluster
	key := Key

	errs = append(errs, s.validateClusterKeys(hasPassword)...)

	seen := map[string]int{}
	for i, t := range s.Topics {
		errs = append(errs, t.validate(fmt.Sprintf("%s[%d]", key(KeyTopics), i), c.Brokers)...)
		if j, dup := seen[t.Name]; dup && t.Name != "" {
			add("%s[%d].name = %q duplicates %s[%d]: every topic name must be unique, remove or rename one", key(KeyTopics), i, t.Name, key(KeyTopics), j)
		}
		seen[t.Name] = i
	}

	g := s.Gate
	for _, f := range []struct {
		name string
		v    float64
	}{{"maxAvgLatencyMs", g.MaxAvgLatencyMs}, {"maxP99LatencyMs", g.MaxP99LatencyMs}, {"minThroughputMsgPerSec", g.MinThroughputMsgPerSec}} {
		if f.v < 0 {
			add("%s.%s = %g is negative: thresholds must be positive (the SLO is avg 50 ms, p99 100 ms, 100000 msg/s)", key(KeyGate), f.name, f.v)
		}
	}
	if g.IsEnabled() {
		for _, f := range []struct {
			name string
			v    float64
		}{{"rate", float64(g.Rate)}, {"durationSeconds", g.DurationSeconds}, {"messageSize", float64(g.MessageSize)},
			{"producers", float64(g.Producers)}, {"consumers", float64(g.Consumers)}, {"partitions", float64(g.Partitions)}} {
			if f.v <= 0 {
				add("%s.%s = %g: the gate needs a positive %s, or set %s.enabled: false", key(KeyGate), f.name, f.v, f.name, key(KeyGate))
			}
		}
		if g.WarmupSeconds < 0 {
			add("%s.warmupSeconds = %g is negative: use 0 or more", key(KeyGate), g.WarmupSeconds)
		}
		if g.MaxWarmupSeconds != 0 && g.MaxWarmupSeconds < g.WarmupSeconds {
			add("%s.maxWarmupSeconds = %g is below warmupSeconds (%g): set it above warmupSeconds to let the warm-up run until the cluster is steady, or 0 for a fixed warm-up",
				key(KeyGate), g.MaxWarmupSeconds, g.WarmupSeconds)
		}
		switch g.Acks {
		case "all", "leader", "none":
		default:
			add("%s.acks = %q: use all, leader or none", key(KeyGate), g.Acks)
		}
		found := false
		for _, sc := range s.Schemas {
			found = found || sc.Subject == g.Subject
		}
		if !found {
			add("%s.subject = %q is not in %s: the gate encodes its payloads with that subject's schema; list it there or set %s.enabled: false",
				key(KeyGate), g.Subject, key(KeySchemas), key(KeyGate))
		}
	}
	if g.IsEnabled() {
		errs = append(errs, s.validateGateTopic()...)
	}
	if g.MaxP99LatencyMs > 0 && g.MaxAvgLatencyMs > g.MaxP99LatencyMs {
		add("%s.maxAvgLatencyMs = %g is above maxP99LatencyMs = %g: an average cannot exceed the 99th percentile, lower maxAvgLatencyMs",
			key(KeyGate), g.MaxAvgLatencyMs, g.MaxP99LatencyMs)
	}
	return errs
}

func checkHostPort(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" {
		return fmt.Errorf("is not host:port: write it as host:port, e.g. 127.0.0.1:19092")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("has port %q: use a number from 1 to 65535", port)
	}
	return nil
}

// validate checks one topic; at is the key path used in messages.
func (t TopicSpec) validate(at string, brokers int) []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	switch {
	case t.Name == "":
		add("%s.name is empty: give the topic a name", at)
	case t.Name == "." || t.Name == "..":
		add("%s.name = %q is reserved by Kafka: choose another name", at, t.Name)
	case len(t.Name) > 249:
		add("%s.name is %d characters: Kafka allows at most 249, shorten it", at, len(t.Name))
	case !topicNameRE.MatchString(t.Name):
		add("%s.name = %q has characters Kafka rejects: use only letters, digits, '.', '_' and '-'", at, t.Name)
	}
	if t.Partitions < 1 {
		add("%s.partitions = %d: a topic needs at least 1 partition (market-telemetry uses 12)", at, t.Partitions)
	}
	switch {
	case t.ReplicationFactor < 1:
		add("%s.replicationFactor = %d: use at least 1, and 3 for production data", at, t.ReplicationFactor)
	case brokers >= 1 && t.ReplicationFactor > brokers:
		add("%s.replicationFactor = %d is more than the %d broker(s) of the cluster: lower it to at most %d or add brokers", at, t.ReplicationFactor, brokers, brokers)
	}
	switch t.OnPartitionDecrease {
	case "", "error", "replace":
	default:
		add("%s.onPartitionDecrease = %q: use error (refuse) or replace (recreate the topic, losing its data)", at, t.OnPartitionDecrease)
	}
	switch t.OnReplicationDecrease {
	case "", "error", "allow":
	default:
		add("%s.onReplicationDecrease = %q: use error (refuse a lower replicationFactor, the default) or allow (remove replicas: the topic then survives fewer broker failures)", at, t.OnReplicationDecrease)
	}
	for _, k := range integerTopicKeys {
		if v, ok := t.Config[k]; ok {
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				add("%s.config.%s = %q is not a whole number: write it in its unit, e.g. retention.ms: \"604800000\" for 7 days", at, k, v)
			}
		}
	}
	if v, ok := t.Config["cleanup.policy"]; ok {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "delete" && p != "compact" {
				add("%s.config.cleanup.policy = %q: use delete, compact or \"compact,delete\"", at, v)
				break
			}
		}
	}
	return errs
}
