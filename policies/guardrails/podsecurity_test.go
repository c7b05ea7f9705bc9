package guardrails

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// restrictedPod is the broker pod template as components/cluster renders it for prod;
// mutate changes one part of it.
func restrictedPod(mutate func(pod, ctr map[string]any)) map[string]any {
	ctr := map[string]any{"name": "redpanda", "image": "redpandadata/redpanda:v24.2.7",
		"securityContext": map[string]any{"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true,
			"capabilities": map[string]any{"drop": []any{"ALL"}}, "seccompProfile": map[string]any{"type": "RuntimeDefault"}},
		"ports": []any{map[string]any{"name": "kafka", "containerPort": 9093}}}
	pod := map[string]any{
		"securityContext": map[string]any{"runAsNonRoot": true, "runAsUser": 101, "fsGroup": 101},
		"containers":      []any{ctr},
		"volumes": []any{map[string]any{"name": "config", "emptyDir": map[string]any{}},
			map[string]any{"name": "tls", "secret": map[string]any{"secretName": "redpanda-tls"}}},
	}
	if mutate != nil {
		mutate(pod, ctr)
	}
	return map[string]any{"metadata": map[string]any{"name": "redpanda", "namespace": "redpanda"},
		"spec": map[string]any{"template": map[string]any{"spec": pod}}}
}

func podSecurityCases(t testing.TB) []policyCase {
	const p = "pod-security-restricted"
	const rule = ` on stack prod; rule: pods meet Pod Security "restricted"`
	sts := func(mutate func(pod, ctr map[string]any)) policyx.AnalyzerResource {
		return res(t, typeStatefulSet, "redpanda", restrictedPod(mutate))
	}
	ns := func(level any) map[string]any {
		labels := map[string]any{}
		if level != nil {
			labels["pod-security.kubernetes.io/enforce"] = level
		}
		return map[string]any{"metadata": map[string]any{"name": "redpanda", "labels": labels}}
	}
	return []policyCase{
		{name: "the rendered broker pod passes", policy: p, resources: rs(sts(nil))},
		{name: "a namespace enforcing restricted passes", policy: p, resources: rs(res(t, typeNamespace, "redpanda-ns", ns("restricted")))},
		{name: "dev is not checked", policy: p, stack: "dev", resources: rs(sts(func(pod, ctr map[string]any) { pod["hostNetwork"] = true }))},
		{name: "namespace enforcing baseline", policy: p, resources: rs(res(t, typeNamespace, "redpanda-ns", ns("baseline"))),
			want: []string{`kubernetes:core/v1:Namespace "redpanda-ns": label pod-security.kubernetes.io/enforce is "baseline", want "restricted"` + rule}},
		{name: "namespace without the label", policy: p, resources: rs(res(t, typeNamespace, "redpanda-ns", ns(nil))),
			want: []string{`kubernetes:core/v1:Namespace "redpanda-ns": label pod-security.kubernetes.io/enforce is "", want "restricted"` + rule}},
		{name: "no seccomp profile, capabilities kept", policy: p, resources: rs(sts(func(pod, ctr map[string]any) {
			ctr["securityContext"] = map[string]any{"allowPrivilegeEscalation": false}
		})), want: []string{
			`statefulset "redpanda": container "redpanda": seccompProfile.type is "", want RuntimeDefault or Localhost (on the container or the pod)` + rule,
			`statefulset "redpanda": container "redpanda": capabilities.drop [] does not drop ALL` + rule,
		}},
		{name: "root, escalation, host network, hostPath, hostPort, SYS_ADMIN", policy: p, resources: rs(sts(func(pod, ctr map[string]any) {
			pod["hostNetwork"] = true
			pod["securityContext"] = map[string]any{"runAsUser": 0}
			pod["volumes"] = []any{map[string]any{"name": "data", "hostPath": map[string]any{"path": "/var/lib/redpanda"}}}
			sc := ctr["securityContext"].(map[string]any)
			sc["allowPrivilegeEscalation"] = true
			sc["capabilities"] = map[string]any{"drop": []any{"ALL"}, "add": []any{"SYS_ADMIN"}}
			ctr["ports"] = []any{map[string]any{"containerPort": 9093, "hostPort": 9093}}
		})), want: []string{
			`statefulset "redpanda": spec.hostNetwork is true` + rule,
			`statefulset "redpanda": volume "data" is a hostPath volume` + rule,
			`statefulset "redpanda": securityContext.runAsUser is 0` + rule,
			`statefulset "redpanda": container "redpanda": allowPrivilegeEscalation is not false` + rule,
			`statefulset "redpanda": container "redpanda": runAsNonRoot is not true (on the container or the pod)` + rule,
			`statefulset "redpanda": container "redpanda": capabilities.add has SYS_ADMIN (only NET_BIND_SERVICE is allowed)` + rule,
			`statefulset "redpanda": container "redpanda": hostPort 9093` + rule,
		}},
	}
}

func TestPodSecurityPolicy(t *testing.T) { runCases(t, podSecurityCases(t)) }
