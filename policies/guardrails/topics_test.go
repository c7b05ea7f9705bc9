package guardrails

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// topic builds a Topic resource; over replaces inputs, and a nil value deletes one.
func topic(t testing.TB, name string, over map[string]any) map[string]any {
	t.Helper()
	props := map[string]any{
		"name":              name,
		"partitions":        12,
		"replicationFactor": 3,
		"config": map[string]any{
			"retention.ms":        "604800000",
			"cleanup.policy":      "delete",
			"min.insync.replicas": "2",
		},
		"deletionProtection": true,
	}
	for k, v := range over {
		if v == nil {
			delete(props, k)
			continue
		}
		props[k] = v
	}
	return props
}

// topicConfig is a Topic config map with one key changed (nil deletes it).
func topicConfig(key string, value any) map[string]any {
	c := map[string]any{
		"retention.ms":        "604800000",
		"cleanup.policy":      "delete",
		"min.insync.replicas": "2",
	}
	if value == nil {
		delete(c, key)
	} else {
		c[key] = value
	}
	return c
}

func topicCases(t testing.TB) []policyCase {
	good := res(t, typeTopic, "market-telemetry", topic(t, "market-telemetry", nil))
	one := func(over map[string]any) []policyx.AnalyzerResource {
		return rs(res(t, typeTopic, "telemetry", topic(t, "market-telemetry", over)))
	}
	return []policyCase{
		// topic-replication
		{name: "3 replicas and min ISR 2 pass", policy: "topic-replication", resources: rs(good)},
		{name: "replication factor 1", policy: "topic-replication", resources: one(map[string]any{"replicationFactor": 1}),
			want: []string{`topic "market-telemetry": replicationFactor 1 is below the minimum 3 (every stack has 3 brokers)`}},
		{name: "min ISR 1", policy: "topic-replication", resources: one(map[string]any{"config": topicConfig("min.insync.replicas", "1")}),
			want: []string{`topic "market-telemetry": min.insync.replicas 1 is below the minimum 2 (with acks=all a write must reach 2 replicas, so no acknowledged write lives on one broker only)`}},
		{name: "min ISR missing", policy: "topic-replication", stack: "dev", resources: one(map[string]any{"config": topicConfig("min.insync.replicas", nil)}),
			want: []string{`topic "market-telemetry": min.insync.replicas is not set, so the broker default (1) applies, below the minimum 2; hint: set config["min.insync.replicas"] = "2"`}},
		{name: "no config at all", policy: "topic-replication", resources: one(map[string]any{"config": nil, "replicationFactor": 2}),
			want: []string{
				`topic "market-telemetry": replicationFactor 2 is below the minimum 3 (every stack has 3 brokers)`,
				`topic "market-telemetry": min.insync.replicas is not set, so the broker default (1) applies, below the minimum 2; hint: set config["min.insync.replicas"] = "2"`,
			}},
		{name: "unknown during preview", policy: "topic-replication", resources: one(map[string]any{"replicationFactor": unknownV{}, "config": unknownV{}})},
		{name: "configured minimum", policy: "topic-replication", config: map[string]any{"minReplicationFactor": 5.0},
			resources: rs(good),
			want:      []string{`topic "market-telemetry": replicationFactor 3 is below the minimum 5 (every stack has 3 brokers)`}},

		// topic-retention
		{name: "7 days passes", policy: "topic-retention", resources: rs(good)},
		{name: "unset uses the broker default", policy: "topic-retention", resources: one(map[string]any{"config": topicConfig("retention.ms", nil)})},
		{name: "10 minutes", policy: "topic-retention", resources: one(map[string]any{"config": topicConfig("retention.ms", "600000")}),
			want: []string{`topic "market-telemetry": retention.ms 600000 (10m) is below the minimum 3600000 (1h)`}},
		{name: "90 days", policy: "topic-retention", resources: one(map[string]any{"config": topicConfig("retention.ms", "7776000000")}),
			want: []string{`topic "market-telemetry": retention.ms 7776000000 (90d) is above the maximum 2592000000 (30d)`}},
		{name: "infinite", policy: "topic-retention", resources: one(map[string]any{"config": topicConfig("retention.ms", "-1")}),
			want: []string{`topic "market-telemetry": retention.ms -1 keeps data forever, above the maximum 2592000000 (30d)`}},
		{name: "not a number", policy: "topic-retention", resources: one(map[string]any{"config": topicConfig("retention.ms", "7d")}),
			want: []string{`topic "market-telemetry": retention.ms "7d" is not a whole number of milliseconds; rule: between 3600000 (1h) and 2592000000 (30d)`}},
		{name: "configured bounds", policy: "topic-retention", config: map[string]any{"maxRetentionMs": 86400000.0},
			resources: rs(good),
			want:      []string{`topic "market-telemetry": retention.ms 604800000 (7d) is above the maximum 86400000 (1d)`}},

		// topic-partitions
		{name: "12 passes", policy: "topic-partitions", resources: rs(good)},
		{name: "zero", policy: "topic-partitions", resources: one(map[string]any{"partitions": 0}),
			want: []string{`topic "market-telemetry": partitions 0 is below the minimum 1`}},
		{name: "above the ceiling", policy: "topic-partitions", resources: one(map[string]any{"partitions": 5000}),
			want: []string{`topic "market-telemetry": partitions 5000 is above the ceiling 1000 (maxPartitions); every partition costs broker memory and file handles`}},
		{name: "configured ceiling", policy: "topic-partitions", config: map[string]any{"maxPartitions": 10.0}, resources: rs(good),
			want: []string{`topic "market-telemetry": partitions 12 is above the ceiling 10 (maxPartitions); every partition costs broker memory and file handles`}},

		// topic-deletion-protection
		{name: "on passes", policy: "topic-deletion-protection", resources: rs(good)},
		{name: "unset defaults to on", policy: "topic-deletion-protection", resources: one(map[string]any{"deletionProtection": nil})},
		{name: "off on prod", policy: "topic-deletion-protection", resources: one(map[string]any{"deletionProtection": false}),
			want: []string{`topic "market-telemetry": deletionProtection false on stack prod; rule: prod topics must refuse deletion (set deletionProtection: true or leave it out)`}},
		{name: "off on local is fine", policy: "topic-deletion-protection", stack: "local", resources: one(map[string]any{"deletionProtection": false})},
		{name: "the gate's scratch topic (replaceUnmanaged) is exempt", policy: "topic-deletion-protection",
			resources: one(map[string]any{"deletionProtection": false, "replaceUnmanaged": true})},

		// topic-cleanup-policy
		{name: "delete passes", policy: "topic-cleanup-policy", resources: rs(good)},
		{name: "delete,compact in any order", policy: "topic-cleanup-policy", resources: one(map[string]any{"config": topicConfig("cleanup.policy", "delete, compact")})},
		{name: "unknown value", policy: "topic-cleanup-policy", resources: one(map[string]any{"config": topicConfig("cleanup.policy", "archive")}),
			want: []string{`topic "market-telemetry": cleanup.policy "archive" is not one of the allowed values "delete", "compact", "compact,delete"`}},
		{name: "configured list", policy: "topic-cleanup-policy", config: map[string]any{"allowedCleanupPolicies": []any{"compact"}}, resources: rs(good),
			want: []string{`topic "market-telemetry": cleanup.policy "delete" is not one of the allowed values "compact"`}},
	}
}

func TestTopicPolicies(t *testing.T) { runCases(t, topicCases(t)) }
