package driver

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
)

// TestPassphraseFollowsTheEnvironment: the public local passphrase is refused for every
// production stack, whatever its name, and used for development and staging ones.
func TestPassphraseFollowsTheEnvironment(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	proj, err := workspace.LoadProject(filepath.Join(root, "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, stack, file string
		wantErr           string // empty: the local passphrase is used
	}{
		{"prod by name", "prod", "", "stack prod is a production stack (market-bus:environment: production) and needs PULUMI_CONFIG_PASSPHRASE"},
		{"prod-eu declaring production", "prod-eu", "config:\n  market-bus:environment: production\n", "stack prod-eu is a production stack"},
		{"prod-eu without environment", "prod-eu", "config: {}\n", `market-bus:environment is not set and stack "prod-eu"`},
		{"prod-eu declaring staging", "prod-eu", "config:\n  market-bus:environment: staging\n", ""},
		{"local", "local", "config: {}\n", ""},
		{"dev declaring production", "dev", "config:\n  market-bus:environment: production\n", "stack dev is a production stack"},
		{"misspelt environment", "qa", "config:\n  market-bus:environment: Production\n", `"Production" is not an environment`},
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
			env, err := o.env(ps)
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
