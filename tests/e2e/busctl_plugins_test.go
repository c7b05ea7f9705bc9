package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// kubernetesPlugin is the Kubernetes provider plugin built from source by
// `scripts/render-prod-manifests plugin` (scripts/test builds it before these tests).
func kubernetesPlugin(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(repoRoot(t), ".cache", "k8s-provider", "bin", "pulumi-resource-kubernetes")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("the Kubernetes provider plugin is not built (%v): run `scripts/render-prod-manifests plugin`", err)
	}
	return bin
}

// TestBusctlFindsAPluginInPulumiHome: a plugin installed into the user's PULUMI_HOME the way
// `pulumi plugin install --file` does is what busctl lists as installed and what a prod
// preview loads: with monitoring off the whole preview runs and plans the Kubernetes objects
// with it; the full prod stack then stops at the grafana plugin (which cannot be had here)
// and names it. No test-only plugin path is involved.
func TestBusctlFindsAPluginInPulumiHome(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	home := t.TempDir()
	cli := filepath.Join(repoRoot(t), ".cache", "pulumi", "bin", "pulumi")
	install := exec.CommandContext(ctx, cli, "plugin", "install", "resource", "kubernetes", "v4.32.0", "--file", kubernetesPlugin(t))
	install.Env = append(os.Environ(), "PULUMI_HOME="+home, "PULUMI_SKIP_UPDATE_CHECK=true")
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("pulumi plugin install --file: %v\n%s", err, out)
	}

	r := runBusctl(t, ctx, []string{"PULUMI_HOME=" + home}, "plugins", "-s", "prod", "--json")
	var list []struct {
		Name, Version, Location string
		Installed               bool
	}
	if err := json.Unmarshal([]byte(r.Stdout), &list); r.Code != 0 || err != nil {
		t.Fatalf("plugins -s prod --json: exit %d, %v\n%s%s", r.Code, err, r.Stdout, r.Stderr)
	}
	for _, p := range list {
		if p.Name == "kubernetes" && (!p.Installed || !strings.HasPrefix(p.Location, filepath.Join(home, "plugins"))) {
			t.Errorf("kubernetes %s: installed %v at %s, want installed in %s", p.Version, p.Installed, p.Location, home)
		}
		if p.Name == "grafana" && p.Installed {
			t.Errorf("grafana is listed as installed in an empty PULUMI_HOME: %+v", p)
		}
	}

	raw, err := os.ReadFile(filepath.Join(repoRoot(t), "Pulumi.prod.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	env := []string{"PULUMI_HOME=" + home, "PULUMI_CONFIG_PASSPHRASE=e2e-prod-passphrase", "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true"}
	// preview runs a prod preview on a copy of Pulumi.prod.yaml changed by edit, with its
	// secrets set as the README says.
	preview := func(edit func(string) string) (busctlResult, string) {
		t.Helper()
		file := filepath.Join(t.TempDir(), "Pulumi.prod.yaml")
		if err := os.WriteFile(file, []byte(edit(string(raw))), 0o644); err != nil {
			t.Fatal(err)
		}
		stack := []string{"-s", "prod", "--config-file", file}
		for _, kv := range [][2]string{{"saslPassword", "e2e-Sasl-passw0rd"}, {"grafanaToken", "glsa_e2e_token"}} {
			if r := runBusctl(t, ctx, env, append([]string{"config", "set", "--secret", kv[0], kv[1]}, stack...)...); r.Code != 0 {
				t.Fatalf("config set --secret %s: exit %d\n%s", kv[0], r.Code, r.Stderr)
			}
		}
		r := runBusctl(t, ctx, env, append([]string{"preview", "--no-policy"}, stack...)...)
		return r, r.Stdout + r.Stderr
	}

	// Without monitoring the stack needs no plugin but ours and kubernetes: the whole preview
	// runs, the Kubernetes objects planned by the plugin from PULUMI_HOME.
	r, out := preview(func(s string) string {
		return strings.Replace(s, "  market-bus:monitoring:\n", "  market-bus:monitoring:\n    enabled: false\n", 1)
	})
	if r.Code != 0 || !strings.Contains(out, "kubernetes:apps/v1:StatefulSet") || !strings.Contains(out, "kubernetes:core/v1:Service") {
		t.Errorf("prod preview without monitoring: exit %d, want it to pass, planning the StatefulSet and Services:\n%s", r.Code, out)
	}
	// The real prod stack also needs grafana, which cannot be had here: the preview stops and
	// names it, never the kubernetes plugin.
	r, out = preview(func(s string) string { return s })
	if r.Code == 0 || strings.Contains(out, "pulumi-resource-kubernetes") || !strings.Contains(out, "pulumi-resource-grafana") {
		t.Errorf("prod preview: exit %d, want it stopped at the grafana plugin by name, with kubernetes found:\n%s", r.Code, out)
	}
}
