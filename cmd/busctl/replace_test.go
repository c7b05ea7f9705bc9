package main

import (
	"strings"
	"testing"
)

// TestRefusedReplace: a preview that replaces the brokers' StatefulSet is refused, naming the
// resource, what changed and the config key behind it; updates, and replacements of other
// objects (a ConfigMap, a Service), pass.
func TestRefusedReplace(t *testing.T) {
	const urn = "urn:pulumi:k8s-e2e::market-bus::marketbus:cluster:RedpandaCluster$kubernetes:apps/v1:StatefulSet::redpanda-statefulset"
	cases := []struct {
		name  string
		steps []step
		want  []string // empty: no refusal
	}{
		{"no steps", nil, nil},
		{"update in place", []step{{URN: urn, Type: statefulSetType, Op: "update", Diff: []string{"spec"}}}, nil},
		{"same", []step{{URN: urn, Type: statefulSetType, Op: "same"}}, nil},
		{"replaced config map", []step{{URN: "urn:x", Type: "kubernetes:core/v1:ConfigMap", Op: "replace"}}, nil},
		{"replace", []step{{URN: urn, Type: statefulSetType, Op: "replace", Diff: []string{"spec"}}},
			[]string{`stack "k8s-e2e"`, urn, "(changed: spec)", "market-bus:cluster.storageSize", "nothing was changed", "patch pvc datadir-redpanda-N"}},
		{"delete before replace", []step{{URN: urn, Type: statefulSetType, Op: "delete-replaced"}, {URN: urn, Type: statefulSetType, Op: "create-replacement"}},
			[]string{urn, "every broker pod at once"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := refusedReplace("k8s-e2e", tc.steps)
			if len(tc.want) == 0 {
				if got != "" {
					t.Errorf("refused: %s", got)
				}
				return
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("refusal %q\n does not mention %q", got, w)
				}
			}
		})
	}
}
