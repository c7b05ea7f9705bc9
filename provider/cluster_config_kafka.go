package provider

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// kafkaConfig is the kafka backend: the cluster-wide default of Kafka's dynamic broker
// config, the entity `kafka-configs --entity-type brokers --entity-default` shows.
type kafkaConfig struct {
	cl        *kgo.Client
	adm       *kadm.Client
	bootstrap []string
}

func (k kafkaConfig) where() string {
	return fmt.Sprintf("the Kafka API at %v (cluster-wide dynamic broker config)", k.bootstrap)
}

// sensitiveValue stands for a password-type key that is set: Kafka never returns its value,
// so it cannot drift as far as a refresh can tell.
const sensitiveValue = "<sensitive>"

func (kafkaConfig) same(declared, observed string) bool {
	return declared == observed || observed == sensitiveValue
}

func (k kafkaConfig) current(ctx context.Context, keys []string) (map[string]string, error) {
	// No broker id: the default BROKER resource, which lists only what is set cluster-wide.
	rcs, err := k.adm.DescribeBrokerConfigs(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the cluster-wide broker config from %s: %w", k.where(), err)
	}
	out := map[string]string{}
	for _, rc := range rcs {
		if rc.Err != nil {
			return nil, fmt.Errorf("reading the cluster-wide broker config from %s: %w", k.where(), brokerError(rc.Err, rc.ErrMessage))
		}
		for _, c := range rc.Configs {
			if c.Source != kmsg.ConfigSourceDynamicDefaultBrokerConfig || (keys != nil && !containsString(keys, c.Key)) {
				continue
			}
			if c.Value != nil {
				out[c.Key] = *c.Value
			} else if c.Sensitive {
				out[c.Key] = sensitiveValue
			}
		}
	}
	return out, nil
}

// ops turns a change into incremental operations on the default BROKER resource.
func (ch configChange) kafkaOps() []kadm.AlterConfig {
	ops := make([]kadm.AlterConfig, 0, len(ch.Set)+len(ch.Remove))
	for _, key := range sortedKeys(ch.Set) {
		ops = append(ops, kadm.AlterConfig{Op: kadm.SetConfig, Name: key, Value: kadm.StringPtr(ch.Set[key])})
	}
	for _, key := range ch.Remove {
		ops = append(ops, kadm.AlterConfig{Op: kadm.DeleteConfig, Name: key})
	}
	return ops
}

// brokerEntry is one key of one broker's config as DescribeConfigs reports it.
type brokerEntry struct {
	Value     *string
	Source    kmsg.ConfigSource
	ReadOnly  bool
	Sensitive bool
}

// brokerConfig is one broker's full config. kadm drops the read-only flag, which tells a key
// only a restart applies from one that can change at run time, so the request is built here.
func (k kafkaConfig) brokerConfig(ctx context.Context, id int32) (map[string]brokerEntry, error) {
	req := kmsg.NewPtrDescribeConfigsRequest()
	rr := kmsg.NewDescribeConfigsRequestResource()
	rr.ResourceType = kmsg.ConfigResourceTypeBroker
	rr.ResourceName = strconv.Itoa(int(id))
	req.Resources = append(req.Resources, rr)
	resp, err := req.RequestWith(ctx, k.cl.Broker(int(id)))
	if err != nil {
		return nil, fmt.Errorf("describing broker %d: %w", id, err)
	}
	out := map[string]brokerEntry{}
	for _, r := range resp.Resources {
		if err := kerr.ErrorForCode(r.ErrorCode); err != nil {
			return nil, fmt.Errorf("describing broker %d: %w", id, brokerError(err, deref(r.ErrorMessage, "")))
		}
		for _, c := range r.Configs {
			out[c.Name] = brokerEntry{Value: c.Value, Source: c.Source, ReadOnly: c.ReadOnly, Sensitive: c.IsSensitive}
		}
	}
	return out, nil
}

// validate refuses a key the brokers do not know or cannot change without a restart before
// asking for a validate-only write: Kafka accepts any unknown name into the dynamic config
// (plugins read their own keys from it), so a typo would otherwise be stored silently.
func (k kafkaConfig) validate(ctx context.Context, ch configChange) error {
	ids, err := brokerIDs(ctx, k.adm)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return fmt.Errorf("%s lists no broker", k.where())
	}
	known, err := k.brokerConfig(ctx, ids[0])
	if err != nil {
		return err
	}
	var problems []string
	for _, key := range sortedKeys(ch.Set) {
		c, ok := known[key]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("properties.%s = %q: unknown property (broker %d does not list it; check the name against kafka-configs --describe --entity-type brokers --entity-name %d --all)",
				key, ch.Set[key], ids[0], ids[0]))
		case c.ReadOnly:
			problems = append(problems, fmt.Sprintf("properties.%s = %q: read-only, Kafka applies it only from server.properties at start; set it in the broker config instead", key, ch.Set[key]))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s refuses the cluster config: %s", k.where(), strings.Join(problems, "; "))
	}
	return k.alter(ctx, ch, true)
}

func (k kafkaConfig) alter(ctx context.Context, ch configChange, validateOnly bool) error {
	ops := ch.kafkaOps()
	if len(ops) == 0 {
		return nil
	}
	alter := k.adm.AlterBrokerConfigs
	if validateOnly {
		alter = k.adm.ValidateAlterBrokerConfigs
	}
	err := retryRetriable(ctx, func() error {
		resps, err := alter(ctx, ops)
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
		return fmt.Errorf("%s refused the cluster config %v: %w", k.where(), opNames(ops), err)
	}
	return nil
}

func opNames(ops []kadm.AlterConfig) []string {
	out := make([]string, 0, len(ops))
	for _, o := range ops {
		if o.Value != nil {
			out = append(out, fmt.Sprintf("properties.%s=%s", o.Name, *o.Value))
		} else {
			out = append(out, fmt.Sprintf("reset %s", o.Name))
		}
	}
	return out
}

func (k kafkaConfig) apply(ctx context.Context, ch configChange, timeout time.Duration) (configApplied, error) {
	if err := k.alter(ctx, ch, false); err != nil {
		return configApplied{}, err
	}
	return configApplied{}, k.waitApplied(ctx, ch, timeout)
}

// waitApplied waits until every broker reports the change: the controller accepts it at
// once, but each broker takes it from the metadata log in its own time. A broker with its
// own per-broker value of a key keeps that value; it does not hold the wait up.
func (k kafkaConfig) waitApplied(ctx context.Context, ch configChange, timeout time.Duration) error {
	var pending []string
	err := waitFor(ctx, timeout, "every broker to apply the cluster-wide config", func(ctx context.Context) (bool, error) {
		ids, err := brokerIDs(ctx, k.adm)
		if err != nil {
			return false, nil
		}
		pending = pending[:0]
		for _, id := range ids {
			cfg, err := k.brokerConfig(ctx, id)
			if err != nil {
				pending = append(pending, fmt.Sprintf("broker %d: %v", id, err))
				continue
			}
			for key, want := range ch.Set {
				c := cfg[key]
				if c.Source != kmsg.ConfigSourceDynamicBrokerConfig && (c.Value == nil || *c.Value != want) && !c.Sensitive {
					pending = append(pending, fmt.Sprintf("broker %d has %s=%s", id, key, deref(c.Value, "<unset>")))
				}
			}
			for _, key := range ch.Remove {
				if c := cfg[key]; c.Source == kmsg.ConfigSourceDynamicDefaultBrokerConfig {
					pending = append(pending, fmt.Sprintf("broker %d still has the cluster-wide %s", id, key))
				}
			}
		}
		return len(pending) == 0, nil
	})
	if err != nil {
		return fmt.Errorf("%s: %w (%s)", k.where(), err, strings.Join(pending, "; "))
	}
	return nil
}
