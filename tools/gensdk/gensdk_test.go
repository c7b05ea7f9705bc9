package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/marketbus/market-bus/provider"
)

// TestMarketbusSDKIsCurrent fails when sdk/go/marketbus differs from what the provider's
// schema generates: the SDK must never be edited by hand or left stale.
func TestMarketbusSDKIsCurrent(t *testing.T) {
	spec, err := ProviderSpec(provider.Name)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Generate(spec, "")
	if err != nil {
		t.Fatal(err)
	}
	if stale := staleFiles(t, filepath.Join("..", "..", "sdk", "go", "marketbus"), want); len(stale) > 0 {
		t.Errorf("sdk/go/marketbus is stale in %v: run `make sdk`", stale)
	}
}

// TestGrafanaSDKIsCurrent fails when the committed sdk/go/grafana differs from what the
// Grafana provider's schema (in ../shared, or GRAFANA_SCHEMA) generates: it is committed so
// that a fresh clone builds, and must never be edited by hand.
func TestGrafanaSDKIsCurrent(t *testing.T) {
	schemaFile := os.Getenv("GRAFANA_SCHEMA")
	if schemaFile == "" {
		schemaFile = filepath.Join("..", "..", "..", "shared", "provider-schemas", "grafana-v2.38.0.json")
	}
	if _, err := os.Stat(schemaFile); err != nil {
		t.Skipf("the Grafana provider schema is not here (%v): clone beside `shared`, or set GRAFANA_SCHEMA", err)
	}
	spec, err := loadSpec("", schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Generate(spec, "github.com/marketbus/market-bus/sdk/go/grafana")
	if err != nil {
		t.Fatal(err)
	}
	if stale := staleFiles(t, filepath.Join("..", "..", "sdk", "go", "grafana"), want); len(stale) > 0 {
		t.Errorf("sdk/go/grafana is stale in %v: run `scripts/gen-grafana-sdk --force`", stale)
	}
}

// staleFiles lists the files under dir that differ from want, and those want lacks. The
// git-ignored .gensdk-stamp is scripts/gen-grafana-sdk's cache key, not part of the SDK.
func staleFiles(t *testing.T, dir string, want map[string][]byte) []string {
	t.Helper()
	got := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == ".gensdk-stamp" {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		b, err := os.ReadFile(path)
		got[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var stale []string
	for path, b := range want {
		if !bytes.Equal(got[path], b) {
			stale = append(stale, path)
		}
	}
	for path := range got {
		if _, ok := want[path]; !ok {
			stale = append(stale, path+" (not generated)")
		}
	}
	sort.Strings(stale)
	return stale
}

func TestGenerateRefusesUnversionedSchema(t *testing.T) {
	spec, err := ProviderSpec(provider.Name)
	if err != nil {
		t.Fatal(err)
	}
	spec.Version = ""
	if _, err := Generate(spec, ""); err == nil {
		t.Error("Generate accepted a schema without a version")
	}
}
