package driver

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
)

// TestRelativeKubeconfigIsFromTheProjectFolder: busctl's CLI runs in a work directory, so a
// relative kubernetes:kubeconfig path in a stack file is made absolute against the project
// folder (where `pulumi up` would read it); every other form reaches the provider unchanged.
func TestRelativeKubeconfigIsFromTheProjectFolder(t *testing.T) {
	root, proj := repoProject(t)
	contents := "apiVersion: v1\nkind: Config\nclusters: []\n"
	cases := []struct {
		name, line, want string
	}{
		{"relative path", "kubernetes:kubeconfig: .cache/k8s-cluster/kubeconfig", filepath.Join(root, ".cache/k8s-cluster/kubeconfig")},
		{"absolute path", "kubernetes:kubeconfig: /etc/kube/config", "/etc/kube/config"},
		{"home path", "kubernetes:kubeconfig: ~/.kube/config", "~/.kube/config"},
		{"contents", "kubernetes:kubeconfig: |\n    apiVersion: v1\n    kind: Config\n    clusters: []", contents},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "Pulumi.k.yaml")
			if err := os.WriteFile(file, []byte("config:\n  "+tc.line+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			o := Options{Root: root, Stack: "k", StackFile: file}
			ps, err := o.stackSettings(proj, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			got, err := ps.Config[config.MustMakeKey("kubernetes", "kubeconfig")].Value(config.NopDecrypter)
			if err != nil || got != tc.want {
				t.Errorf("kubernetes:kubeconfig = %q (%v), want %q", got, err, tc.want)
			}
		})
	}
}
