package provider

import (
	"context"
	"strings"
	"testing"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
)

// TestConfigChangesNeverReplaceTheProvider: a replaced provider replaces every topic it
// manages, so a new registry URL or client id must be an update.
func TestConfigChangesNeverReplaceTheProvider(t *testing.T) {
	id := "a"
	old := &Config{BootstrapServers: []string{"h:1"}}
	now := &Config{BootstrapServers: []string{"h:1"}, ClientID: &id, SchemaRegistry: &RegistryConfig{URL: "http://r:1"}}
	d, err := (&Config{}).Diff(context.Background(), infer.DiffRequest[*Config, *Config]{State: old, Inputs: now})
	if err != nil {
		t.Fatal(err)
	}
	if !d.HasChanges || len(d.DetailedDiff) != 2 {
		t.Fatalf("diff = %+v, want clientId and schemaRegistry", d)
	}
	for k, v := range d.DetailedDiff {
		if v.Kind != p.Update {
			t.Errorf("%s: %v, want an in-place update", k, v.Kind)
		}
	}
	same, _ := (&Config{}).Diff(context.Background(), infer.DiffRequest[*Config, *Config]{State: old, Inputs: old})
	if same.HasChanges {
		t.Error("equal configs differ")
	}
}

func TestConfigValidate(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no servers", Config{}, "bootstrapServers is empty"},
		{"no port", Config{BootstrapServers: []string{"localhost"}}, "not host:port"},
		{"bad port", Config{BootstrapServers: []string{"h:0"}}, "outside 1-65535"},
		{"bad sasl", Config{BootstrapServers: []string{"h:1"}, SASL: &SASLConfig{Mechanism: "GSSAPI"}}, "GSSAPI"},
		{"bad registry", Config{BootstrapServers: []string{"h:1"}, SchemaRegistry: &RegistryConfig{URL: "ftp://x"}}, "not an http(s) URL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
