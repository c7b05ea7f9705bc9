package stacks

import (
	"fmt"
	"net"
	"strconv"

	"github.com/marketbus/market-bus/fielderr"
	"github.com/marketbus/market-bus/topicrules"
)

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
		at := fmt.Sprintf("%s[%d]", KeyTopics, i)
		errs = append(errs, underKey(at, t.validate(c.Brokers))...)
		if j, dup := seen[t.Name]; dup && t.Name != "" {
			errs = append(errs, fielderr.New(Key(at+".name"), strconv.Quote(t.Name), fmt.Sprintf("duplicates %s[%d].name", Key(KeyTopics), j),
				"every topic name must be unique: remove or rename one"))
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

// validate checks one topic with the rules the provider's Topic Check applies too; the
// refusals' fields are paths inside the topic (partitions, config.retention.ms).
func (t TopicSpec) validate(brokers int) error {
	return fielderr.Join(topicrules.Validate(topicrules.Topic{
		Name: t.Name, Partitions: t.Partitions, ReplicationFactor: t.ReplicationFactor, Config: t.Config,
		OnPartitionDecrease: t.OnPartitionDecrease, OnReplicationDecrease: t.OnReplicationDecrease,
	}, brokers))
}
