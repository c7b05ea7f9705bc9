package provider

import (
	"testing"

	p "github.com/pulumi/pulumi-go-provider"
)

// TestConfigValuesCompare: a declared value equal to what the cluster reports is no drift,
// however it is spelled; a different value is.
func TestConfigValuesCompare(t *testing.T) {
	cases := []struct {
		name               string
		b                  configBackend
		declared, observed string
		same               bool
	}{
		{"redpanda list spacing", redpandaConfig{}, `["group", "partition"]`, `["group","partition"]`, true},
		{"redpanda number", redpandaConfig{}, "60", "60", true},
		{"redpanda bare string", redpandaConfig{}, "zone-a", `"zone-a"`, true},
		{"redpanda bool", redpandaConfig{}, "true", "true", true},
		{"redpanda list order matters", redpandaConfig{}, `["partition","group"]`, `["group","partition"]`, false},
		{"redpanda different number", redpandaConfig{}, "60", "30", false},
		{"kafka exact", kafkaConfig{}, "2097152", "2097152", true},
		{"kafka different", kafkaConfig{}, "2097152", "3145728", false},
		{"kafka password never shows", kafkaConfig{}, "s3cret", sensitiveValue, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.b.same(tc.declared, tc.observed); got != tc.same {
				t.Errorf("same(%q, %q) = %t, want %t", tc.declared, tc.observed, got, tc.same)
			}
		})
	}
}

// TestDiffClusterConfig: each property change is its own entry; another api replaces.
func TestDiffClusterConfig(t *testing.T) {
	kafka, admin := ConfigAPIKafka, ConfigAPIRedpandaAdmin
	old := ClusterConfigArgs{API: &kafka, Properties: map[string]string{"a": "1", "b": "2", "c": "3"}}
	now := ClusterConfigArgs{API: &kafka, Properties: map[string]string{"a": "1", "b": "20", "d": "4"}}
	d := diffClusterConfig(old, now)
	want := map[string]p.DiffKind{`properties["b"]`: p.Update, `properties["c"]`: p.Delete, `properties["d"]`: p.Add}
	if !d.HasChanges || len(d.DetailedDiff) != len(want) {
		t.Fatalf("diff = %+v, want %v", d.DetailedDiff, want)
	}
	for k, kind := range want {
		if d.DetailedDiff[k].Kind != kind {
			t.Errorf("%s: %v, want %v", k, d.DetailedDiff[k].Kind, kind)
		}
	}
	if d := diffClusterConfig(old, old); d.HasChanges {
		t.Errorf("no change diffs as %+v", d.DetailedDiff)
	}
	moved := old
	moved.API = &admin
	if d := diffClusterConfig(old, moved); d.DetailedDiff["api"].Kind != p.UpdateReplace {
		t.Errorf("another api = %+v, want a replace", d.DetailedDiff)
	}
}
