//go:build render

package render

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"

	"github.com/marketbus/market-bus/stacks"
)

// Where the pieces live; scripts/render-prod-manifests sets all three.
const (
	envProviderDir = "MARKETBUS_K8S_PROVIDER_DIR" // holds pulumi-resource-kubernetes
	envPulumiRoot  = "MARKETBUS_PULUMI_ROOT"      // holds bin/pulumi
	envRenderDir   = "MARKETBUS_RENDER_DIR"       // keeps the manifests; a temp dir when unset
)

// TestRenderProd renders the prod cluster and checks every manifest.
func TestRenderProd(t *testing.T) {
	root, err := stacks.FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	providerDir := envOr(envProviderDir, filepath.Join(root, ".cache", "k8s-provider", "bin"))
	if _, err := os.Stat(filepath.Join(providerDir, "pulumi-resource-kubernetes")); err != nil {
		t.Fatalf("no Kubernetes provider plugin in %s: run scripts/render-prod-manifests (make render-prod), which builds it: %v", providerDir, err)
	}
	pulumiRoot := envOr(envPulumiRoot, filepath.Join(root, ".cache", "pulumi"))
	if _, err := os.Stat(filepath.Join(pulumiRoot, "bin", "pulumi")); err != nil {
		t.Fatalf("no Pulumi CLI in %s/bin: run scripts/toolchain pulumi: %v", pulumiRoot, err)
	}
	renderDir := os.Getenv(envRenderDir)
	if renderDir == "" {
		renderDir = filepath.Join(t.TempDir(), "manifests")
	} else if renderDir, err = filepath.Abs(renderDir); err != nil {
		t.Fatal(err)
	}
	// Render mode writes one file per object and never deletes on create: start empty, so
	// every file checked below is one this run wrote.
	if err := os.RemoveAll(renderDir); err != nil {
		t.Fatal(err)
	}

	src, err := prodSource(root)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := stacks.Load("prod", src)
	if err != nil {
		t.Fatalf("the prod config does not load: %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	st := openStack(ctx, t, spec, renderDir, providerDir, pulumiRoot)

	start := time.Now()
	var progress bytes.Buffer
	up, err := st.Up(ctx, optup.ProgressStreams(&progress))
	t.Logf("pulumi up (render mode):\n%s", strings.TrimSpace(progress.String()))
	if err != nil {
		t.Fatalf("up in render mode failed: %v", err)
	}
	t.Logf("up rendered into %s in %s; changes %v", renderDir, time.Since(start).Round(time.Millisecond), deref(up.Summary.ResourceChanges))

	// Rendering is deterministic: a second run of the same program changes nothing (a
	// config hash or a map order that moved would roll every broker on each deploy).
	pre, err := st.Preview(ctx)
	if err != nil {
		t.Fatalf("preview after up failed: %v", err)
	}
	for op, n := range pre.ChangeSummary {
		if op != "same" && n > 0 {
			t.Errorf("a second run of the unchanged program would %s %d resource(s): %v", op, n, pre.ChangeSummary)
		}
	}

	objs := loadRendered(t, renderDir)
	if t.Failed() {
		t.FailNow()
	}
	names := make([]string, 0, len(objs.files))
	for _, f := range objs.files {
		rel, _ := filepath.Rel(renderDir, f)
		names = append(names, rel)
	}
	sort.Strings(names)
	t.Logf("%d rendered file(s), each decoded strictly:\n  %s", len(names), strings.Join(names, "\n  "))
	checkProd(t, spec, objs)
}

// openStack makes a throwaway workspace: temp work dir, local file backend, private
// PULUMI_HOME, no plugin downloads, the kubernetes plugin from providerDir, and every default
// provider disabled, so an object that missed the render provider fails instead of reaching
// whatever cluster a kubeconfig names.
func openStack(ctx context.Context, t *testing.T, spec stacks.Spec, renderDir, providerDir, pulumiRoot string) auto.Stack {
	t.Helper()
	// The SDK's NewProvider copies $KUBECONFIG of this process into the provider's inputs:
	// render mode must not depend on, or read, the developer's cluster config.
	t.Setenv("KUBECONFIG", "")
	os.Unsetenv("KUBECONFIG")
	tmp := t.TempDir()
	for _, d := range []string{"work", "backend", "home"} {
		if err := os.MkdirAll(filepath.Join(tmp, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	proj := workspace.Project{
		Name:    stacks.Project,
		Runtime: workspace.NewProjectRuntimeInfo("go", nil),
		Plugins: &workspace.Plugins{Providers: []workspace.PluginOptions{{Name: "kubernetes", Path: providerDir}}},
		Backend: &workspace.ProjectBackend{URL: "file://" + filepath.Join(tmp, "backend")},
	}
	ps := workspace.ProjectStack{Config: config.Map{
		config.MustMakeKey("pulumi", "disable-default-providers"): config.NewObjectValue(`["*"]`),
	}}
	cmd, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: pulumiRoot, SkipVersionCheck: true})
	if err != nil {
		t.Fatalf("using the Pulumi CLI in %s: %v", pulumiRoot, err)
	}
	st, err := auto.UpsertStackInlineSource(ctx, spec.Stack, stacks.Project, renderProgram(spec, renderDir),
		auto.WorkDir(filepath.Join(tmp, "work")),
		auto.Project(proj),
		auto.Stacks(map[string]workspace.ProjectStack{spec.Stack: ps}),
		auto.SecretsProvider("passphrase"),
		auto.Pulumi(cmd),
		auto.EnvVars(map[string]string{
			"PULUMI_HOME":                                 filepath.Join(tmp, "home"),
			"PULUMI_BACKEND_URL":                          "file://" + filepath.Join(tmp, "backend"),
			"PULUMI_CONFIG_PASSPHRASE":                    "render-only",
			"PULUMI_SKIP_UPDATE_CHECK":                    "true",
			"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
			// Render mode needs no cluster; a kubeconfig that does not exist keeps the
			// provider from even reading the developer's.
			"KUBECONFIG": filepath.Join(tmp, "no-kubeconfig"),
		}),
	)
	if err != nil {
		t.Fatalf("opening the render stack: %v", err)
	}
	return st
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func deref(m *map[string]int) map[string]int {
	if m == nil {
		return nil
	}
	return *m
}
