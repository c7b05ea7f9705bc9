package guardrails

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/marketbus/market-bus/capacity"
)

// capacityStack is a production stack's resources: 3 brokers on volumes of storage, the
// seed's gate (100,000 msg/s × 256 B) and market-telemetry with the given config.
func capacityStack(t testing.TB, storage string, telemetryConfig map[string]any) []map[string]any {
	s := goodSTS()
	s.storage = storage
	return []map[string]any{s.props(), {"enabled": true, "minThroughputMsgPerSec": 100000, "messageSize": 256},
		topic(t, "market-telemetry", map[string]any{"config": telemetryConfig})}
}

func capacityCases(t testing.TB) []policyCase {
	build := func(storage string, cfg map[string]any) []policyCaseResource {
		p := capacityStack(t, storage, cfg)
		return []policyCaseResource{{typeStatefulSet, "redpanda", p[0]}, {typeLatencyGate, "latency-gate", p[1]}, {typeTopic, "telemetry", p[2]}}
	}
	sevenDays := map[string]any{"retention.ms": "604800000", "cleanup.policy": "delete", "min.insync.replicas": "2"}
	bounded := map[string]any{"retention.ms": "604800000", "retention.bytes": "1073741824", "cleanup.policy": "delete", "min.insync.replicas": "2"}
	want := "topic capacity: " + capacity.Estimate(capacity.Cluster{Brokers: 3, DiskBytes: 50 << 30}, capacity.Load{MsgPerSec: 100000, MessageBytes: 256},
		[]capacity.Topic{{Name: "market-telemetry", Partitions: 12, ReplicationFactor: 3, Config: map[string]string{"retention.ms": "604800000",
			"cleanup.policy": "delete", "min.insync.replicas": "2"}}}).Problem("the brokers' storage request (market-bus:cluster.storageSize)",
		func(topic string) string { return `the topic "` + topic + `" (market-bus:topics)` })
	return []policyCase{
		{name: "retention.bytes fits 50 GiB", policy: "topic-capacity", resources: resourcesOf(t, build("50Gi", bounded))},
		{name: "7 days at 100k msg/s on 50 GiB", policy: "topic-capacity", resources: resourcesOf(t, build("50Gi", sevenDays)), want: []string{want}},
		{name: "development is not judged", policy: "topic-capacity", stack: "dev", resources: resourcesOf(t, build("50Gi", sevenDays))},
		{name: "no StatefulSet (external cluster) is not judged", policy: "topic-capacity", resources: resourcesOf(t, build("50Gi", sevenDays)[1:])},
	}
}

// policyCaseResource is one resource of a case, before it is built.
type policyCaseResource struct {
	typ, name string
	props     map[string]any
}

func resourcesOf(t testing.TB, list []policyCaseResource) []policyx.AnalyzerResource {
	out := make([]policyx.AnalyzerResource, len(list))
	for i, r := range list {
		out[i] = res(t, r.typ, r.name, r.props)
	}
	return out
}

func TestCapacityPolicies(t *testing.T) { runCases(t, capacityCases(t)) }

// TestCapacityViolationSaysNumbersAndFixes: the message names the need, the volume and
// every fix the issue asks for.
func TestCapacityViolationSaysNumbersAndFixes(t *testing.T) {
	s := capacityStack(t, "50Gi", map[string]any{"retention.ms": "604800000"})
	msgs, urns := runIn(t, Options{Stack: "prod-eu", Environment: "production"}, "topic-capacity", nil,
		rs(res(t, typeStatefulSet, "redpanda", s[0]), res(t, typeLatencyGate, "gate", s[1]), res(t, typeTopic, "telemetry", s[2])))
	if len(msgs) != 1 || !strings.HasSuffix(urns[0], "::telemetry") {
		t.Fatalf("violations %q at %q, want one on the topic", msgs, urns)
	}
	for _, w := range []string{"each of the 3 brokers needs about 14.1 TiB", "100000 msg/s × 256 B", "= 50.0 GiB", "40.0 GiB usable",
		`the topic "market-telemetry" (market-bus:topics).config.retention.bytes`, "shorten retention.ms", "raise the brokers' storage request",
		"redpanda.remote.write", "retention.local.target.ms"} {
		if !strings.Contains(msgs[0], w) {
			t.Errorf("%q\n does not say %q", msgs[0], w)
		}
	}
}
