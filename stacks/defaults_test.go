package stacks

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestPulumiYAMLDefaultsMatchGo: users read the defaults in Pulumi.yaml, the program falls
// back to the Go ones when a key is absent; they must be the same.
func TestPulumiYAMLDefaultsMatchGo(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var proj struct {
		Config map[string]struct {
			Default any `yaml:"default"`
		} `yaml:"config"`
	}
	if err := yaml.Unmarshal(raw, &proj); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]any{KeyTopics: defaultTopics(), KeySchemas: defaultSchemas()} {
		b, err := json.Marshal(proj.Config[Project+":"+key].Default)
		if err != nil {
			t.Fatal(err)
		}
		got := reflect.New(reflect.TypeOf(want))
		if err := decodeStrict(string(b), got.Interface()); err != nil {
			t.Fatalf("%s default in Pulumi.yaml: %v", key, err)
		}
		if !reflect.DeepEqual(got.Elem().Interface(), want) {
			t.Errorf("%s: Pulumi.yaml default %+v\n differs from the Go default %+v", key, got.Elem().Interface(), want)
		}
	}
}
