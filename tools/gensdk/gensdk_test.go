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
	dir := filepath.Join("..", "..", "sdk", "go", "marketbus")
	got := map[string][]byte{}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
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
	if len(stale) > 0 {
		t.Errorf("sdk/go/marketbus is stale in %v: run `make sdk`", stale)
	}
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
