package guardrails

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// Topic settings live in the Topic's config map, values as strings, e.g.
// config["retention.ms"] = "604800000".
const (
	keyMinISR        = "min.insync.replicas"
	keyRetentionMs   = "retention.ms"
	keyCleanupPolicy = "cleanup.policy"
)

// topicReplication: enough replicas, and enough of them in sync, to lose a broker.
func topicReplication() definition {
	minRF := intSetting("minReplicationFactor", "Smallest replicationFactor a topic may have.", 3, 1)
	minISR := intSetting("minInsyncReplicas", "Smallest config[\"min.insync.replicas\"] a topic may have.", 2, 1)
	return definition{
		name:        "topic-replication",
		description: "Topics keep replicationFactor >= 3 and min.insync.replicas >= 2, so one broker can fail without data loss.",
		types:       []string{typeTopic},
		settings:    []setting{minRF, minISR},
		check: func(_ Options, r policyx.AnalyzerResource, cfg map[string]any) []string {
			var out []string
			floor := minRF.number(cfg)
			if rf, ok := num(r.Properties.Get("replicationFactor")); ok && rf < floor {
				out = append(out, fmt.Sprintf("%s: replicationFactor %s is below the minimum %s (every stack has 3 brokers)",
					label(r), fmtNum(rf), fmtNum(floor)))
			}
			minI := minISR.number(cfg)
			conf := at(r.Properties, "config")
			if !conf.IsMap() {
				if conf.IsComputed() {
					return out
				}
				return append(out, missingISR(r, minI))
			}
			v, present := conf.AsMap().GetOk(keyMinISR)
			switch isr, ok := num(v); {
			case !present || v.IsNull():
				out = append(out, missingISR(r, minI))
			case v.IsComputed():
			case !ok:
				out = append(out, fmt.Sprintf("%s: %s %q is not a number; rule: it must be at least %s",
					label(r), keyMinISR, stringOr(v), fmtNum(minI)))
			case isr < minI:
				out = append(out, fmt.Sprintf("%s: %s %s is below the minimum %s (with acks=all a write must reach %s replicas, so no acknowledged write lives on one broker only)",
					label(r), keyMinISR, fmtNum(isr), fmtNum(minI), fmtNum(minI)))
			}
			return out
		},
	}
}

// missingISR is the violation of a topic that leaves min.insync.replicas to the broker.
func missingISR(r policyx.AnalyzerResource, floor float64) string {
	return fmt.Sprintf("%s: %s is not set, so the broker default (1) applies, below the minimum %s; hint: set config[%q] = \"%s\"",
		label(r), keyMinISR, fmtNum(floor), keyMinISR, fmtNum(floor))
}

// topicRetention: data is kept long enough to replay an outage and not forever.
func topicRetention() definition {
	minMs := intSetting("minRetentionMs", "Shortest retention.ms allowed (default 1 hour).", int64(time.Hour/time.Millisecond), 0)
	maxMs := intSetting("maxRetentionMs", "Longest retention.ms allowed (default 30 days); -1 (infinite) is above any maximum.", int64(30*24*time.Hour/time.Millisecond), 1)
	return definition{
		name:        "topic-retention",
		description: "Topics set retention.ms within the allowed bounds (default 1 hour to 30 days); unset uses the broker default of 7 days.",
		types:       []string{typeTopic},
		settings:    []setting{minMs, maxMs},
		check: func(_ Options, r policyx.AnalyzerResource, cfg map[string]any) []string {
			v := at(r.Properties, "config", keyRetentionMs)
			if v.IsNull() || v.IsComputed() {
				return nil
			}
			lo, hi := minMs.number(cfg), maxMs.number(cfg)
			ms, ok := num(v)
			switch {
			case !ok || !isInt(ms):
				return []string{fmt.Sprintf("%s: %s %q is not a whole number of milliseconds; rule: between %s and %s",
					label(r), keyRetentionMs, stringOr(v), durationText(lo), durationText(hi))}
			case ms < 0:
				return []string{fmt.Sprintf("%s: %s %s keeps data forever, above the maximum %s",
					label(r), keyRetentionMs, fmtNum(ms), durationText(hi))}
			case ms < lo:
				return []string{fmt.Sprintf("%s: %s %s is below the minimum %s", label(r), keyRetentionMs, durationText(ms), durationText(lo))}
			case ms > hi:
				return []string{fmt.Sprintf("%s: %s %s is above the maximum %s", label(r), keyRetentionMs, durationText(ms), durationText(hi))}
			}
			return nil
		},
	}
}

// durationText prints milliseconds with a readable duration, e.g. "3600000 (1h)".
func durationText(ms float64) string {
	d := time.Duration(ms) * time.Millisecond
	var human string
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		human = fmt.Sprintf("%dd", d/(24*time.Hour))
	default:
		// 1h0m0s reads 1h, 10m0s reads 10m.
		human = d.String()
		if strings.HasSuffix(human, "m0s") {
			human = strings.TrimSuffix(human, "0s")
		}
		if strings.HasSuffix(human, "h0m") {
			human = strings.TrimSuffix(human, "0m")
		}
	}
	return fmt.Sprintf("%s (%s)", fmtNum(ms), human)
}

// topicPartitions: at least one partition, and not so many the brokers drown in them.
func topicPartitions() definition {
	maxP := intSetting("maxPartitions", "Most partitions a topic may have.", 1000, 1)
	return definition{
		name:        "topic-partitions",
		description: "Topics have between 1 and maxPartitions (default 1000) partitions.",
		types:       []string{typeTopic},
		settings:    []setting{maxP},
		check: func(_ Options, r policyx.AnalyzerResource, cfg map[string]any) []string {
			p, ok := num(r.Properties.Get("partitions"))
			if !ok {
				return nil
			}
			ceiling := maxP.number(cfg)
			switch {
			case p < 1:
				return []string{fmt.Sprintf("%s: partitions %s is below the minimum 1", label(r), fmtNum(p))}
			case p > ceiling:
				return []string{fmt.Sprintf("%s: partitions %s is above the ceiling %s (maxPartitions); every partition costs broker memory and file handles",
					label(r), fmtNum(p), fmtNum(ceiling))}
			}
			return nil
		},
	}
}

// topicDeletionProtection: nobody deletes a prod topic by editing a list.
func topicDeletionProtection() definition {
	return definition{
		name: "topic-deletion-protection",
		description: "On production, topics keep deletionProtection on (its default), so removing one from the program cannot delete its data; " +
			"scratch topics declared replaceUnmanaged (the latency gate's) are exempt.",
		prodOnly: true,
		types:    []string{typeTopic},
		check: func(o Options, r policyx.AnalyzerResource, _ map[string]any) []string {
			// A topic declared replaceUnmanaged holds disposable records by declaration (the
			// latency gate's scratch topic) and is meant to go with the stack.
			if scratch, ok := boolean(r.Properties.Get("replaceUnmanaged")); ok && scratch {
				return nil
			}
			if on, ok := boolean(r.Properties.Get("deletionProtection")); ok && !on {
				return []string{fmt.Sprintf("%s: deletionProtection false on stack %s; rule: prod topics must refuse deletion (set deletionProtection: true or leave it out)",
					label(r), o.Stack)}
			}
			return nil
		},
	}
}

// topicCleanupPolicy: only the cleanup policies the bus is built for.
func topicCleanupPolicy() definition {
	allowed := listSetting("allowedCleanupPolicies", "Allowed cleanup.policy values; the order of a comma list does not matter.",
		[]string{"delete", "compact", "compact,delete"})
	return definition{
		name:        "topic-cleanup-policy",
		description: "Topics set cleanup.policy to an allowed value (default delete, compact or \"compact,delete\").",
		types:       []string{typeTopic},
		settings:    []setting{allowed},
		check: func(_ Options, r policyx.AnalyzerResource, cfg map[string]any) []string {
			v := at(r.Properties, "config", keyCleanupPolicy)
			if v.IsNull() || v.IsComputed() {
				return nil
			}
			s := stringOr(v)
			list := allowed.list(cfg)
			for _, a := range list {
				if normalizeCleanup(a) == normalizeCleanup(s) {
					return nil
				}
			}
			return []string{fmt.Sprintf("%s: %s %q is not one of the allowed values %s",
				label(r), keyCleanupPolicy, s, strings.Join(quoteAll(list), ", "))}
		},
	}
}

// normalizeCleanup sorts a comma list so "delete,compact" equals "compact,delete".
func normalizeCleanup(s string) string {
	parts := strings.Split(strings.ToLower(s), ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// quoteAll quotes every element.
func quoteAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
