package guardrails

import (
	"fmt"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

const typeNamespace = "kubernetes:core/v1:Namespace"

// restrictedVolumes are the volume kinds Pod Security "restricted" admits; every other kind
// (hostPath above all) reaches outside the pod.
var restrictedVolumes = []string{"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}

// podSecurityRestricted: a broker pod that breaks out of its container holds the market data
// and the SASL secrets. It reads the pod templates of the stack's workloads and the
// namespaces the stack creates, and checks what the "restricted" level of the Kubernetes Pod
// Security Standards checks (the rules of k8s.io/pod-security-admission's policy package,
// which tests/render runs on the rendered pod); the admission controller then enforces it.
func podSecurityRestricted() definition {
	return definition{
		name: "pod-security-restricted",
		description: "On production, workload pods meet Pod Security \"restricted\" (non-root, seccomp RuntimeDefault, no privilege escalation, all capabilities dropped, " +
			"no host namespaces, ports or paths) and namespaces the stack creates enforce it (pod-security.kubernetes.io/enforce: restricted).",
		prodOnly: true,
		types:    []string{typeStatefulSet, typeDeployment, typeDaemonSet, typeNamespace},
		check: func(o Options, r policyx.AnalyzerResource, _ map[string]any) []string {
			rule := fmt.Sprintf(" on stack %s; rule: pods meet Pod Security \"restricted\"", o.Stack)
			if r.Type == typeNamespace {
				level := at(r.Properties, "metadata", "labels", "pod-security.kubernetes.io/enforce")
				if got, _ := str(level); !level.IsComputed() && got != "restricted" {
					return []string{fmt.Sprintf("%s: label pod-security.kubernetes.io/enforce is %q, want \"restricted\"%s", label(r), got, rule)}
				}
				return nil
			}
			var out []string
			for _, p := range restrictedProblems(at(r.Properties, "spec", "template", "spec")) {
				out = append(out, label(r)+": "+p+rule)
			}
			return out
		},
	}
}

// restrictedProblems lists what keeps a pod spec below "restricted". Unknown (computed)
// values are given the benefit of the doubt: preview may not know them yet.
func restrictedProblems(spec property.Value) []string {
	if spec.IsComputed() || !spec.IsMap() {
		return nil
	}
	pod := spec.AsMap()
	var out []string
	for _, host := range []string{"hostNetwork", "hostPID", "hostIPC"} {
		if on, _ := boolean(pod.Get(host)); on {
			out = append(out, "spec."+host+" is true")
		}
	}
	for _, v := range items(pod.Get("volumes")) {
		if !v.IsMap() {
			continue
		}
		for k := range v.AsMap().All {
			if k != "name" && !slices.Contains(restrictedVolumes, k) {
				out = append(out, fmt.Sprintf("volume %q is a %s volume", stringOr(v.AsMap().Get("name")), k))
			}
		}
	}
	podSC, _ := object(pod.Get("securityContext"))
	podNonRoot, _ := boolean(at(podSC, "runAsNonRoot"))
	podSeccomp := stringOr(at(podSC, "seccompProfile", "type"))
	if uid, ok := num(at(podSC, "runAsUser")); ok && uid == 0 {
		out = append(out, "securityContext.runAsUser is 0")
	}
	for _, key := range []string{"initContainers", "containers"} {
		for _, c := range items(pod.Get(key)) {
			if !c.IsMap() {
				continue
			}
			out = append(out, containerProblems(c.AsMap(), podNonRoot, podSeccomp)...)
		}
	}
	return out
}

func containerProblems(c property.Map, podNonRoot bool, podSeccomp string) []string {
	name := stringOr(c.Get("name"))
	sc := c.Get("securityContext")
	if sc.IsComputed() {
		return nil
	}
	scm, _ := object(sc)
	var out []string
	add := func(format string, args ...any) {
		out = append(out, fmt.Sprintf("container %q: ", name)+fmt.Sprintf(format, args...))
	}
	if on, _ := boolean(at(scm, "privileged")); on {
		add("privileged is true")
	}
	if v, ok := boolean(at(scm, "allowPrivilegeEscalation")); !ok || v {
		add("allowPrivilegeEscalation is not false")
	}
	nonRoot, set := boolean(at(scm, "runAsNonRoot"))
	if (set && !nonRoot) || (!set && !podNonRoot) {
		add("runAsNonRoot is not true (on the container or the pod)")
	}
	if uid, ok := num(at(scm, "runAsUser")); ok && uid == 0 {
		add("runAsUser is 0")
	}
	seccomp := stringOr(at(scm, "seccompProfile", "type"))
	if seccomp == "" {
		seccomp = podSeccomp
	}
	if seccomp != "RuntimeDefault" && seccomp != "Localhost" {
		add("seccompProfile.type is %q, want RuntimeDefault or Localhost (on the container or the pod)", seccomp)
	}
	if drop := strs(at(scm, "capabilities", "drop")); !slices.Contains(drop, "ALL") {
		add("capabilities.drop %v does not drop ALL", drop)
	}
	for _, capName := range strs(at(scm, "capabilities", "add")) {
		if capName != "NET_BIND_SERVICE" {
			add("capabilities.add has %s (only NET_BIND_SERVICE is allowed)", capName)
		}
	}
	for _, p := range items(c.Get("ports")) {
		if p.IsMap() {
			if hp, ok := num(p.AsMap().Get("hostPort")); ok && hp != 0 {
				add("hostPort %v", hp)
			}
		}
	}
	return out
}
