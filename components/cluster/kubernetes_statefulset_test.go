package cluster

import (
	"reflect"
	"strings"
	"testing"
)

func TestKubernetesStatefulSet(t *testing.T) {
	args := prodArgs()
	args.Kubernetes.HealthGatedRollout = true // as the prod stack sets it
	m, _ := deployProd(t, args)
	sts := mustGet(t, m, "bus-statefulset")
	cm := mustGet(t, m, "bus-config")
	sel := stringAnyMap(selectorLabels("bus"))
	podLabels := stringAnyMap(ClusterLabels("bus", "prod"))
	podLabels["app.kubernetes.io/component"] = "broker"
	hash := configHash(podStartFiles(stringMap(cm.Inputs["data"].(map[string]any))))
	ready := []any{"/bin/sh", "-c", "curl -sfk https://localhost:9644/v1/status/ready | grep -q ready"}
	hook := func(file string) map[string]any {
		return map[string]any{"exec": map[string]any{"command": []any{"/bin/bash", "-c",
			"timeout 45 /bin/bash /etc/redpanda-start/" + file + " 2>&1 | tee /proc/1/fd/1; true"}}}
	}
	res := map[string]any{"cpu": "1", "memory": "3072Mi"}
	cport := func(name string, p int) map[string]any {
		return map[string]any{"name": name, "containerPort": float64(p), "protocol": "TCP"}
	}
	assertInputs(t, sts, map[string]any{
		"metadata": map[string]any{"name": "redpanda", "namespace": "marketbus", "labels": stringAnyMap(ClusterLabels("bus", "prod"))},
		"spec": map[string]any{
			"replicas":                             3.0,
			"serviceName":                          "redpanda",
			"podManagementPolicy":                  "Parallel",
			"updateStrategy":                       map[string]any{"type": "OnDelete"},
			"selector":                             map[string]any{"matchLabels": sel},
			"persistentVolumeClaimRetentionPolicy": map[string]any{"whenDeleted": "Retain", "whenScaled": "Retain"},
			"volumeClaimTemplates": []any{map[string]any{
				"metadata": map[string]any{"name": "datadir", "labels": stringAnyMap(ClusterLabels("bus", "prod"))},
				"spec": map[string]any{
					"accessModes":      []any{"ReadWriteOnce"},
					"storageClassName": "gp3",
					"resources":        map[string]any{"requests": map[string]any{"storage": "50Gi"}},
				},
			}},
			"template": map[string]any{
				"metadata": map[string]any{
					"labels":      podLabels,
					"annotations": map[string]any{"marketbus.io/config-sha256": hash},
				},
				"spec": map[string]any{
					"terminationGracePeriodSeconds": 90.0,
					"automountServiceAccountToken":  false,
					"securityContext": map[string]any{"runAsUser": 101.0, "runAsGroup": 101.0, "runAsNonRoot": true,
						"fsGroup": 101.0, "fsGroupChangePolicy": "OnRootMismatch", "seccompProfile": map[string]any{"type": "RuntimeDefault"}},
					"affinity": map[string]any{"podAntiAffinity": map[string]any{
						"requiredDuringSchedulingIgnoredDuringExecution": []any{map[string]any{
							"labelSelector": map[string]any{"matchLabels": sel},
							"topologyKey":   "kubernetes.io/hostname",
						}},
					}},
					"topologySpreadConstraints": []any{map[string]any{
						"maxSkew": 1.0, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "ScheduleAnyway",
						"labelSelector": map[string]any{"matchLabels": sel},
					}},
					"nodeSelector": map[string]any{"marketbus.io/pool": "redpanda"},
					"tolerations":  []any{map[string]any{"key": "dedicated", "operator": "Equal", "value": "redpanda", "effect": "NoSchedule"}},
					"volumes": []any{
						map[string]any{"name": "start", "configMap": map[string]any{"name": "redpanda-config"}},
						map[string]any{"name": "config", "emptyDir": map[string]any{}},
						map[string]any{"name": "tmp", "emptyDir": map[string]any{}},
						map[string]any{"name": "tls", "secret": map[string]any{"secretName": "redpanda-tls"}},
					},
					"containers": []any{map[string]any{
						"name":    "redpanda",
						"image":   "redpandadata/redpanda:v25.2.1",
						"command": []any{"/bin/bash", "/etc/redpanda-start/entrypoint.sh"},
						"env": []any{map[string]any{"name": "RP_BOOTSTRAP_USER", "valueFrom": map[string]any{
							"secretKeyRef": map[string]any{"name": "redpanda-superuser", "key": "bootstrap-user"}}}},
						"ports": []any{cport("kafka", 9093), cport("admin", 9644), cport("schema-registry", 8081), cport("http-proxy", 8082),
							cport("rpc", 33145), cport("kafka-ext", 9094)},
						"resources": map[string]any{"requests": res, "limits": res},
						"volumeMounts": []any{
							map[string]any{"name": "datadir", "mountPath": "/var/lib/redpanda/data"},
							map[string]any{"name": "config", "mountPath": "/etc/redpanda"},
							map[string]any{"name": "tmp", "mountPath": "/tmp"},
							map[string]any{"name": "start", "mountPath": "/etc/redpanda-start", "readOnly": true},
							map[string]any{"name": "start", "mountPath": "/etc/redpanda/.bootstrap.yaml", "subPath": ".bootstrap.yaml", "readOnly": true},
							map[string]any{"name": "tls", "mountPath": "/etc/tls/certs/redpanda", "readOnly": true},
						},
						"startupProbe": map[string]any{"exec": map[string]any{"command": ready},
							"periodSeconds": 10.0, "timeoutSeconds": 5.0, "failureThreshold": 120.0},
						"livenessProbe": map[string]any{"tcpSocket": map[string]any{"port": 9644.0},
							"periodSeconds": 10.0, "timeoutSeconds": 5.0, "failureThreshold": 3.0},
						"readinessProbe": map[string]any{"exec": map[string]any{"command": ready},
							"periodSeconds": 10.0, "timeoutSeconds": 5.0, "failureThreshold": 3.0, "successThreshold": 1.0},
						"lifecycle": map[string]any{"preStop": hook("prestop.sh"), "postStart": hook("poststart.sh")},
						"securityContext": map[string]any{"allowPrivilegeEscalation": false, "runAsNonRoot": true,
							"readOnlyRootFilesystem": true, "capabilities": map[string]any{"drop": []any{"ALL"}},
							"seccompProfile": map[string]any{"type": "RuntimeDefault"}},
					}},
				},
			},
		},
	})
	// Resources: requests equal limits (Guaranteed QoS), and --memory is
	// 90 % of that limit, from the renderer.
	c := dig(t, sts.Inputs, "spec", "template", "spec", "containers", 0).(map[string]any)
	if !reflect.DeepEqual(dig(t, c, "resources", "requests"), dig(t, c, "resources", "limits")) {
		t.Error("requests must equal limits")
	}
	if got := flagValue(renderedProd(t)[0].Args, "--memory"); got != "2764M" {
		t.Errorf("--memory = %s, want 2764M (90 %% of 3072Mi)", got)
	}
	if !sts.DeleteBeforeReplace {
		t.Error("a fixed-name StatefulSet must be deleted before it is replaced")
	}
	wantDeps := []string{
		prodChildURN + "kubernetes:cert-manager.io/v1:Certificate::bus-certificate",
		prodChildURN + "kubernetes:core/v1:ConfigMap::bus-config",
		prodChildURN + "kubernetes:core/v1:Namespace::bus-namespace",
		prodChildURN + "kubernetes:core/v1:Secret::bus-superuser",
	}
	if !reflect.DeepEqual(sts.Dependencies, wantDeps) {
		t.Errorf("dependencies = %q\nwant %q", sts.Dependencies, wantDeps)
	}
	// No input takes an output of the ConfigMap: that would replace the
	// StatefulSet with it (toolchain.md), where the hash rolls the pods.
	for prop, deps := range sts.rpc.GetPropertyDependencies() {
		for _, u := range deps.GetUrns() {
			if strings.Contains(u, "ConfigMap") {
				t.Errorf("input %s depends on the ConfigMap's outputs", prop)
			}
		}
	}
}

// TestKubernetesUpdateStrategy: OnDelete only when a RollingRestart rolls the pods, since
// with OnDelete nothing else ever would.
func TestKubernetesUpdateStrategy(t *testing.T) {
	for _, tc := range []struct {
		gated bool
		want  string
	}{{gated: true, want: "OnDelete"}, {gated: false, want: "RollingUpdate"}} {
		args := prodArgs()
		args.Kubernetes.HealthGatedRollout = tc.gated
		m, _ := deployProd(t, args)
		spec := mustGet(t, m, "bus-statefulset").Inputs["spec"].(map[string]any)
		if got := spec["updateStrategy"]; !reflect.DeepEqual(got, map[string]any{"type": tc.want}) {
			t.Errorf("healthGatedRollout=%t: updateStrategy = %v, want %s", tc.gated, got, tc.want)
		}
	}
}

// TestPodTemplateHashFollowsTheTemplate: the RollingRestart trigger changes with the pod
// template (a new image) and only then.
func TestPodTemplateHashFollowsTheTemplate(t *testing.T) {
	_, base := deployProd(t, prodArgs())
	_, again := deployProd(t, prodArgs())
	bumped := prodArgs()
	bumped.Image = "redpandadata/redpanda:v25.2.2"
	_, next := deployProd(t, bumped)
	if len(base.PodTemplateHash) != 64 || base.PodTemplateHash != again.PodTemplateHash {
		t.Errorf("hash %q then %q for the same template", base.PodTemplateHash, again.PodTemplateHash)
	}
	if next.PodTemplateHash == base.PodTemplateHash {
		t.Errorf("hash %q did not change with the image", next.PodTemplateHash)
	}
}

func TestKubernetesGraceGivesHooksHalf(t *testing.T) {
	a := prodArgs()
	a.Kubernetes.TerminationGracePeriodSeconds = 120
	m, _ := deployProd(t, a)
	sts := mustGet(t, m, "bus-statefulset")
	if got := dig(t, sts.Inputs, "spec", "template", "spec", "terminationGracePeriodSeconds"); got != 120.0 {
		t.Errorf("grace = %v, want 120", got)
	}
	cmd := dig(t, sts.Inputs, "spec", "template", "spec", "containers", 0, "lifecycle", "preStop", "exec", "command", 2).(string)
	if !strings.HasPrefix(cmd, "timeout 60 ") {
		t.Errorf("preStop = %q, want it bounded by half the grace (60 s)", cmd)
	}
}

func TestKubernetesPodDisruptionBudget(t *testing.T) {
	m, _ := deployProd(t, prodArgs())
	assertInputs(t, mustGet(t, m, "bus-pdb"), map[string]any{
		"metadata": map[string]any{"name": "redpanda", "namespace": "marketbus", "labels": stringAnyMap(ClusterLabels("bus", "prod"))},
		"spec":     map[string]any{"maxUnavailable": 1.0, "selector": map[string]any{"matchLabels": stringAnyMap(selectorLabels("bus"))}},
	})
}

func TestKubernetesSmallClusterHasNoDrainHook(t *testing.T) {
	a := prodArgs()
	a.Production, a.Brokers, a.MaxTopicReplicationFactor = false, 1, 1
	m, _ := deployProd(t, a)
	lc := dig(t, mustGet(t, m, "bus-statefulset").Inputs, "spec", "template", "spec", "containers", 0, "lifecycle").(map[string]any)
	if _, ok := lc["preStop"]; ok {
		t.Error("a 1-broker cluster cannot enter maintenance mode; no preStop drain")
	}
	if _, ok := lc["postStart"]; !ok {
		t.Error("postStart must still clear maintenance mode")
	}
}

// TestKubernetesClusterPropertiesDoNotRollPods: cluster properties are
// reconciled by the stack's ClusterConfig, not rendered into the pods: a
// changed property leaves the ConfigMap and the pod template as they were.
// A changed start flag still changes the hash, which rolls the pods, and
// nothing that would replace the StatefulSet or rename the ConfigMap.
func TestKubernetesClusterPropertiesDoNotRollPods(t *testing.T) {
	props := prodArgs()
	props.ExtraClusterConfig = map[string]any{"log_retention_ms": 3600000}
	props.ConsumerGroupLagIntervalSec = 30
	flags := prodArgs()
	flags.LogLevel = "debug"
	before, _ := deployProd(t, prodArgs())
	get := func(m *recordingMocks, name string, path ...any) any {
		return dig(t, mustGet(t, m, name).Inputs, path...)
	}
	hashPath := []any{"spec", "template", "metadata", "annotations", ConfigHashAnnotation}
	strip := func(m *recordingMocks) map[string]any {
		in := mustGet(t, m, "bus-statefulset").Inputs
		delete(dig(t, in, "spec", "template", "metadata", "annotations").(map[string]any), ConfigHashAnnotation)
		return in
	}

	afterProps, _ := deployProd(t, props)
	if b, a := get(before, "bus-config", "data"), get(afterProps, "bus-config", "data"); !reflect.DeepEqual(b, a) {
		t.Errorf("a cluster property changed the ConfigMap: %v → %v", b, a)
	}
	if b, a := get(before, "bus-statefulset", hashPath...), get(afterProps, "bus-statefulset", hashPath...); b != a {
		t.Errorf("a cluster property changed the config hash %v → %v: every broker would restart", b, a)
	}

	afterFlags, _ := deployProd(t, flags)
	if b, a := get(before, "bus-statefulset", hashPath...), get(afterFlags, "bus-statefulset", hashPath...); b == a {
		t.Errorf("config hash stayed %v after a start flag changed: the pods would not roll", b)
	}
	for _, name := range []string{"bus-statefulset", "bus-config"} {
		if b, a := get(before, name, "metadata", "name"), get(afterFlags, name, "metadata", "name"); b != a {
			t.Errorf("%s renamed %v → %v", name, b, a)
		}
	}
	if b, a := strip(before), strip(afterFlags); !reflect.DeepEqual(b, a) {
		t.Errorf("statefulset inputs changed beyond the hash annotation")
	}
}

// TestConfigHashLeavesOutTheBootstrapFile: Redpanda reads .bootstrap.yaml
// only when the cluster forms, so editing it must not restart the brokers.
func TestConfigHashLeavesOutTheBootstrapFile(t *testing.T) {
	base := map[string]string{BootstrapFile: "superusers: [admin]\n", EntrypointFile: "#!/bin/bash\n", ArgsFile(0): "--smp\n1\n"}
	tests := []struct {
		name     string
		key, val string
		changes  bool
	}{
		{"bootstrap edited", BootstrapFile, "superusers: [root]\n", false},
		{"entrypoint edited", EntrypointFile, "#!/bin/bash\nset -x\n", true},
		{"flags edited", ArgsFile(0), "--smp\n2\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := map[string]string{}
			for k, v := range base {
				next[k] = v
			}
			next[tt.key] = tt.val
			if got := configHash(podStartFiles(base)) != configHash(podStartFiles(next)); got != tt.changes {
				t.Errorf("hash changed = %t, want %t", got, tt.changes)
			}
		})
	}
}
