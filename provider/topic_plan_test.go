package provider

import (
	"reflect"
	"strings"
	"testing"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/twmb/franz-go/pkg/kadm"
)

func boolp(b bool) *bool              { return &b }
func strp(s string) *string           { return &s }
func topicLevel(v string) ConfigValue { return ConfigValue{Value: v, Source: "DYNAMIC_TOPIC_CONFIG"} }

func TestConfigOps(t *testing.T) {
	observed := map[string]ConfigValue{
		"retention.ms":        topicLevel("604800000"),
		"cleanup.policy":      topicLevel("delete"),
		"segment.bytes":       topicLevel("1048576"), // set outside Pulumi
		"min.insync.replicas": {Value: "2", Source: "STATIC_BROKER_CONFIG"},
	}
	type op struct{ Op, Name, Value string }
	cases := []struct {
		name          string
		before, after map[string]string
		strict        bool
		want          []op
	}{
		{"equal values are no change", map[string]string{"retention.ms": "604800000"}, map[string]string{"retention.ms": "604800000"}, false, nil},
		{"changed value is set", map[string]string{"retention.ms": "604800000"}, map[string]string{"retention.ms": "1"}, false,
			[]op{{"set", "retention.ms", "1"}}},
		{"value equal to a broker default is no change", nil, map[string]string{"min.insync.replicas": "2"}, false, nil},
		{"removed owned key is deleted", map[string]string{"retention.ms": "604800000", "cleanup.policy": "delete"},
			map[string]string{"retention.ms": "604800000"}, false, []op{{"delete", "cleanup.policy", ""}}},
		{"keys set outside Pulumi are left alone", nil, map[string]string{"retention.ms": "604800000"}, false, nil},
		{"strict removes keys set outside Pulumi", nil, map[string]string{"retention.ms": "604800000", "cleanup.policy": "delete"}, true,
			[]op{{"delete", "segment.bytes", ""}}},
		{"recorded drift is corrected even if this broker has not seen it", map[string]string{"retention.ms": "5"}, map[string]string{"retention.ms": "604800000"}, false,
			[]op{{"set", "retention.ms", "604800000"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []op
			for _, o := range configOps(tc.before, tc.after, observed, tc.strict) {
				kind, val := "set", ""
				if o.Op == kadm.DeleteConfig {
					kind = "delete"
				}
				if o.Value != nil {
					val = *o.Value
				}
				got = append(got, op{kind, o.Name, val})
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ops = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDiffTopic(t *testing.T) {
	base := TopicState{TopicArgs: TopicArgs{Name: "t", Partitions: 6, ReplicationFactor: 3,
		Config: map[string]string{"retention.ms": "1000"}, DeletionProtection: boolp(false)}}
	with := func(f func(*TopicArgs)) TopicArgs { a := base.TopicArgs; f(&a); return a }
	cases := []struct {
		name    string
		in      TopicArgs
		want    map[string]p.DiffKind
		wantErr string
	}{
		{"no change", base.TopicArgs, map[string]p.DiffKind{}, ""},
		{"partition increase is an update", with(func(a *TopicArgs) { a.Partitions = 12 }), map[string]p.DiffKind{"partitions": p.Update}, ""},
		{"partition decrease is refused", with(func(a *TopicArgs) { a.Partitions = 3 }), nil, "Kafka cannot remove partitions"},
		{"partition decrease with replace", with(func(a *TopicArgs) { a.Partitions = 3; a.OnPartitionDecrease = strp("replace") }),
			map[string]p.DiffKind{"partitions": p.UpdateReplace, "onPartitionDecrease": p.Update}, ""},
		{"rename replaces", with(func(a *TopicArgs) { a.Name = "u" }), map[string]p.DiffKind{"name": p.UpdateReplace}, ""},
		{"rf increase is an update", with(func(a *TopicArgs) { a.ReplicationFactor = 4 }), map[string]p.DiffKind{"replicationFactor": p.Update}, ""},
		{"rf decrease is refused", with(func(a *TopicArgs) { a.ReplicationFactor = 1 }), nil,
			`topic "t" has replication factor 3 and the program asks for 1: this removes 2 of the 3 copies of each of its 6 partitions (12 replicas in all); ` +
				"afterwards the topic survives 0 broker failure(s) instead of 2 without losing acknowledged data. Keep replicationFactor at 3, " +
				"or, if fewer copies are intended, set onReplicationDecrease: allow on this topic"},
		{"rf decrease below min.insync.replicas names the refused writes", with(func(a *TopicArgs) {
			a.ReplicationFactor = 1
			a.Config = map[string]string{"retention.ms": "1000", "min.insync.replicas": "2"}
		}), nil, "with min.insync.replicas 2 above it every acks=all write would be refused"},
		{"rf decrease with explicit error mode is refused", with(func(a *TopicArgs) { a.ReplicationFactor = 2; a.OnReplicationDecrease = strp("error") }), nil,
			"set onReplicationDecrease: allow"},
		{"rf decrease allowed", with(func(a *TopicArgs) { a.ReplicationFactor = 2; a.OnReplicationDecrease = strp("allow") }),
			map[string]p.DiffKind{"replicationFactor": p.Update, "onReplicationDecrease": p.Update}, ""},
		{"config change", with(func(a *TopicArgs) { a.Config = map[string]string{"retention.ms": "2000"} }),
			map[string]p.DiffKind{`config["retention.ms"]`: p.Update}, ""},
		{"config key added and removed", with(func(a *TopicArgs) { a.Config = map[string]string{"cleanup.policy": "compact"} }),
			map[string]p.DiffKind{`config["retention.ms"]`: p.Delete, `config["cleanup.policy"]`: p.Add}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, err := diffTopic(base, tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]p.DiffKind{}
			for k, v := range d.DetailedDiff {
				got[k] = v.Kind
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("diff = %v, want %v", got, tc.want)
			}
			if d.HasChanges != (len(tc.want) > 0) {
				t.Errorf("HasChanges = %v", d.HasChanges)
			}
			if !d.DeleteBeforeReplace {
				t.Error("replacements must delete first: Kafka cannot hold two topics with one name")
			}
		})
	}
}

func TestDiffRefusesReplacingProtectedTopic(t *testing.T) {
	state := TopicState{TopicArgs: TopicArgs{Name: "t", Partitions: 6, ReplicationFactor: 3}}
	_, err := diffTopic(state, TopicArgs{Name: "renamed", Partitions: 6, ReplicationFactor: 3})
	if err == nil || !strings.Contains(err.Error(), "deletionProtection is on") {
		t.Fatalf("err = %v, want a refusal naming deletionProtection", err)
	}
}

func TestStrictConfigDiffShowsForeignKeys(t *testing.T) {
	state := TopicState{
		TopicArgs:       TopicArgs{Name: "t", Partitions: 1, ReplicationFactor: 1, StrictConfig: boolp(true), DeletionProtection: boolp(false)},
		EffectiveConfig: map[string]ConfigValue{"segment.bytes": topicLevel("1048576")},
	}
	d, err := diffTopic(state, state.TopicArgs)
	if err != nil {
		t.Fatal(err)
	}
	if d.DetailedDiff[`config["segment.bytes"]`].Kind != p.Delete {
		t.Errorf("strict topic with a foreign key: diff = %v", d.DetailedDiff)
	}
}

func TestPlanReassignment(t *testing.T) {
	current := map[int32][]int32{0: {1, 2}, 1: {2, 3}, 2: {3, 1}}
	up, err := planReassignment(current, []int32{1, 2, 3}, 3)
	if err != nil {
		t.Fatal(err)
	}
	for part, reps := range up {
		if len(reps) != 3 || reps[0] != current[part][0] || reps[1] != current[part][1] {
			t.Errorf("partition %d: %v keeps neither leader nor order of %v", part, reps, current[part])
		}
		seen := map[int32]bool{}
		for _, r := range reps {
			if seen[r] {
				t.Errorf("partition %d: duplicate replica in %v", part, reps)
			}
			seen[r] = true
		}
	}
	down, _ := planReassignment(current, []int32{1, 2, 3}, 1)
	if !reflect.DeepEqual(down, map[int32][]int32{0: {1}, 1: {2}, 2: {3}}) {
		t.Errorf("decrease keeps the preferred leader: got %v", down)
	}
	if _, err := planReassignment(current, []int32{1, 2, 3}, 4); err == nil || !strings.Contains(err.Error(), "needs at least 4 brokers") {
		t.Errorf("rf above broker count: err = %v", err)
	}
}

// TestValidateTopicArgs: Check refuses with the rules stacks.Load applies (topicrules), each
// failure on the top-level input the engine shows, its reason starting with the exact path.
func TestValidateTopicArgs(t *testing.T) {
	cases := []struct {
		name string
		args TopicArgs
		prop string
		path string
	}{
		{"negative partitions", TopicArgs{Name: "t", Partitions: -1, ReplicationFactor: 1}, "partitions", "partitions = -1"},
		{"zero rf", TopicArgs{Name: "t", Partitions: 1, ReplicationFactor: 0}, "replicationFactor", "replicationFactor = 0"},
		{"rf beyond the protocol", TopicArgs{Name: "t", Partitions: 1, ReplicationFactor: 40000}, "replicationFactor", "replicationFactor = 40000"},
		{"bad name", TopicArgs{Name: "a/b", Partitions: 1, ReplicationFactor: 1}, "name", `name = "a/b"`},
		{"dot name", TopicArgs{Name: ".", Partitions: 1, ReplicationFactor: 1}, "name", `name = "."`},
		{"long name", TopicArgs{Name: strings.Repeat("x", 250), Partitions: 1, ReplicationFactor: 1}, "name", "name = (250 characters)"},
		{"non-numeric retention", TopicArgs{Name: "t", Partitions: 1, ReplicationFactor: 1, Config: map[string]string{"retention.ms": "7d"}},
			"config", `config.retention.ms = "7d"`},
		// The provider did not check cleanup.policy before the rules were shared with stacks.
		{"unknown cleanup policy", TopicArgs{Name: "t", Partitions: 1, ReplicationFactor: 1, Config: map[string]string{"cleanup.policy": "purge"}},
			"config", `config.cleanup.policy = "purge"`},
		{"bad decrease mode", TopicArgs{Name: "t", Partitions: 1, ReplicationFactor: 1, OnPartitionDecrease: strp("shrink")}, "onPartitionDecrease", `onPartitionDecrease = "shrink"`},
		{"bad replication decrease mode", TopicArgs{Name: "t", Partitions: 1, ReplicationFactor: 1, OnReplicationDecrease: strp("yes")},
			"onReplicationDecrease", `onReplicationDecrease = "yes"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := validateTopicArgs(tc.args)
			if len(fs) != 1 || fs[0].Property != tc.prop || !strings.HasPrefix(fs[0].Reason, tc.path+":") {
				t.Errorf("failures = %+v, want one on %s whose reason starts with %q", fs, tc.prop, tc.path)
			}
		})
	}
	if fs := validateTopicArgs(TopicArgs{Name: "market-telemetry", Partitions: 12, ReplicationFactor: 3,
		Config: map[string]string{"retention.ms": "604800000"}}); len(fs) != 0 {
		t.Errorf("valid topic refused: %+v", fs)
	}
}
