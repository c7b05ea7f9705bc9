package cluster

import (
	"fmt"
	"strconv"

	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Pod settings.
const (
	brokerContainerName = "redpanda"
	// DataVolumeName is the PVC template's name: PVCs are datadir-redpanda-<i>.
	DataVolumeName = "datadir"
	// redpandaUID is the image's redpanda user. fsGroup makes the data
	// volume writable by it.
	redpandaUID = 101
	// Probe timing. The startup probe allows the chart's 20 minutes (10 s ×
	// 120): a new cluster forms only once every seed runs, and a broker
	// replaying a large log starts slowly; liveness waits for it.
	probePeriodSeconds      = 10
	probeTimeoutSeconds     = 5
	startupFailureThreshold = 120
	failureThreshold        = 3
)

// statefulSetArgs renders the StatefulSet. Every broker-specific value
// comes from brokers (the renderer); this only places them in the pod.
func statefulSetArgs(a Args, brokers []BrokerConfig, labels, selector map[string]string, hash string) *appsv1.StatefulSetArgs {
	k := a.Kubernetes
	podLabels := copyLabels(labels)
	for key, v := range selector {
		podLabels[key] = v
	}
	return &appsv1.StatefulSetArgs{
		Metadata: objectMeta(StatefulSetName, a.Namespace, labels),
		Spec: &appsv1.StatefulSetSpecArgs{
			Replicas:    pulumi.Int(a.Brokers),
			ServiceName: pulumi.String(k.ServiceName),
			Selector:    &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(selector)},
			// All pods start together: every broker is a seed and none is
			// ready until the seeds have formed the cluster, so OrderedReady
			// would wait forever for pod 0.
			PodManagementPolicy: pulumi.String("Parallel"),
			UpdateStrategy:      &appsv1.StatefulSetUpdateStrategyArgs{Type: pulumi.String(updateStrategy(k))},
			// A PVC outlives its pod, the StatefulSet and a scale-down: a
			// broker that comes back on an empty disk gets a new node ID and
			// leaves a ghost broker behind.
			PersistentVolumeClaimRetentionPolicy: &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicyArgs{
				WhenDeleted: pulumi.String("Retain"),
				WhenScaled:  pulumi.String("Retain"),
			},
			Template: &corev1.PodTemplateSpecArgs{
				Metadata: &metav1.ObjectMetaArgs{
					Labels:      pulumi.ToStringMap(podLabels),
					Annotations: pulumi.StringMap{ConfigHashAnnotation: pulumi.String(hash)},
				},
				Spec: podSpec(a, brokers[0], selector),
			},
			VolumeClaimTemplates: corev1.PersistentVolumeClaimTypeArray{dataClaim(a, labels)},
		},
	}
}

// writableDirs are where Redpanda writes outside its data volume with a read-only root
// filesystem: rpk writes the node config (redpanda.yaml) into /etc/redpanda at start, and
// Seastar and rpk use /tmp. Both are emptyDirs, as in the Redpanda chart.
var writableDirs = []struct{ volume, path string }{
	{"config", "/etc/redpanda"},
	{"tmp", "/tmp"},
}

// podSpec renders the pod. b is any broker: what the pod template holds
// is the same for all (the flags differ, and live in the ConfigMap).
func podSpec(a Args, b BrokerConfig, selector map[string]string) *corev1.PodSpecArgs {
	k := a.Kubernetes
	volumes := corev1.VolumeArray{
		corev1.VolumeArgs{
			Name:      pulumi.String("start"),
			ConfigMap: &corev1.ConfigMapVolumeSourceArgs{Name: pulumi.String(ConfigMapName)},
		},
	}
	for _, w := range writableDirs {
		volumes = append(volumes, corev1.VolumeArgs{Name: pulumi.String(w.volume), EmptyDir: &corev1.EmptyDirVolumeSourceArgs{}})
	}
	if b.TLS.Enabled {
		volumes = append(volumes, corev1.VolumeArgs{
			Name:   pulumi.String("tls"),
			Secret: &corev1.SecretVolumeSourceArgs{SecretName: pulumi.String(tlsSecretName(a.Config))},
		})
	}
	return &corev1.PodSpecArgs{
		TerminationGracePeriodSeconds: pulumi.Int(k.TerminationGracePeriodSeconds),
		// The brokers never call the Kubernetes API.
		AutomountServiceAccountToken: pulumi.Bool(false),
		SecurityContext: &corev1.PodSecurityContextArgs{
			RunAsUser:           pulumi.Int(redpandaUID),
			RunAsGroup:          pulumi.Int(redpandaUID),
			RunAsNonRoot:        pulumi.Bool(true),
			FsGroup:             pulumi.Int(redpandaUID),
			FsGroupChangePolicy: pulumi.String("OnRootMismatch"),
			// Pod Security "restricted": the runtime's default syscall filter.
			SeccompProfile: &corev1.SeccompProfileArgs{Type: pulumi.String("RuntimeDefault")},
		},
		Affinity: &corev1.AffinityArgs{
			// One broker per node: two on one node share its disk and
			// network, and one node failure takes both (and quorum).
			PodAntiAffinity: &corev1.PodAntiAffinityArgs{
				RequiredDuringSchedulingIgnoredDuringExecution: corev1.PodAffinityTermArray{
					corev1.PodAffinityTermArgs{
						LabelSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(selector)},
						TopologyKey:   pulumi.String("kubernetes.io/hostname"),
					},
				},
			},
		},
		// Spread over zones where there are zones, but schedule anyway
		// where there are not (a single-zone pool must still run).
		TopologySpreadConstraints: corev1.TopologySpreadConstraintArray{
			corev1.TopologySpreadConstraintArgs{
				MaxSkew:           pulumi.Int(1),
				TopologyKey:       pulumi.String("topology.kubernetes.io/zone"),
				WhenUnsatisfiable: pulumi.String("ScheduleAnyway"),
				LabelSelector:     &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(selector)},
			},
		},
		NodeSelector: nodeSelector(k.NodeSelector),
		Tolerations:  tolerations(k.Tolerations),
		Containers:   corev1.ContainerArray{container(a, b)},
		Volumes:      volumes,
	}
}

// container renders the broker container.
func container(a Args, b BrokerConfig) corev1.ContainerArgs {
	k := a.Kubernetes
	// Requests equal limits: Guaranteed QoS, so the kubelet neither
	// throttles Seastar's reactor nor evicts the broker first, and
	// --memory (90 % of this limit, from the renderer) always fits.
	res := pulumi.StringMap{
		"cpu":    pulumi.String(strconv.Itoa(a.CPUCores)),
		"memory": pulumi.String(fmt.Sprintf("%dMi", a.Memory.Bytes()/mib)),
	}
	mounts := corev1.VolumeMountArray{
		corev1.VolumeMountArgs{Name: pulumi.String(DataVolumeName), MountPath: pulumi.String(DataDir)},
	}
	// The emptyDirs come before the bootstrap file, which is mounted inside /etc/redpanda.
	for _, w := range writableDirs {
		mounts = append(mounts, corev1.VolumeMountArgs{Name: pulumi.String(w.volume), MountPath: pulumi.String(w.path)})
	}
	mounts = append(mounts,
		corev1.VolumeMountArgs{Name: pulumi.String("start"), MountPath: pulumi.String(StartDir), ReadOnly: pulumi.Bool(true)},
		corev1.VolumeMountArgs{Name: pulumi.String("start"), MountPath: pulumi.String(BootstrapPath),
			SubPath: pulumi.String(BootstrapFile), ReadOnly: pulumi.Bool(true)})
	if b.TLS.Enabled {
		mounts = append(mounts, corev1.VolumeMountArgs{Name: pulumi.String("tls"), MountPath: pulumi.String(TLSDir), ReadOnly: pulumi.Bool(true)})
	}
	ready := &corev1.ExecActionArgs{Command: pulumi.ToStringArray([]string{"/bin/sh", "-c", readyCheck(b)})}
	hookSeconds := k.TerminationGracePeriodSeconds / 2
	lifecycle := &corev1.LifecycleArgs{
		PostStart: &corev1.LifecycleHandlerArgs{Exec: &corev1.ExecActionArgs{Command: pulumi.ToStringArray(hookCommand(PostStartFile, hookSeconds))}},
	}
	// Below 3 brokers maintenance mode would take away the majority the
	// cluster needs to move leadership at all: stop without a drain.
	if a.Brokers >= minProductionBrokers {
		lifecycle.PreStop = &corev1.LifecycleHandlerArgs{Exec: &corev1.ExecActionArgs{Command: pulumi.ToStringArray(hookCommand(PreStopFile, hookSeconds))}}
	}
	c := corev1.ContainerArgs{
		Name:  pulumi.String(brokerContainerName),
		Image: pulumi.String(a.Image),
		// The flags are the renderer's, chosen by ordinal (RenderEntrypoint).
		Command:      pulumi.ToStringArray([]string{"/bin/bash", StartDir + "/" + EntrypointFile}),
		Ports:        podPorts(b),
		Resources:    &corev1.ResourceRequirementsArgs{Requests: res, Limits: res},
		VolumeMounts: mounts,
		StartupProbe: &corev1.ProbeArgs{Exec: ready, PeriodSeconds: pulumi.Int(probePeriodSeconds),
			TimeoutSeconds: pulumi.Int(probeTimeoutSeconds), FailureThreshold: pulumi.Int(startupFailureThreshold)},
		// Liveness only asks whether the admin API accepts connections: a
		// broker that is alive but not ready (catching up) must not be
		// killed, which would only make it catch up again.
		LivenessProbe: &corev1.ProbeArgs{TcpSocket: &corev1.TCPSocketActionArgs{Port: pulumi.Int(b.Ports.Admin.Internal)},
			PeriodSeconds: pulumi.Int(probePeriodSeconds), TimeoutSeconds: pulumi.Int(probeTimeoutSeconds), FailureThreshold: pulumi.Int(failureThreshold)},
		ReadinessProbe: &corev1.ProbeArgs{Exec: ready, PeriodSeconds: pulumi.Int(probePeriodSeconds),
			TimeoutSeconds: pulumi.Int(probeTimeoutSeconds), FailureThreshold: pulumi.Int(failureThreshold), SuccessThreshold: pulumi.Int(1)},
		Lifecycle: lifecycle,
		// Pod Security "restricted", and a read-only image: Redpanda writes only its data
		// volume and the emptyDirs of writableDirs.
		SecurityContext: &corev1.SecurityContextArgs{
			AllowPrivilegeEscalation: pulumi.Bool(false),
			RunAsNonRoot:             pulumi.Bool(true),
			ReadOnlyRootFilesystem:   pulumi.Bool(true),
			Capabilities:             &corev1.CapabilitiesArgs{Drop: pulumi.ToStringArray([]string{"ALL"})},
			SeccompProfile:           &corev1.SeccompProfileArgs{Type: pulumi.String("RuntimeDefault")},
		},
	}
	var env corev1.EnvVarArray
	if a.SASLOn() {
		// Redpanda creates this user on first start; the value is
		// user:password:mechanism, kept in the Secret.
		env = append(env, corev1.EnvVarArgs{
			Name: pulumi.String("RP_BOOTSTRAP_USER"),
			ValueFrom: &corev1.EnvVarSourceArgs{SecretKeyRef: &corev1.SecretKeySelectorArgs{
				Name: pulumi.String(SuperuserSecretName), Key: pulumi.String(BootstrapUserKey),
			}},
		})
	}
	if a.RackAwareness {
		env = append(env, rackEnv())
	}
	if len(env) > 0 {
		c.Env = env
	}
	return c
}

// podPorts names the ports the broker listens on.
func podPorts(b BrokerConfig) corev1.ContainerPortArray {
	var out corev1.ContainerPortArray
	add := func(name string, port int) {
		out = append(out, corev1.ContainerPortArgs{Name: pulumi.String(name), ContainerPort: pulumi.Int(port), Protocol: pulumi.String("TCP")})
	}
	for _, p := range internalPorts(b, true) {
		add(p.name, p.port)
	}
	for _, m := range b.Published {
		// The admin API has no external listener: its published port maps
		// to the internal one, already named.
		if m.ContainerPort != b.Ports.Admin.Internal {
			add(externalPortName[m.Service], m.ContainerPort)
		}
	}
	return out
}

// dataClaim is the PVC template of the data volume.
func dataClaim(a Args, labels map[string]string) corev1.PersistentVolumeClaimTypeArgs {
	spec := &corev1.PersistentVolumeClaimSpecArgs{
		AccessModes: pulumi.ToStringArray([]string{"ReadWriteOnce"}),
		Resources: &corev1.VolumeResourceRequirementsArgs{
			Requests: pulumi.StringMap{"storage": pulumi.String(quantity(a.StorageSize.Bytes()))},
		},
	}
	if sc := a.StorageClass; sc != "" {
		spec.StorageClassName = pulumi.String(sc)
	}
	return corev1.PersistentVolumeClaimTypeArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(DataVolumeName), Labels: pulumi.ToStringMap(labels)},
		Spec:     spec,
	}
}

// quantity renders bytes as a Kubernetes quantity in the largest exact
// binary unit, e.g. 50Gi.
func quantity(b int64) string {
	switch {
	case b > 0 && b%gib == 0:
		return fmt.Sprintf("%dGi", b/gib)
	case b > 0 && b%mib == 0:
		return fmt.Sprintf("%dMi", b/mib)
	}
	return strconv.FormatInt(b, 10)
}

func nodeSelector(m map[string]string) pulumi.StringMapInput {
	if len(m) == 0 {
		return nil
	}
	return pulumi.ToStringMap(m)
}

func tolerations(ts []Toleration) corev1.TolerationArray {
	var out corev1.TolerationArray
	for _, t := range ts {
		ta := corev1.TolerationArgs{Key: pulumi.String(t.Key)}
		if t.Operator != "" {
			ta.Operator = pulumi.String(t.Operator)
		}
		if t.Value != "" {
			ta.Value = pulumi.String(t.Value)
		}
		if t.Effect != "" {
			ta.Effect = pulumi.String(t.Effect)
		}
		out = append(out, ta)
	}
	return out
}

func copyLabels(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// updateStrategy is OnDelete when a RollingRestart rolls the pods: Kubernetes' RollingUpdate
// moves on when a pod is Ready, not when Redpanda's partitions have caught up. The Kubernetes
// provider's await of an OnDelete StatefulSet wants only its replicas Ready, not at the new
// revision (pulumi-kubernetes provider/pkg/await/statefulset.go), so the update returns and
// the RollingRestart after it can run.
func updateStrategy(k KubernetesArgs) string {
	if k.HealthGatedRollout {
		return "OnDelete"
	}
	return "RollingUpdate"
}
