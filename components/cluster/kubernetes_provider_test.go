package cluster

import (
	"strings"
	"testing"
)

// TestKubernetesObjectsShareOneProvider: every Kubernetes object, the cert-manager
// Certificate (a CustomResource) included, asks for the same Kubernetes plugin version, so
// the engine gives them one default provider. On a real API server the unversioned
// Certificate got a second provider, and every preview after the first up planned to delete
// it: never an empty preview.
func TestKubernetesObjectsShareOneProvider(t *testing.T) {
	m, _ := deployProd(t, prodArgs())
	versions := map[string][]string{}
	for _, r := range m.sorted() {
		if strings.HasPrefix(r.Type, "kubernetes:") {
			versions[r.rpc.GetVersion()] = append(versions[r.rpc.GetVersion()], r.Type)
		}
	}
	if len(versions) != 1 || len(versions[""]) > 0 {
		t.Errorf("Kubernetes objects by the plugin version they ask for: %v, want one version for all", versions)
	}
	if len(versions) > 0 && !strings.Contains(strings.Join(flatten(versions), " "), "cert-manager.io/v1:Certificate") {
		t.Errorf("no Certificate among %v", versions)
	}
}

func flatten(m map[string][]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v...)
	}
	return out
}
