package driver

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
)

// TestPassphraseFollowsTheEnvironment: the public local passphrase is refused for every
// production stack, whatever its name, and used for development and staging ones.
func TestPassphraseFollowsTheEnvironment(t *testing.T) {
	root, proj := repoProject(t)
	cases := []struct {
		name, stack, file string
		wantErr           string // empty: the local passphrase is used
	}{
		{"prod by name", "prod", "", "stack prod is a production stack (market-bus:environment: production) and needs PULUMI_CONFIG_PASSPHRASE"},
		{"prod-eu declaring production", "prod-eu", "config:\n  market-bus:environment: production\n", "stack prod-eu is a production stack"},
		{"prod-eu without environment", "prod-eu", "config: {}\n", `market-bus:environment = "": not set, and stack "prod-eu"`},
		{"prod-eu declaring staging", "prod-eu", "config:\n  market-bus:environment: staging\n", ""},
		{"local", "local", "config: {}\n", ""},
		{"dev declaring production", "dev", "config:\n  market-bus:environment: production\n", "stack dev is a production stack"},
		{"misspelt environment", "qa", "config:\n  market-bus:environment: Production\n", `market-bus:environment = "Production": not an environment`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("PULUMI_CONFIG_PASSPHRASE", "")
			t.Setenv("PULUMI_CONFIG_PASSPHRASE_FILE", "")
			dir := t.TempDir()
			file := filepath.Join(root, "Pulumi."+tc.stack+".yaml")
			if tc.file != "" {
				file = filepath.Join(dir, "Pulumi."+tc.stack+".yaml")
				if err := os.WriteFile(file, []byte(tc.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			ps, err := workspace.LoadProjectStack(nil, proj, file)
			if err != nil {
				t.Fatal(err)
			}
			o := Options{Root: dir, Stack: tc.stack, StackFile: file, BackendURL: "file://" + dir}
			env, err := o.env(ps, "passphrase")
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("env: %v", err)
			case tc.wantErr == "" && env["PULUMI_CONFIG_PASSPHRASE"] != LocalPassphrase:
				t.Errorf("passphrase %q, want the local one", env["PULUMI_CONFIG_PASSPHRASE"])
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("env: %v (passphrase %q), want an error containing %q", err, env["PULUMI_CONFIG_PASSPHRASE"], tc.wantErr)
			}
		})
	}
}

// repoProject is the repository's own root and Pulumi.yaml.
func repoProject(t *testing.T) (string, *workspace.Project) {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	proj, err := workspace.LoadProject(filepath.Join(root, "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return root, proj
}

// project writes a minimal project with a stack file and returns its root.
func project(t *testing.T, pulumiYAML, stack, stackYAML string) string {
	t.Helper()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "Pulumi.yaml"), []byte(pulumiYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "Pulumi."+stack+".yaml"), []byte(stackYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

const minimalProject = "name: market-bus\nruntime: go\n"

func TestBackendResolution(t *testing.T) {
	for _, tc := range []struct {
		name, pulumiYAML, flag, env, stack, stackYAML string
		want                                          string // "" means the in-checkout default
		wantErr                                       string
	}{
		{name: "default", pulumiYAML: minimalProject, stack: "local", stackYAML: "config: {}\n"},
		{name: "env", pulumiYAML: minimalProject, env: "s3://bucket/env", stack: "local", stackYAML: "config: {}\n", want: "s3://bucket/env"},
		{name: "flag beats env", pulumiYAML: minimalProject, flag: "gs://flag", env: "s3://bucket/env", stack: "local", stackYAML: "config: {}\n", want: "gs://flag"},
		{name: "project backend.url", pulumiYAML: minimalProject + "backend:\n  url: azblob://proj\n", stack: "local", stackYAML: "config: {}\n", want: "azblob://proj"},
		{name: "env beats project", pulumiYAML: minimalProject + "backend:\n  url: azblob://proj\n", env: "s3://env", stack: "local", stackYAML: "config: {}\n", want: "s3://env"},
		{name: "prod refuses the checkout", pulumiYAML: minimalProject, stack: "prod", stackYAML: "config: {}\n", wantErr: "production stack and its state would live in the checkout"},
		{name: "environment production refuses the checkout", pulumiYAML: minimalProject, stack: "prod-eu",
			stackYAML: "config:\n  market-bus:environment: production\n", wantErr: "production stack"},
		{name: "prod staging may use the checkout", pulumiYAML: minimalProject, stack: "prod",
			stackYAML: "config:\n  market-bus:environment: staging\n"},
		{name: "prod with a shared backend", pulumiYAML: minimalProject, flag: "s3://state", stack: "prod", stackYAML: "config: {}\n", want: "s3://state"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("PULUMI_BACKEND_URL", tc.env)
			root := project(t, tc.pulumiYAML, tc.stack, tc.stackYAML)
			o, err := Resolve(Options{Root: root, Stack: tc.stack, BackendURL: tc.flag})
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			if want == "" {
				want = "file://" + filepath.Join(root, ".state", "backend")
			}
			if o.BackendURL != want || o.DefaultBackend() != (tc.want == "") {
				t.Errorf("backend = %q (default %v), want %q", o.BackendURL, o.DefaultBackend(), want)
			}
			ps, err := workspace.LoadProjectStack(nil, o.project, o.StackFile)
			if err != nil {
				t.Fatal(err)
			}
			err = o.checkProduction(ps)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("checkProduction = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestProductionPassphrase(t *testing.T) {
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "")
	t.Setenv("PULUMI_CONFIG_PASSPHRASE_FILE", "")
	for _, tc := range []struct {
		stack, env, secrets string
		wantErr             bool
		wantLocal           bool
	}{
		{stack: "local", secrets: "passphrase", wantLocal: true},
		{stack: "prod", secrets: "passphrase", wantErr: true},
		{stack: "prod-eu", env: "production", secrets: "passphrase", wantErr: true},
		{stack: "prod", secrets: "awskms://alias/market-bus"},
	} {
		ps := &workspace.ProjectStack{}
		if tc.env != "" {
			var err error
			root := project(t, minimalProject, tc.stack, "config:\n  market-bus:environment: "+tc.env+"\n")
			o, _ := Resolve(Options{Root: root, Stack: tc.stack})
			if ps, err = workspace.LoadProjectStack(nil, o.project, o.StackFile); err != nil {
				t.Fatal(err)
			}
		}
		env, err := Options{Stack: tc.stack}.env(ps, tc.secrets)
		if (err != nil) != tc.wantErr {
			t.Errorf("%s/%s: err = %v, want error %v", tc.stack, tc.secrets, err, tc.wantErr)
		}
		if got := env["PULUMI_CONFIG_PASSPHRASE"] == LocalPassphrase; err == nil && got != tc.wantLocal {
			t.Errorf("%s/%s: local passphrase used = %v", tc.stack, tc.secrets, got)
		}
		if _, ok := env["PULUMI_HOME"]; ok {
			t.Errorf("busctl must not override the user's PULUMI_HOME: %v", env)
		}
		if _, ok := env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"]; ok {
			t.Errorf("plugin acquisition must stay on: %v", env)
		}
	}
}

type fakeAutoErr struct{}

func (fakeAutoErr) Error() string {
	return "failed to run update: exit status 255\ncode: 255\nstdout: Updating (local)\n  error: boom\n\nstderr: error: update failed\n"
}

func TestBrief(t *testing.T) {
	err := fakeAutoErr{}
	if got := BriefStreamed(err).Error(); got != "failed to run update: exit status 255" {
		t.Errorf("BriefStreamed = %q", got)
	}
	if got := Brief(err).Error(); got != "failed to run update: exit status 255: error: update failed" {
		t.Errorf("Brief = %q", got)
	}
	if !errors.Is(Brief(err), err) {
		t.Error("Brief must keep the original error for errors.Is/As")
	}
	plain := errors.New("plain")
	if BriefStreamed(plain).Error() != "plain" || Brief(nil) != nil {
		t.Error("errors that are not Automation API errors pass through")
	}
}

func TestRemoveConfigKeepsComments(t *testing.T) {
	const file = "# head comment\nconfig:\n  # about cluster\n  market-bus:cluster:\n    mode: external\n  market-bus:gate: {}\n"
	root := project(t, minimalProject, "local", file)
	o := Options{Root: root, Stack: "local"}
	if err := RemoveConfig(o, "gate"); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(root, "Pulumi.local.yaml"))
	if strings.Contains(string(got), "gate") || !strings.Contains(string(got), "# head comment") || !strings.Contains(string(got), "# about cluster") {
		t.Errorf("after rm:\n%s", got)
	}
	if err := RemoveConfig(o, "gate"); err == nil || !strings.Contains(err.Error(), "is not set") {
		t.Errorf("removing an unset key: %v", err)
	}
	if _, err := ConfigKey("a:b:c"); err == nil {
		t.Error("a malformed key is refused")
	}
}

// TestGrafanaPluginMatchesGeneratedSDK: the version and download URL busctl lists for grafana
// are the ones the generated SDK registers resources with.
func TestGrafanaPluginMatchesGeneratedSDK(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(root, "sdk", "go", "grafana", "internal", "pulumiUtilities.go"))
	if err != nil {
		t.Fatalf("the committed Grafana SDK is missing (scripts/gen-grafana-sdk regenerates it): %v", err)
	}
	src := string(raw)
	if m := regexp.MustCompile(`semver.MustParse\("([^"]+)"\)`).FindStringSubmatch(src); m == nil || m[1] != grafanaPlugin.Version {
		t.Errorf("generated SDK version %v, busctl lists %s", m, grafanaPlugin.Version)
	}
	if !strings.Contains(src, `"`+grafanaPlugin.Server+`"`) {
		t.Errorf("generated SDK does not download from %s", grafanaPlugin.Server)
	}
}

// TestWorkDirIsPerBackend: the working copy of a stack file (and the passphrase salt it
// carries) belongs to one backend; the default backend keeps the folder it always had.
func TestWorkDirIsPerBackend(t *testing.T) {
	root := t.TempDir()
	def := Options{Root: root, Stack: "prod", BackendURL: "file://" + filepath.Join(root, ".state", "backend"), defaultBackend: true}
	a := Options{Root: root, Stack: "prod", BackendURL: "file:///tmp/team-a"}
	b := Options{Root: root, Stack: "prod", BackendURL: "s3://team-b-state"}
	if got, want := def.WorkDir(), filepath.Join(root, ".state", "work", "prod"); got != want {
		t.Errorf("default backend: WorkDir = %s, want %s", got, want)
	}
	if a.WorkDir() == b.WorkDir() || a.WorkDir() == def.WorkDir() {
		t.Errorf("two backends share a work dir: %s, %s, %s", a.WorkDir(), b.WorkDir(), def.WorkDir())
	}
	if a.WorkDir() != (Options{Root: root, Stack: "prod", BackendURL: "file:///tmp/team-a"}).WorkDir() {
		t.Error("the same backend must keep its work dir")
	}
}
