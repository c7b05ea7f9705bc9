// Command gensdk generates a Go SDK from a Pulumi package schema with Pulumi's own Go code
// generator, without the Go language plugin that `pulumi package gen-sdk` would need.
//
//	gensdk -provider marketbus -out sdk/go/marketbus
//	gensdk -schema grafana.json -import-base github.com/.../sdk/go/grafana -out sdk/go/grafana
//
// With -provider the schema comes from our provider itself (the same GetSchema answer the
// binary gives the engine); with -schema from a JSON file.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/blang/semver"
	p "github.com/pulumi/pulumi-go-provider"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"

	"github.com/marketbus/market-bus/provider"
)

func main() {
	var (
		prov       = flag.String("provider", "", "generate from the in-repo provider of this name (only \"marketbus\")")
		schemaFile = flag.String("schema", "", "generate from this schema JSON file")
		importBase = flag.String("import-base", "", "Go import path of the generated package (overrides the schema's)")
		out        = flag.String("out", "", "directory to write the SDK into (replaced)")
	)
	flag.Parse()
	if *out == "" || (*prov == "") == (*schemaFile == "") {
		fmt.Fprintln(os.Stderr, "usage: gensdk (-provider marketbus | -schema FILE [-import-base PATH]) -out DIR")
		os.Exit(2)
	}
	spec, err := loadSpec(*prov, *schemaFile)
	if err == nil {
		var files map[string][]byte
		files, err = Generate(spec, *importBase)
		if err == nil {
			err = write(*out, files)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gensdk:", err)
		os.Exit(1)
	}
}

func loadSpec(prov, file string) (schema.PackageSpec, error) {
	if prov != "" {
		return ProviderSpec(prov)
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return schema.PackageSpec{}, fmt.Errorf("reading schema: %w", err)
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return schema.PackageSpec{}, fmt.Errorf("parsing schema %s: %w", file, err)
	}
	return spec, nil
}

// ProviderSpec asks the in-repo provider for its schema.
func ProviderSpec(name string) (schema.PackageSpec, error) {
	if name != provider.Name {
		return schema.PackageSpec{}, fmt.Errorf("unknown provider %q: only %q lives in this repository", name, provider.Name)
	}
	prov, err := provider.New()
	if err != nil {
		return schema.PackageSpec{}, err
	}
	spec, err := p.GetSchema(context.Background(), provider.Name, provider.Version, prov)
	if err != nil {
		return schema.PackageSpec{}, fmt.Errorf("getting the %s schema: %w", name, err)
	}
	return spec, nil
}

// Generate binds the schema and returns the generated files by relative path. Schemas that
// refer to other packages are refused: the SDK must be self-contained.
func Generate(spec schema.PackageSpec, importBase string) (map[string][]byte, error) {
	if spec.Version == "" {
		return nil, errors.New("the schema has no version; the SDK must pin one so the engine loads a matching plugin")
	}
	if _, err := semver.ParseTolerant(spec.Version); err != nil {
		return nil, fmt.Errorf("schema version %q: %w", spec.Version, err)
	}
	if importBase != "" {
		lang := map[string]any{}
		if raw, ok := spec.Language["go"]; ok {
			if err := json.Unmarshal(raw, &lang); err != nil {
				return nil, fmt.Errorf("reading language.go of the schema: %w", err)
			}
		}
		lang["importBasePath"] = importBase
		raw, err := json.Marshal(lang)
		if err != nil {
			return nil, err
		}
		if spec.Language == nil {
			spec.Language = map[string]schema.RawMessage{}
		}
		spec.Language["go"] = raw
	}
	pkg, diags, err := schema.BindSpec(spec, refuseLoader{}, schema.ValidationOptions{})
	if err != nil {
		return nil, fmt.Errorf("binding schema: %w", err)
	}
	if diags.HasErrors() {
		return nil, fmt.Errorf("binding schema: %s", diags.Error())
	}
	files, err := gogen.GeneratePackage("gensdk", pkg, nil)
	if err != nil {
		return nil, fmt.Errorf("generating Go code: %w", err)
	}
	// The generator nests files under the package name; the output dir already is that package.
	prefix := pkg.Name + "/"
	out := map[string][]byte{}
	for path, b := range files {
		out[strings.TrimPrefix(path, prefix)] = b
	}
	return out, nil
}

// refuseLoader refuses every external package, so a schema that needs one fails loudly
// instead of reaching for the network.
type refuseLoader struct{}

func (refuseLoader) LoadPackage(pkg string, _ *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("schema refers to package %q; external packages are not supported", pkg)
}

func (l refuseLoader) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return l.LoadPackage(d.Name, nil)
}

// write replaces dir with the generated files.
func write(dir string, files map[string][]byte) error {
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("clearing %s: %w", dir, err)
	}
	paths := make([]string, 0, len(files))
	for path := range files {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	for _, path := range paths {
		full := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, files[path], 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", full, err)
		}
	}
	return nil
}
