package stacks

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/marketbus/market-bus/topicrules"
)

// entryDefaults are what a field left out of one market-bus:topics or market-bus:schemas
// entry means: TopicSpec.Protected, SchemaSpec.level and the provider's input defaults
// apply them (TestEntryDefaultsAreThePrograms checks the first two against the code).
func entryDefaults() map[string]map[string]any {
	return map[string]map[string]any{
		KeyTopics: {"deletionProtection": true, "onPartitionDecrease": topicrules.PartitionDecreaseError,
			"onReplicationDecrease": topicrules.ReplicationDecreaseError, "strictConfig": false},
		KeySchemas: {"type": "AVRO", "compatibility": "BACKWARD", "deletionMode": "soft"},
	}
}

// repeatedDefaults lists the values of a stack file (its config map, as YAML decodes it)
// that are equal to the default they would take anyway, for the keys the table covers:
// a topics or schemas list equal to the default list, an entry field equal to its default,
// and a gate field equal to the stack's gate default.
func repeatedDefaults(d Defaults, stack string, config map[string]any) []string {
	var found []string
	entries := entryDefaults()
	for key, def := range map[string]any{KeyTopics: d.Topics, KeySchemas: d.Schemas} {
		raw, ok := config[Key(key)]
		if !ok {
			continue
		}
		b, _ := json.Marshal(raw)
		got := reflect.New(reflect.TypeOf(def))
		if err := decodeStrict(string(b), got.Interface()); err == nil && reflect.DeepEqual(got.Elem().Interface(), def) {
			found = append(found, fmt.Sprintf("%s is the default list: remove it", Key(key)))
			continue
		}
		list, _ := raw.([]any)
		for i, e := range list {
			entry, _ := e.(map[string]any)
			for field, v := range entry {
				if want, ok := entries[key][field]; ok && sameJSON(v, want) {
					found = append(found, fmt.Sprintf("%s[%d].%s = %v is its default: remove it", Key(key), i, field, v))
				}
			}
		}
	}
	cluster, _ := d.clusterFor(stack, stackEnvironment(config))
	for key, stackDefault := range map[string]any{KeyGate: d.gateFor(stack), KeyCluster: cluster, KeyMonitoring: d.monitoringFor(stack),
		KeyNodePool: NodePoolSpec{}.WithDefaults()} {
		raw, ok := config[Key(key)].(map[string]any)
		if !ok {
			continue
		}
		var def map[string]any
		b, _ := json.Marshal(stackDefault)
		_ = json.Unmarshal(b, &def)
		for field, v := range raw {
			if want, ok := def[field]; ok && sameJSON(v, want) {
				found = append(found, fmt.Sprintf("%s.%s = %v is the %s default: remove it", Key(key), field, v, stack))
			}
		}
	}
	sort.Strings(found)
	return found
}

// sameJSON compares two decoded values as JSON, so YAML's 3 and the table's 3.0 are equal.
func sameJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	if errA != nil || errB != nil {
		return false
	}
	var va, vb any
	return json.Unmarshal(ja, &va) == nil && json.Unmarshal(jb, &vb) == nil && reflect.DeepEqual(va, vb)
}

func stackConfig(t *testing.T, file string) map[string]any {
	t.Helper()
	var f struct {
		Config map[string]any `yaml:"config"`
	}
	if err := yaml.Unmarshal(readRepoFile(t, file), &f); err != nil {
		t.Fatal(err)
	}
	return f.Config
}

// TestStackFilesHoldOnlyDifferences: no stack file repeats a default of the table.
func TestStackFilesHoldOnlyDifferences(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "Pulumi.*.yaml"))
	if err != nil || len(files) < 4 {
		t.Fatalf("stack files: %v %v", files, err)
	}
	d := DefaultTable()
	for _, f := range files {
		name := filepath.Base(f)
		stack := name[len("Pulumi.") : len(name)-len(".yaml")]
		for _, r := range repeatedDefaults(d, stack, stackConfig(t, name)) {
			t.Errorf("%s: %s", name, r)
		}
	}
}

// TestRepeatedDefaultsAreFound: the check above flags each kind of repeat, and only repeats.
func TestRepeatedDefaultsAreFound(t *testing.T) {
	d := DefaultTable()
	var topics, schemas any
	b, _ := json.Marshal(d.Topics)
	_ = json.Unmarshal(b, &topics)
	b, _ = json.Marshal(d.Schemas)
	_ = json.Unmarshal(b, &schemas)
	cases := []struct {
		name   string
		stack  string
		config map[string]any
		want   []string
	}{
		{"default topics", "dev", map[string]any{Key(KeyTopics): topics}, []string{"market-bus:topics is the default list: remove it"}},
		{"default schemas", "dev", map[string]any{Key(KeySchemas): schemas}, []string{"market-bus:schemas is the default list: remove it"}},
		{"entry defaults", "dev", map[string]any{
			Key(KeyTopics):  []any{map[string]any{"name": "t", "partitions": 1, "replicationFactor": 1, "deletionProtection": true}},
			Key(KeySchemas): []any{map[string]any{"subject": "s", "file": "f", "compatibility": "BACKWARD", "deletionMode": "hard"}},
		}, []string{"market-bus:schemas[0].compatibility = BACKWARD is its default: remove it",
			"market-bus:topics[0].deletionProtection = true is its default: remove it"}},
		{"the stack's own gate default", "local", map[string]any{Key(KeyGate): map[string]any{"lingerMs": 10, "rate": 30000}},
			[]string{"market-bus:gate.lingerMs = 10 is the local default: remove it"}},
		{"another stack's gate default is a difference", "prod", map[string]any{Key(KeyGate): map[string]any{"lingerMs": 10}}, nil},
		{"changed topics", "dev", map[string]any{Key(KeyTopics): []any{map[string]any{"name": "t", "partitions": 1, "replicationFactor": 1,
			"deletionProtection": false}}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := repeatedDefaults(d, tc.stack, tc.config); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("found %q, want %q", got, tc.want)
			}
		})
	}
}

// TestEntryDefaultsAreThePrograms: the entry defaults the check above relies on are what the
// program does with a field left out.
func TestEntryDefaultsAreThePrograms(t *testing.T) {
	entries := entryDefaults()
	if (TopicSpec{}).Protected() != entries[KeyTopics]["deletionProtection"] {
		t.Error("a topic without deletionProtection is not protected as entryDefaults says")
	}
	if got := (SchemaSpec{}).level(); got != entries[KeySchemas]["compatibility"] {
		t.Errorf("a subject without compatibility gets %q, entryDefaults says %v", got, entries[KeySchemas]["compatibility"])
	}
}

// stackEnvironment is the environment a stack file declares ("" when it leaves it out).
func stackEnvironment(config map[string]any) string {
	env, _ := config[Key(KeyEnvironment)].(string)
	return env
}
