// Package topicrules holds the rules a Kafka topic declaration must meet before any broker
// sees it: name, partitions, replication factor, the decrease modes and the config values
// that have a fixed grammar. stacks.Load and the provider's Topic Check both call Validate,
// so a stack and a program using the SDK directly are refused for the same reasons.
package topicrules

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/marketbus/market-bus/fielderr"
)

// MaxNameLength is the longest topic name Kafka accepts.
const MaxNameLength = 249

// maxReplicationFactor is the largest replication factor the Kafka protocol carries (int16).
const maxReplicationFactor = 32767

// Values of Topic.OnPartitionDecrease; empty means PartitionDecreaseError.
const (
	PartitionDecreaseError   = "error"
	PartitionDecreaseReplace = "replace"
)

// Values of Topic.OnReplicationDecrease; empty means ReplicationDecreaseError.
const (
	ReplicationDecreaseError = "error"
	ReplicationDecreaseAllow = "allow"
)

var nameRE = regexp.MustCompile(`^[a-zA-Z0-9._-]+$`)

// integerKeys are the topic settings (Kafka 4 and Redpanda) whose value is a whole number:
// a typo such as "7d" is refused before the broker sees it.
var integerKeys = map[string]bool{
	"retention.ms": true, "retention.bytes": true, "segment.bytes": true, "segment.ms": true,
	"segment.jitter.ms": true, "segment.index.bytes": true, "max.message.bytes": true,
	"min.insync.replicas": true, "delete.retention.ms": true, "min.compaction.lag.ms": true,
	"max.compaction.lag.ms": true, "flush.messages": true, "flush.ms": true, "index.interval.bytes": true,
	"file.delete.delay.ms": true, "local.retention.ms": true, "local.retention.bytes": true,
	"message.timestamp.after.max.ms": true, "message.timestamp.before.max.ms": true,
}

// Topic is a topic declaration in plain values; field paths in refusals are the json names
// of the stack's market-bus:topics entries, which are also the provider's input names.
type Topic struct {
	Name                  string
	Partitions            int
	ReplicationFactor     int
	Config                map[string]string
	OnPartitionDecrease   string
	OnReplicationDecrease string
}

// Validate returns every refusal of t, each a *fielderr.Error whose Field is the path inside
// the topic (name, partitions, config.retention.ms). brokers, when 1 or more, is the size of
// the cluster and bounds the replication factor; 0 means unknown.
func Validate(t Topic, brokers int) []*fielderr.Error {
	var errs []*fielderr.Error
	if fe := ValidateName(t.Name); fe != nil {
		errs = append(errs, fe)
	}
	if t.Partitions < 1 {
		errs = append(errs, fielderr.New("partitions", t.Partitions, "a topic needs at least 1 partition",
			"set partitions to 1 or more (market-telemetry uses 12)"))
	}
	switch rf := t.ReplicationFactor; {
	case rf < 1:
		errs = append(errs, fielderr.New("replicationFactor", rf, "a topic needs at least 1 replica",
			"use at least 1, and 3 for production data"))
	case rf > maxReplicationFactor:
		errs = append(errs, fielderr.New("replicationFactor", rf, fmt.Sprintf("is above %d, the most the Kafka protocol carries", maxReplicationFactor),
			"use at most the number of brokers"))
	case brokers >= 1 && rf > brokers:
		errs = append(errs, fielderr.New("replicationFactor", rf, fmt.Sprintf("is more than the %d broker(s) of the cluster", brokers),
			fmt.Sprintf("lower it to at most %d or add brokers", brokers)))
	}
	switch t.OnPartitionDecrease {
	case "", PartitionDecreaseError, PartitionDecreaseReplace:
	default:
		errs = append(errs, fielderr.New("onPartitionDecrease", strconv.Quote(t.OnPartitionDecrease), "is not a partition-decrease mode",
			"use error (refuse a lower partition count, the default) or replace (recreate the topic, losing its data)"))
	}
	switch t.OnReplicationDecrease {
	case "", ReplicationDecreaseError, ReplicationDecreaseAllow:
	default:
		errs = append(errs, fielderr.New("onReplicationDecrease", strconv.Quote(t.OnReplicationDecrease), "is not a replication-decrease mode",
			"use error (refuse a lower replicationFactor, the default) or allow (remove replicas: the topic then survives fewer broker failures)"))
	}
	return append(errs, validateConfig(t.Config)...)
}

// ValidateName returns the refusal of a topic name Kafka would reject, or nil. Its Field is
// "name"; a caller whose key for the name differs (the gate's topic) re-roots it.
func ValidateName(name string) *fielderr.Error {
	q := strconv.Quote(name)
	switch {
	case name == "":
		return fielderr.New("name", q, "the topic has no name", "give the topic a name")
	case name == "." || name == "..":
		return fielderr.New("name", q, "is reserved by Kafka", "choose another name")
	case len(name) > MaxNameLength:
		return fielderr.New("name", fmt.Sprintf("(%d characters)", len(name)), fmt.Sprintf("is longer than the %d characters Kafka allows", MaxNameLength),
			"shorten it")
	case !nameRE.MatchString(name):
		return fielderr.New("name", q, "has characters Kafka rejects", "use only letters, digits, '.', '_' and '-'")
	}
	return nil
}

// ValidCharacters reports whether s uses only the characters Kafka allows in topic names; a
// topic prefix (an ACL pattern) must pass it though it need not be a whole name.
func ValidCharacters(s string) bool { return nameRE.MatchString(s) }

// validateConfig checks the values whose grammar is fixed; other keys are the broker's to
// judge (preview asks it with validateOnly).
func validateConfig(cfg map[string]string) []*fielderr.Error {
	keys := make([]string, 0, len(cfg))
	for k := range cfg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var errs []*fielderr.Error
	for _, k := range keys {
		v := cfg[k]
		if integerKeys[k] {
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				errs = append(errs, fielderr.New("config."+k, strconv.Quote(v), "is not a whole number",
					`write it in its unit, e.g. retention.ms: "604800000" for 7 days`))
			}
		}
		if k == "cleanup.policy" {
			for _, p := range strings.Split(v, ",") {
				if p = strings.TrimSpace(p); p != "delete" && p != "compact" {
					errs = append(errs, fielderr.New("config."+k, strconv.Quote(v), "is not a cleanup policy",
						`use delete, compact or "compact,delete"`))
					break
				}
			}
		}
	}
	return errs
}
