//go:build render

package render

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStrictDecoderRefuses shows the decoder is not lenient: each document below is what
// the API server (with strict field validation) or cert-manager would refuse, and each must
// fail here with a message naming the problem. Needs no plugin.
func TestStrictDecoderRefuses(t *testing.T) {
	const sts = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: redpanda, namespace: redpanda}\n"
	cases := []struct{ name, doc, want string }{
		{"unknown field", sts + "spec: {replicas: 3, replica: 3}\n", `unknown field "spec.replica"`},
		{"nested unknown field", sts + "spec: {template: {spec: {containers: [{name: r, image: i, resource: {}}]}}}\n", `unknown field "spec.template.spec.containers[0].resource"`},
		{"wrong case", sts + "spec: {Replicas: 3}\n", `unknown field "spec.Replicas"`},
		{"wrong type", sts + "spec: {replicas: \"3\"}\n", "replicas"},
		{"duplicate key", sts + "spec: {replicas: 3}\nspec: {replicas: 2}\n", "already set in map"},
		{"int-or-string of the wrong type", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 9092, targetPort: [1]}]}\n", "targetPort"},
		{"bad resource quantity", sts + "spec: {template: {spec: {containers: [{name: r, image: i, resources: {limits: {memory: 3GB}}}]}}}\n", "quantities must match"},
		{"status-like field in spec of a PDB", "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p}\nspec: {maxUnavailable: 1, currentHealthy: 3}\n", `unknown field "spec.currentHealthy"`},
		{"cert-manager field misspelt", "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: c}\nspec: {secretName: s, issuerRef: {name: i}, dnsName: [a]}\n", `unknown field "spec.dnsName"`},
		{"cert-manager field misplaced", "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: c}\nspec: {secretName: s, issuerRef: {name: i}, rotationPolicy: Always}\n", `unknown field "spec.rotationPolicy"`},
		{"kind without decoder", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n", "has no strict decoder"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &rendered{source: map[any]string{}}
			err := r.add([]byte(tc.doc), tc.name)
			if err == nil {
				t.Fatalf("accepted:\n%s", tc.doc)
			}
			t.Log(err)
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q\n does not mention %q", err, tc.want)
			}
		})
	}
	t.Run("a valid document passes", func(t *testing.T) {
		r := &rendered{source: map[any]string{}}
		if err := r.add([]byte(sts+"spec: {replicas: 3, serviceName: redpanda}\n"), "ok"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("several documents in one file", func(t *testing.T) {
		dir := t.TempDir()
		doc := sts + "spec: {replicas: 3}\n---\n# a comment only\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: redpanda}\ndata: {k: v}\n"
		if err := os.WriteFile(filepath.Join(dir, "all.yaml"), []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		r := loadRendered(t, dir)
		if len(r.statefulSets) != 1 || len(r.configMaps) != 1 {
			t.Errorf("decoded %d StatefulSet(s) and %d ConfigMap(s), want 1 and 1", len(r.statefulSets), len(r.configMaps))
		}
	})
}
