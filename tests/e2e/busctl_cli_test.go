package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBusctlUsageAndExitCodes: help exits 0 at every level, a bad command line exits 2
// before anything runs, and changes without a terminal need --yes. Needs no cluster.
func TestBusctlUsageAndExitCodes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--help"}, 0, "Exit codes"},
		{[]string{"-h"}, 0, "Available Commands"},
		{nil, 0, "Available Commands"},
		{[]string{"up", "--help"}, 0, "--yes"},
		{[]string{"config", "set", "-h"}, 0, "--secret"},
		{[]string{"plugins", "install", "--help"}, 0, "PULUMI_HOME"},
		{[]string{"help", "gate"}, 0, "latency gate"},
		{[]string{"version"}, 0, "busctl"},
		{[]string{"--version"}, 0, "busctl version"},
		{[]string{"completion", "bash"}, 0, "bash completion"},
		{[]string{"completion", "zsh"}, 0, "compdef"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"up", "--bogus"}, 2, "unknown flag: --bogus"},
		{[]string{"up"}, 2, "no stack given"},
		{[]string{"gate", "-s", "local", "--mandatory"}, 2, "unknown flag: --mandatory"},
		{[]string{"preview", "-s", "local", "--config", "x=y"}, 2, "unknown flag: --config"},
		{[]string{"outputs", "-s", "local", "a", "b"}, 2, "accepts at most 1 arg"},
		{[]string{"bench", "--rate", "fast"}, 2, "invalid argument"},
		{[]string{"up", "-s", "local"}, 2, "pass --yes"},
		{[]string{"destroy", "-s", "local"}, 2, "pass --yes"},
		{[]string{"destroy", "-s", "prod", "--yes"}, 2, "--confirm-stack prod"},
		{[]string{"destroy", "-s", "prod", "--confirm-stack", "dev"}, 2, "does not match"},
		{[]string{"up", "-s", "nosuchstack", "--yes"}, 1, "has no config file"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := runBusctl(t, ctx, nil, tc.args...)
			all := r.Stdout + r.Stderr
			if r.Code != tc.code || !strings.Contains(all, tc.want) {
				t.Errorf("exit %d, want %d with %q:\n%s", r.Code, tc.code, tc.want, all)
			}
			// Errors are printed once, on stderr.
			if tc.code != 0 && strings.Count(r.Stderr, "busctl: ") != 1 {
				t.Errorf("want exactly one error line on stderr:\n%s", r.Stderr)
			}
		})
	}
}

// TestBusctlPluginsFromPulumiHome: busctl lists each plugin a stack needs at the version
// go.mod pins, looked up in the user's PULUMI_HOME, and our provider at the project path.
func TestBusctlPluginsFromPulumiHome(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	home := t.TempDir()
	type plugin struct {
		Name, Version, Server, Location string
		Installed                       bool
	}
	for _, tc := range []struct {
		stack string
		want  map[string]string
	}{
		{"local", map[string]string{"marketbus": "(project)"}},
		{"dev", map[string]string{"marketbus": "(project)", "docker": "4.10.0", "grafana": "2.38.0"}},
		{"prod", map[string]string{"marketbus": "(project)", "kubernetes": "4.32.0", "grafana": "2.38.0"}},
	} {
		r := runBusctl(t, ctx, []string{"PULUMI_HOME=" + home}, "plugins", "-s", tc.stack, "--json")
		if r.Code != 0 {
			t.Fatalf("plugins -s %s: exit %d\n%s%s", tc.stack, r.Code, r.Stdout, r.Stderr)
		}
		var list []plugin
		if err := json.Unmarshal([]byte(r.Stdout), &list); err != nil {
			t.Fatalf("plugins --json is not JSON: %v\n%s", err, r.Stdout)
		}
		got := map[string]string{}
		for _, p := range list {
			got[p.Name] = p.Version
			switch {
			case p.Name == "marketbus" && !p.Installed:
				t.Errorf("%s: our provider is not found at %s", tc.stack, p.Location)
			case p.Name != "marketbus" && (p.Installed || !strings.HasPrefix(p.Location, filepath.Join(home, "plugins"))):
				t.Errorf("%s: %s should be looked up (and missing) in PULUMI_HOME %s: %+v", tc.stack, p.Name, home, p)
			case p.Name == "grafana" && p.Server != "github://api.github.com/pulumiverse":
				t.Errorf("grafana's download URL = %q", p.Server)
			}
		}
		if len(got) != len(tc.want) {
			t.Errorf("%s: plugins %v, want %v", tc.stack, got, tc.want)
		}
		for name, v := range tc.want {
			if got[name] != v {
				t.Errorf("%s: plugin %s version %q, want %q", tc.stack, name, got[name], v)
			}
		}
	}
}

// TestBusctlConfigSecretOnDev: `busctl config set --secret` encrypts into the stack file
// busctl deploys from, `config get` decrypts it, a wrong passphrase cannot, and `config rm`
// removes it. A dev preview reads it: with the secret the program gets past its config and
// plans the cluster, then stops at the docker plugin (which cannot be had here, and the
// error names it); with a wrong passphrase it stops at decryption, within seconds (busctl
// once waited forever there); without the secret the program names the missing key.
func TestBusctlConfigSecretOnDev(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	raw, err := os.ReadFile(filepath.Join(repoRoot(t), "Pulumi.dev.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "Pulumi.dev.yaml")
	if err := os.WriteFile(file, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"PULUMI_HOME=" + t.TempDir()}
	stack := []string{"-s", "dev", "--config-file", file}
	args := func(a ...string) []string { return append(a, stack...) }

	const password = "e2e-Graf4na-admin"
	if r := runBusctl(t, ctx, env, args("config", "set", "grafanaAdminPassword", password)...); r.Code != 2 || !strings.Contains(r.Stderr, "--secret") {
		t.Errorf("a password set without --secret: exit %d, want 2 asking for --secret:\n%s", r.Code, r.Stderr)
	}
	if r := runBusctl(t, ctx, env, args("config", "set", "--secret", "grafanaAdminPassword", password)...); r.Code != 0 {
		t.Fatalf("config set --secret: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	written, _ := os.ReadFile(file)
	if strings.Contains(string(written), password) || !strings.Contains(string(written), "secure:") ||
		!strings.Contains(string(written), "encryptionsalt:") || !strings.Contains(string(written), "# The dev stack") {
		t.Errorf("stack file after config set --secret: want the value encrypted with its salt and the comments kept:\n%s", written)
	}
	if r := runBusctl(t, ctx, env, args("config", "get", "market-bus:grafanaAdminPassword")...); r.Code != 0 || strings.TrimSpace(r.Stdout) != password {
		t.Errorf("config get: exit %d, stdout %q, want the decrypted value\n%s", r.Code, r.Stdout, r.Stderr)
	}

	// A wrong passphrase cannot decrypt it.
	wrong := runBusctl(t, ctx, append(env, "PULUMI_CONFIG_PASSPHRASE=not-the-passphrase"), args("config", "get", "market-bus:grafanaAdminPassword")...)
	if wrong.Code == 0 || strings.Contains(wrong.Stdout, password) {
		t.Errorf("config get with a wrong passphrase: exit %d, want a decryption failure:\n%s%s", wrong.Code, wrong.Stdout, wrong.Stderr)
	}

	// Automatic plugin acquisition is off so the run is the same with or without internet.
	previewEnv := append(env, "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true")
	preview := func(extra ...string) busctlResult {
		t.Helper()
		start := time.Now()
		r := runBusctl(t, ctx, append(previewEnv, extra...), args("preview", "--no-policy")...)
		if d := time.Since(start); d > 2*time.Minute {
			t.Errorf("preview took %v: a failed preview must return promptly", d)
		}
		return r
	}
	r := preview()
	out := r.Stdout + r.Stderr
	if r.Code == 0 || strings.Contains(out, "market-bus:grafanaAdminPassword = (not set)") ||
		!strings.Contains(out, "marketbus:cluster:RedpandaCluster") || !strings.Contains(out, "pulumi-resource-docker") {
		t.Errorf("dev preview with the secret: exit %d, want the program past its config, planning the cluster, then stopped at the docker plugin by name:\n%s", r.Code, out)
	}
	r = preview("PULUMI_CONFIG_PASSPHRASE=not-the-passphrase")
	if out := r.Stdout + r.Stderr; r.Code == 0 || !strings.Contains(out, "incorrect passphrase") || strings.Contains(out, "marketbus:cluster:RedpandaCluster") {
		t.Errorf("dev preview with a wrong passphrase: exit %d, want it stopped at decryption before the program ran:\n%s", r.Code, out)
	}

	if r := runBusctl(t, ctx, env, args("config", "rm", "grafanaAdminPassword")...); r.Code != 0 {
		t.Errorf("config rm: exit %d\n%s", r.Code, r.Stderr)
	}
	if r := runBusctl(t, ctx, env, args("config", "get", "grafanaAdminPassword")...); r.Code != 1 {
		t.Errorf("config get after rm: exit %d, want 1\n%s", r.Code, r.Stderr)
	}
	if r := preview(); r.Code == 0 || !strings.Contains(r.Stdout+r.Stderr, "market-bus:grafanaAdminPassword = (not set)") {
		t.Errorf("dev preview without the secret: exit %d, want the program to name the missing key:\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
}
