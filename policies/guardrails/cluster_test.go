package guardrails

import "testing"

const goodImage = "redpandadata/redpanda:v25.2.1"

// imageID is what a docker Container gets from its RemoteImage.
const imageID = "sha256:1111111111111111111111111111111111111111111111111111111111111111"

// brokerContainer is a dev broker container: 2048 MiB for --smp 1.
func brokerContainer(image any, memory any, command []string) map[string]any {
	props := map[string]any{
		"image":   image,
		"command": command,
		"labels": []any{
			map[string]any{"label": "app.kubernetes.io/name", "value": "redpanda"},
		},
	}
	if memory != nil {
		props["memory"] = memory
	}
	return props
}

// statefulSet is a prod Redpanda StatefulSet; edit changes its pod spec before it is built.
type stsSpec struct {
	image, memory     string
	args              []string
	storage           string
	whenDeleted       string
	requiredAntiAffin bool
	labels            map[string]any
}

// goodSTS is a StatefulSet spec every policy accepts.
func goodSTS() stsSpec {
	return stsSpec{
		image: goodImage, memory: "4Gi", args: []string{"redpanda", "start", "--smp=2", "--memory=3686M"},
		storage: "100Gi", whenDeleted: "Retain", requiredAntiAffin: true,
		labels: map[string]any{"app.kubernetes.io/name": "redpanda", "app.kubernetes.io/instance": "bus"},
	}
}

// props renders the StatefulSet inputs.
func (s stsSpec) props() map[string]any {
	affinity := map[string]any{}
	if s.requiredAntiAffin {
		affinity["podAntiAffinity"] = map[string]any{
			"requiredDuringSchedulingIgnoredDuringExecution": []any{
				map[string]any{"topologyKey": "kubernetes.io/hostname"},
			},
		}
	}
	spec := map[string]any{
		"replicas": 3,
		"selector": map[string]any{"matchLabels": s.labels},
		"template": map[string]any{
			"metadata": map[string]any{"labels": s.labels},
			"spec": map[string]any{
				"affinity": affinity,
				"containers": []any{map[string]any{
					"name":      "redpanda",
					"image":     s.image,
					"args":      s.args,
					"resources": map[string]any{"limits": map[string]any{"memory": s.memory}},
				}},
			},
		},
		"volumeClaimTemplates": []any{map[string]any{
			"metadata": map[string]any{"name": "datadir"},
			"spec": map[string]any{
				"accessModes": []string{"ReadWriteOnce"},
				"resources":   map[string]any{"requests": map[string]any{"storage": s.storage}},
			},
		}},
	}
	if s.whenDeleted != "" {
		spec["persistentVolumeClaimRetentionPolicy"] = map[string]any{"whenDeleted": s.whenDeleted, "whenScaled": "Retain"}
	}
	return map[string]any{"metadata": map[string]any{"name": "redpanda", "namespace": "market-bus"}, "spec": spec}
}

// pdb is a PodDisruptionBudget for the broker pods.
func pdb(maxUnavailable any, matchLabels map[string]any) map[string]any {
	spec := map[string]any{"selector": map[string]any{"matchLabels": matchLabels}}
	if maxUnavailable != nil {
		spec["maxUnavailable"] = maxUnavailable
	}
	return map[string]any{"metadata": map[string]any{"name": "redpanda", "namespace": "market-bus"}, "spec": spec}
}

func clusterCases(t testing.TB) []policyCase {
	sts := func(edit func(*stsSpec)) map[string]any {
		s := goodSTS()
		if edit != nil {
			edit(&s)
		}
		return s.props()
	}
	brokerPDB := res(t, typePDB, "redpanda-pdb", pdb(1, goodSTS().labels))
	devCmd := []string{"redpanda", "start", "--smp", "1", "--memory", "1843M"}
	return []policyCase{
		// image-pinned
		{name: "release tag, digest and image ID pass", policy: "image-pinned", stack: "dev", resources: rs(
			res(t, typeRemoteImage, "bus-image", map[string]any{"name": goodImage}),
			res(t, typeRemoteImage, "digest", map[string]any{"name": "redpandadata/redpanda@sha256:" + imageID[7:]}),
			res(t, typeContainer, "bus-broker-0", brokerContainer(imageID, 2048, devCmd)),
			res(t, typeStatefulSet, "redpanda", sts(nil)))},
		{name: "latest tag", policy: "image-pinned", stack: "dev",
			resources: rs(res(t, typeRemoteImage, "bus-image", map[string]any{"name": "redpandadata/redpanda:latest"})),
			want:      []string{`image "bus-image": name "redpandadata/redpanda:latest" is not pinned: it uses the moving tag "latest"; rule: pin a release tag (redpandadata/redpanda:v25.2.1) or a digest (repo@sha256:<64 hex>)`}},
		{name: "no tag on a container", policy: "image-pinned", stack: "dev",
			resources: rs(res(t, typeContainer, "grafana", map[string]any{"image": "grafana/grafana"})),
			want:      []string{`container "grafana": image "grafana/grafana" is not pinned: it has no tag, so the registry's latest is pulled, which moves; rule: pin a release tag (redpandadata/redpanda:v25.2.1) or a digest (repo@sha256:<64 hex>)`}},
		{name: "registry port is not a tag", policy: "image-pinned",
			resources: rs(res(t, typeStatefulSet, "redpanda", sts(func(s *stsSpec) { s.image = "localhost:5000/redpanda" }))),
			want:      []string{`statefulset "redpanda" container "redpanda": image "localhost:5000/redpanda" is not pinned: it has no tag, so the registry's latest is pulled, which moves; rule: pin a release tag (redpandadata/redpanda:v25.2.1) or a digest (repo@sha256:<64 hex>)`}},
		{name: "malformed digest", policy: "image-pinned",
			resources: rs(res(t, typeRemoteImage, "bus-image", map[string]any{"name": "redpandadata/redpanda@sha256:abc"})),
			want:      []string{`image "bus-image": name "redpandadata/redpanda@sha256:abc" is not pinned: it has a malformed digest "sha256:abc" (want sha256: and 64 lowercase hex digits); rule: pin a release tag (redpandadata/redpanda:v25.2.1) or a digest (repo@sha256:<64 hex>)`}},
		{name: "image ID unknown during preview", policy: "image-pinned",
			resources: rs(res(t, typeContainer, "bus-broker-0", brokerContainer(unknownV{}, 2048, devCmd)), res(t, typeRemoteImage, "i", map[string]any{"name": unknownV{}}))},

		// broker-memory-per-core
		{name: "2048 MiB for one core and 4Gi for two pass", policy: "broker-memory-per-core", stack: "dev", resources: rs(
			res(t, typeContainer, "bus-broker-0", brokerContainer(imageID, 2048, devCmd)),
			res(t, typeStatefulSet, "redpanda", sts(nil)))},
		{name: "docker 1024 MiB for one core", policy: "broker-memory-per-core", stack: "dev",
			resources: rs(res(t, typeContainer, "bus-broker-0", brokerContainer(imageID, 1024, devCmd))),
			want:      []string{`container "bus-broker-0": memory 1024 MiB for --smp 1 is 1024 MiB per core, below the minimum 2048 MiB per core (Redpanda needs 2 GiB per core)`}},
		{name: "docker without a memory limit", policy: "broker-memory-per-core", stack: "dev",
			resources: rs(res(t, typeContainer, "bus-broker-0", brokerContainer(imageID, nil, []string{"redpanda", "start", "--smp=2"}))),
			want:      []string{`container "bus-broker-0": memory is not set, so Redpanda's memory is unbounded; rule: set it to at least 4096 MiB for --smp 2 (the minimum 2048 MiB per core (Redpanda needs 2 GiB per core))`}},
		{name: "k8s 3Gi for two cores", policy: "broker-memory-per-core",
			resources: rs(res(t, typeStatefulSet, "redpanda", sts(func(s *stsSpec) { s.memory = "3Gi" }))),
			want:      []string{`statefulset "redpanda" container "redpanda": resources.limits.memory "3Gi" (3072 MiB) for --smp 2 is 1536 MiB per core, below the minimum 2048 MiB per core (Redpanda needs 2 GiB per core)`}},
		{name: "k8s without --smp", policy: "broker-memory-per-core",
			resources: rs(res(t, typeStatefulSet, "redpanda", sts(func(s *stsSpec) { s.args = []string{"redpanda", "start"} }))),
			want:      []string{`statefulset "redpanda" container "redpanda": the command has no --smp, so Redpanda takes every core of the host and resources.limits.memory cannot be checked; rule: set --smp N and give it the minimum 2048 MiB per core (Redpanda needs 2 GiB per core)`}},
		{name: "console, helpers and init containers are not brokers", policy: "broker-memory-per-core", stack: "dev", resources: rs(
			res(t, typeContainer, "grafana", map[string]any{"image": "grafana/grafana:11.0.0", "memory": 256}),
			res(t, typeContainer, "redpanda-console", map[string]any{"image": "redpandadata/console:v2.7.0", "memory": 256}),
			res(t, typeContainer, "redpanda-init", map[string]any{"image": goodImage, "command": []string{"rpk", "topic", "list"}, "memory": 128}),
			res(t, typeStatefulSet, "redpanda", map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
				"initContainers": []any{map[string]any{"name": "tune", "image": goodImage, "command": []string{"sh", "-c", "rpk redpanda tune all"}}},
				"containers":     []any{map[string]any{"name": "sidecar", "image": goodImage, "args": []string{"sidecar", "--redpanda-yaml", "/etc/redpanda/redpanda.yaml"}}},
			}}}}))},
		{name: "broker by image without a command", policy: "broker-memory-per-core", stack: "dev",
			resources: rs(res(t, typeContainer, "rp", map[string]any{"image": "docker.redpanda.com/redpandadata/redpanda:v25.2.1", "memory": 4096})),
			want:      []string{`container "rp": the command has no --smp, so Redpanda takes every core of the host and memory cannot be checked; rule: set --smp N and give it the minimum 2048 MiB per core (Redpanda needs 2 GiB per core)`}},

		// broker-storage
		{name: "100Gi passes", policy: "broker-storage", resources: rs(res(t, typeStatefulSet, "redpanda", sts(nil)))},
		{name: "20Gi on prod", policy: "broker-storage",
			resources: rs(res(t, typeStatefulSet, "redpanda", sts(func(s *stsSpec) { s.storage = "20Gi" }))),
			want:      []string{`statefulset "redpanda" volumeClaimTemplate "datadir": storage request "20Gi" (20 GiB) is below the minimum 50 GiB on stack prod`}},
		{name: "decimal 50G is below 50 GiB", policy: "broker-storage",
			resources: rs(res(t, typeStatefulSet, "redpanda", sts(func(s *stsSpec) { s.storage = "50G" }))),
			want:      []string{`statefulset "redpanda" volumeClaimTemplate "datadir": storage request "50G" (46.5 GiB) is below the minimum 50 GiB on stack prod`}},
		{name: "20Gi on dev is fine", policy: "broker-storage", stack: "dev",
			resources: rs(res(t, typeStatefulSet, "redpanda", sts(func(s *stsSpec) { s.storage = "20Gi" })))},

		// broker-high-availability
		{name: "PDB and hard anti-affinity pass", policy: "broker-high-availability",
			resources: rs(res(t, typeStatefulSet, "redpanda", sts(nil)), brokerPDB)},
		{name: "no PDB and soft anti-affinity", policy: "broker-high-availability",
			resources: rs(res(t, typeStatefulSet, "redpanda", sts(func(s *stsSpec) { s.requiredAntiAffin = false }))),
			want: []string{
				`statefulset "redpanda": spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution is empty; rule: on stack prod two brokers must never share a node (required anti-affinity on kubernetes.io/hostname; preferred is not enough)`,
				`statefulset "redpanda": no PodDisruptionBudget selects its pods; rule: on stack prod brokers need a PodDisruptionBudget with maxUnavailable 1`,
			}},
		{name: "PDB of other pods does not count", policy: "broker-high-availability",
			resources: rs(res(t, typeStatefulSet, "redpanda", sts(nil)), res(t, typePDB, "grafana-pdb", pdb(1, map[string]any{"app.kubernetes.io/name": "grafana"}))),
			want:      []string{`statefulset "redpanda": no PodDisruptionBudget selects its pods; rule: on stack prod brokers need a PodDisruptionBudget with maxUnavailable 1`}},
		{name: "maxUnavailable 2", policy: "broker-high-availability",
			resources: rs(res(t, typeStatefulSet, "redpanda", sts(nil)), res(t, typePDB, "redpanda-pdb", pdb("2", goodSTS().labels))),
			want:      []string{`poddisruptionbudget "redpanda-pdb" (for statefulset "redpanda"): maxUnavailable "2"; rule: on stack prod brokers need maxUnavailable 1`}},
		{name: "dev has no PDB and that is fine", policy: "broker-high-availability", stack: "dev",
			resources: rs(res(t, typeStatefulSet, "redpanda", sts(func(s *stsSpec) { s.requiredAntiAffin = false })))},

		// volume-retention
		{name: "Retain and unset pass", policy: "volume-retention", stack: "dev", resources: rs(
			res(t, typeStatefulSet, "redpanda", sts(nil)),
			res(t, typeStatefulSet, "redpanda-b", sts(func(s *stsSpec) { s.whenDeleted = "" })))},
		{name: "Delete", policy: "volume-retention", stack: "dev",
			resources: rs(res(t, typeStatefulSet, "redpanda", sts(func(s *stsSpec) { s.whenDeleted = "Delete" }))),
			want:      []string{`statefulset "redpanda": persistentVolumeClaimRetentionPolicy.whenDeleted "Delete" deletes the broker volumes with the StatefulSet; rule: whenDeleted must be "Retain"`}},
		{name: "docker volumes cannot be judged", policy: "volume-retention", stack: "dev",
			resources: rs(res(t, typeDockerVolume, "bus-data-0", map[string]any{"name": "redpanda-0-data"}))},
	}
}

func TestClusterPolicies(t *testing.T) { runCases(t, clusterCases(t)) }

func TestParseQuantity(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"4Gi", 4 * gib, true},
		{"4096Mi", 4 * gib, true},
		{"2G", 2e9, true},
		{"2e9", 2e9, true},
		{"1.5Gi", 1.5 * gib, true},
		{"512", 512, true},
		{"100m", 0.1, true},
		{"", 0, false},
		{"4GB", 0, false},
		{"lots", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseQuantity(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseQuantity(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSMP(t *testing.T) {
	tests := []struct {
		argv  []string
		want  string
		found bool
	}{
		{[]string{"redpanda", "start", "--smp", "2"}, "2", true},
		{[]string{"redpanda", "start", "--smp=3"}, "3", true},
		{[]string{"sh", "-c", "rpk redpanda start --smp 4 --memory 8G"}, "4", true},
		{[]string{"redpanda", "start", "--smp"}, "", true},
		{[]string{"redpanda", "start"}, "", false},
	}
	for _, tt := range tests {
		got, found := smpOf(tt.argv)
		if got != tt.want || found != tt.found {
			t.Errorf("smpOf(%q) = %q, %v; want %q, %v", tt.argv, got, found, tt.want, tt.found)
		}
	}
}
