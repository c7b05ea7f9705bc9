package e2e

import (
	"maps"
	"os"
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/marketbus/market-bus/tests/kafkatest"
)

// tokenGate is the latency gate of every e2e stack file but the repository's own: a few
// seconds at a token load with thresholds no busy machine misses, so tests of what busctl
// and the program do never fail because the machine is slow. The local stack's real gate is
// measured by scripts/gate-soak and `make up-local`, not asserted in tests.
var tokenGate = map[string]any{
	"rate": 2000, "durationSeconds": 5, "warmupSeconds": 1, "maxWarmupSeconds": 0,
	"minThroughputMsgPerSec": 1, "maxAvgLatencyMs": 60000, "maxP99LatencyMs": 60000,
}

// tokenConfig is Pulumi.local.yaml with the token gate.
func tokenConfig(t *testing.T) string {
	t.Helper()
	return localConfigWith(t, func(map[string]any) {})
}

// localConfigWith writes a copy of Pulumi.local.yaml with the token gate, changed by mutate,
// and returns its path: tests vary the real stack file instead of writing a config of their own.
func localConfigWith(t *testing.T, mutate func(cfg map[string]any)) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot(t), "Pulumi.local.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	setGate(doc["config"], tokenGate)
	mutate(doc["config"])
	out, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "Pulumi.local.yaml")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// localTopics are the names of the topics Pulumi.local.yaml declares.
func localTopics(t *testing.T) []string {
	t.Helper()
	var doc struct {
		Config struct {
			Topics []struct{ Name string } `yaml:"market-bus:topics"`
		}
	}
	if err := yaml.Unmarshal([]byte(readRepoFile(t, "Pulumi.local.yaml")), &doc); err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(doc.Config.Topics))
	for _, topic := range doc.Config.Topics {
		names = append(names, topic.Name)
	}
	if len(names) == 0 {
		t.Fatal("Pulumi.local.yaml declares no topics")
	}
	return names
}

// behaviourConfig is the repository's Pulumi.local.yaml with the latency gate switched off:
// tests of topic, schema and policy behaviour must not fail because the machine is busy, so
// only the gate's own tests (TestLatencyGateOnLocalStack) measure latency.
func behaviourConfig(t *testing.T) string {
	t.Helper()
	return localConfigWith(t, func(cfg map[string]any) { setGate(cfg, map[string]any{"enabled": false}) })
}

// setGate sets fields of market-bus:gate in a stack config.
func setGate(cfg map[string]any, fields map[string]any) {
	g, _ := cfg["market-bus:gate"].(map[string]any)
	if g == nil {
		g = map[string]any{}
	}
	for k, v := range fields {
		g[k] = v
	}
	cfg["market-bus:gate"] = g
}

// setSchemaFile points a subject of market-bus:schemas at another file.
func setSchemaFile(t *testing.T, cfg map[string]any, subject, file string) {
	t.Helper()
	list, _ := cfg["market-bus:schemas"].([]any)
	for _, item := range list {
		m := item.(map[string]any)
		if m["subject"] == subject {
			m["file"] = file
			return
		}
	}
	t.Fatalf("Pulumi.local.yaml lists no subject %s", subject)
}

// setTopicField sets a field of one topic of market-bus:topics.
func setTopicField(t *testing.T, cfg map[string]any, topic, field string, value any) {
	t.Helper()
	list, _ := cfg["market-bus:topics"].([]any)
	for _, item := range list {
		m := item.(map[string]any)
		if m["name"] == topic {
			m[field] = value
			return
		}
	}
	t.Fatalf("Pulumi.local.yaml lists no topic %s", topic)
}

// ownStackFile writes the config file of an e2e stack of its own (not the shared local one)
// on the local cluster: a development environment, an external cluster on the plaintext
// listener with the local registry (cluster's keys added or replaced), and the given
// topics, schemas and gate. It returns the file's path.
func ownStackFile(t *testing.T, stack string, cluster map[string]any, topics, schemas []map[string]any, gate map[string]any) string {
	t.Helper()
	c := map[string]any{"mode": "external", "brokers": 3, "bootstrapServers": kafkatest.Bootstrap(), "schemaRegistryUrl": kafkatest.RegistryURL()}
	maps.Copy(c, cluster)
	if topics == nil {
		topics = []map[string]any{}
	}
	if schemas == nil {
		schemas = []map[string]any{}
	}
	doc := map[string]any{"config": map[string]any{
		"market-bus:environment": "development", "market-bus:cluster": c,
		"market-bus:topics": topics, "market-bus:schemas": schemas, "market-bus:gate": gate,
	}}
	out, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "Pulumi."+stack+".yaml")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
