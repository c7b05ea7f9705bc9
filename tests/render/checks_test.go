//go:build render

package render

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metavalidation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/marketbus/market-bus/components/cluster"
	"github.com/marketbus/market-bus/stacks"
)

// checker collects findings, each naming the file and the field.
type checker struct {
	t    *testing.T
	objs *rendered
}

func (c checker) errorf(obj any, field, format string, args ...any) {
	c.t.Helper()
	c.t.Errorf("%s: %s: %s", c.objs.source[obj], field, fmt.Sprintf(format, args...))
}

// checkProd checks the rendered prod objects: exactly the expected set, each valid as the
// API server would judge the fields we set, every cross-reference resolving to a rendered
// object, and the values prod promises (3 replicas, 50Gi on the SSD class, one broker per
// node, at most one broker down for maintenance).
func checkProd(t *testing.T, spec stacks.Spec, objs *rendered) {
	c := checker{t: t, objs: objs}
	cs := spec.Cluster
	brokers := cs.Brokers

	wantServices := 2 // headless + client
	if cs.ExternalDomain != "" {
		if cs.ExternalServiceType == cluster.ExternalLoadBalancer {
			wantServices += brokers
		} else {
			wantServices++
		}
	}
	counts := []struct {
		kind      string
		got, want int
	}{
		{"StatefulSet", len(objs.statefulSets), 1},
		{"Service", len(objs.services), wantServices},
		{"ConfigMap", len(objs.configMaps), 1},
		{"Secret", len(objs.secrets), boolInt(cs.SASL != nil)},
		{"Namespace", len(objs.namespaces), boolInt(cs.CreateNamespace == nil || *cs.CreateNamespace)},
		{"PodDisruptionBudget", len(objs.pdbs), 1},
		{"Certificate", len(objs.certificates), boolInt(cs.TLS && cs.CertIssuer != "")},
	}
	for _, k := range counts {
		if k.got != k.want {
			t.Errorf("rendered %d %s object(s), want %d", k.got, k.kind, k.want)
		}
	}
	if len(objs.statefulSets) != 1 || len(objs.configMaps) != 1 {
		t.FailNow()
	}
	// Brokers 3 is what prod promises; the count must also be the stack's.
	if brokers != 3 {
		t.Errorf("prod config has %d brokers, want 3", brokers)
	}

	c.metadata(spec)
	sts := objs.statefulSets[0]
	cm := objs.configMaps[0]
	c.statefulSet(spec, sts, cm)
	c.configMap(spec, cm, sts)
	for _, s := range objs.secrets {
		c.secret(s)
	}
	for _, s := range objs.services {
		c.service(spec, s, sts)
	}
	for _, p := range objs.pdbs {
		c.pdb(p, sts)
	}
	for _, crt := range objs.certificates {
		c.certificate(spec, crt, sts)
	}
	for _, ns := range objs.namespaces {
		if ns.Name != cs.Namespace {
			c.errorf(ns, "metadata.name", "namespace %q, want the stack's %q", ns.Name, cs.Namespace)
		}
	}
}

// metadata checks every object's name, namespace, labels and annotations.
func (c checker) metadata(spec stacks.Spec) {
	type named struct {
		obj  any
		meta *metav1.ObjectMeta
		// nameCheck is the API's rule for the kind's names.
		nameCheck  func(string) []string
		namespaced bool
	}
	var all []named
	for _, o := range c.objs.statefulSets {
		all = append(all, named{o, &o.ObjectMeta, validation.IsDNS1123Label, true})
	}
	for _, o := range c.objs.services {
		all = append(all, named{o, &o.ObjectMeta, validation.IsDNS1035Label, true})
	}
	for _, o := range c.objs.configMaps {
		all = append(all, named{o, &o.ObjectMeta, validation.IsDNS1123Subdomain, true})
	}
	for _, o := range c.objs.secrets {
		all = append(all, named{o, &o.ObjectMeta, validation.IsDNS1123Subdomain, true})
	}
	for _, o := range c.objs.pdbs {
		all = append(all, named{o, &o.ObjectMeta, validation.IsDNS1123Subdomain, true})
	}
	for _, o := range c.objs.certificates {
		all = append(all, named{o, &o.ObjectMeta, validation.IsDNS1123Subdomain, true})
	}
	for _, o := range c.objs.namespaces {
		all = append(all, named{o, &o.ObjectMeta, validation.IsDNS1123Label, false})
	}
	seen := map[string]any{}
	for _, n := range all {
		m := n.meta
		if m.Name == "" {
			c.errorf(n.obj, "metadata.name", "empty")
		}
		for _, msg := range n.nameCheck(m.Name) {
			c.errorf(n.obj, "metadata.name", "%q: %s", m.Name, msg)
		}
		if n.namespaced && m.Namespace != spec.Cluster.Namespace {
			c.errorf(n.obj, "metadata.namespace", "%q, want the stack's namespace %q", m.Namespace, spec.Cluster.Namespace)
		}
		if !n.namespaced && m.Namespace != "" {
			c.errorf(n.obj, "metadata.namespace", "%q on a cluster-scoped object", m.Namespace)
		}
		c.fieldErrors(n.obj, metavalidation.ValidateLabels(m.Labels, field.NewPath("metadata", "labels")))
		c.fieldErrors(n.obj, apivalidation.ValidateAnnotations(m.Annotations, field.NewPath("metadata", "annotations")))
		if m.GenerateName != "" || m.UID != "" || m.ResourceVersion != "" || m.CreationTimestamp.Time.Unix() > 0 {
			c.errorf(n.obj, "metadata", "carries server-set or generated fields: %+v", m)
		}
		key := fmt.Sprintf("%T/%s/%s", n.obj, m.Namespace, m.Name)
		if prev, dup := seen[key]; dup {
			c.errorf(n.obj, "metadata.name", "same kind, namespace and name as %s", c.objs.source[prev])
		}
		seen[key] = n.obj
	}
}

func (c checker) fieldErrors(obj any, errs field.ErrorList) {
	c.t.Helper()
	for _, e := range errs {
		c.errorf(obj, e.Field, "%s", e.ErrorBody())
	}
}

// statefulSet checks the brokers' StatefulSet and its pod template.
func (c checker) statefulSet(spec stacks.Spec, sts *appsv1.StatefulSet, cm *corev1.ConfigMap) {
	cs := spec.Cluster
	s := sts.Spec
	if s.Replicas == nil || *s.Replicas != 3 || int(*s.Replicas) != cs.Brokers {
		c.errorf(sts, "spec.replicas", "%v, want 3 (the stack's %d brokers)", ptrVal(s.Replicas), cs.Brokers)
	}
	podLabels := labels.Set(s.Template.Labels)
	c.selectorMatches(sts, "spec.selector", s.Selector, podLabels)
	if s.ServiceName == "" {
		c.errorf(sts, "spec.serviceName", "empty: pods get no stable DNS names")
	} else if svc := c.service0(s.ServiceName); svc == nil {
		c.errorf(sts, "spec.serviceName", "%q is not a rendered Service", s.ServiceName)
	} else if svc.Spec.ClusterIP != corev1.ClusterIPNone {
		c.errorf(sts, "spec.serviceName", "Service %q is not headless (clusterIP %q)", s.ServiceName, svc.Spec.ClusterIP)
	}
	if !oneOf(string(s.PodManagementPolicy), "", "OrderedReady", "Parallel") {
		c.errorf(sts, "spec.podManagementPolicy", "%q is not OrderedReady or Parallel", s.PodManagementPolicy)
	}
	if !oneOf(string(s.UpdateStrategy.Type), "", "RollingUpdate", "OnDelete") {
		c.errorf(sts, "spec.updateStrategy.type", "%q is not RollingUpdate or OnDelete", s.UpdateStrategy.Type)
	}
	if p := s.PersistentVolumeClaimRetentionPolicy; p != nil {
		for f, v := range map[string]appsv1.PersistentVolumeClaimRetentionPolicyType{"whenDeleted": p.WhenDeleted, "whenScaled": p.WhenScaled} {
			if !oneOf(string(v), "", "Retain", "Delete") {
				c.errorf(sts, "spec.persistentVolumeClaimRetentionPolicy."+f, "%q is not Retain or Delete", v)
			}
		}
	}
	for i := 0; i < int(ptrVal(s.Replicas)); i++ {
		for _, msg := range validation.IsDNS1123Label(fmt.Sprintf("%s-%d", sts.Name, i)) {
			c.errorf(sts, "metadata.name", "pod name %s-%d: %s", sts.Name, i, msg)
		}
	}
	c.fieldErrors(sts, metavalidation.ValidateLabels(s.Template.Labels, field.NewPath("spec", "template", "metadata", "labels")))
	c.fieldErrors(sts, apivalidation.ValidateAnnotations(s.Template.Annotations, field.NewPath("spec", "template", "metadata", "annotations")))

	// The data volume: one claim per broker, 50Gi on the SSD class, the stack's size.
	claims := map[string]bool{}
	if len(s.VolumeClaimTemplates) != 1 {
		c.errorf(sts, "spec.volumeClaimTemplates", "%d claim templates, want 1 (the data volume)", len(s.VolumeClaimTemplates))
	}
	for i, pvc := range s.VolumeClaimTemplates {
		f := fmt.Sprintf("spec.volumeClaimTemplates[%d]", i)
		claims[pvc.Name] = true
		for _, msg := range validation.IsDNS1123Label(pvc.Name) {
			c.errorf(sts, f+".metadata.name", "%q: %s", pvc.Name, msg)
		}
		c.fieldErrors(sts, metavalidation.ValidateLabels(pvc.Labels, field.NewPath(f, "metadata", "labels")))
		if len(pvc.Spec.AccessModes) != 1 || pvc.Spec.AccessModes[0] != corev1.ReadWriteOnce {
			c.errorf(sts, f+".spec.accessModes", "%v, want [ReadWriteOnce]", pvc.Spec.AccessModes)
		}
		if sc := pvc.Spec.StorageClassName; sc == nil || *sc != "ssd" || *sc != cs.StorageClass {
			c.errorf(sts, f+".spec.storageClassName", "%v, want the SSD class %q (the stack's %q)", ptrVal(sc), "ssd", cs.StorageClass)
		}
		got := pvc.Spec.Resources.Requests[corev1.ResourceStorage]
		want50 := resource.MustParse("50Gi")
		wantStack, err := resource.ParseQuantity(cs.StorageSize)
		if err != nil {
			c.errorf(sts, f, "the stack's storageSize %q is no quantity: %v", cs.StorageSize, err)
		}
		if got.Cmp(want50) != 0 || got.Cmp(wantStack) != 0 {
			c.errorf(sts, f+".spec.resources.requests.storage", "%s, want 50Gi (the stack's %s)", got.String(), cs.StorageSize)
		}
	}

	pod := s.Template.Spec
	c.podPlacement(spec, sts, pod, podLabels)
	if pod.TerminationGracePeriodSeconds == nil || *pod.TerminationGracePeriodSeconds < cluster.DefaultTerminationGraceSeconds {
		c.errorf(sts, "spec.template.spec.terminationGracePeriodSeconds", "%v, want at least %d for the preStop drain",
			ptrVal(pod.TerminationGracePeriodSeconds), cluster.DefaultTerminationGraceSeconds)
	}
	if sc := pod.SecurityContext; sc != nil {
		if sc.RunAsNonRoot != nil && *sc.RunAsNonRoot && sc.RunAsUser != nil && *sc.RunAsUser == 0 {
			c.errorf(sts, "spec.template.spec.securityContext", "runAsNonRoot with runAsUser 0: the kubelet refuses to start it")
		}
		if p := sc.FSGroupChangePolicy; p != nil && !oneOf(string(*p), "OnRootMismatch", "Always") {
			c.errorf(sts, "spec.template.spec.securityContext.fsGroupChangePolicy", "%q is not OnRootMismatch or Always", *p)
		}
	}

	// Volumes: unique, valid names; the sources they name exist.
	volumes := map[string]corev1.Volume{}
	for i, v := range pod.Volumes {
		f := fmt.Sprintf("spec.template.spec.volumes[%d]", i)
		for _, msg := range validation.IsDNS1123Label(v.Name) {
			c.errorf(sts, f+".name", "%q: %s", v.Name, msg)
		}
		if _, dup := volumes[v.Name]; dup || claims[v.Name] {
			c.errorf(sts, f+".name", "%q is given twice (volumes and claim templates share one namespace)", v.Name)
		}
		volumes[v.Name] = v
		switch {
		case v.ConfigMap != nil:
			if v.ConfigMap.Name != cm.Name {
				c.errorf(sts, f+".configMap.name", "%q is not the rendered ConfigMap %q", v.ConfigMap.Name, cm.Name)
			}
		case v.Secret != nil:
			if !c.secretProvided(v.Secret.SecretName) {
				c.errorf(sts, f+".secret.secretName", "%q is neither a rendered Secret nor the Secret of a rendered Certificate", v.Secret.SecretName)
			}
		default:
			c.errorf(sts, f, "a volume source this test does not check yet")
		}
	}

	if len(pod.Containers) != 1 {
		c.errorf(sts, "spec.template.spec.containers", "%d containers, want 1 (the broker)", len(pod.Containers))
	}
	for i := range pod.Containers {
		c.container(spec, sts, fmt.Sprintf("spec.template.spec.containers[%d]", i), &pod.Containers[i], volumes, claims, cm)
	}

	// The pod template carries the hash of the start files, so a change of them rolls the
	// brokers (the ConfigMap keeps its name and the StatefulSet is not replaced).
	if got, want := s.Template.Annotations[cluster.ConfigHashAnnotation], configHash(cm.Data); got != want {
		c.errorf(sts, "spec.template.metadata.annotations["+cluster.ConfigHashAnnotation+"]", "%q, want %q, the SHA-256 of the rendered ConfigMap's data", got, want)
	}
}

// podPlacement: one broker per node (required anti-affinity on the hostname), spread over
// zones, on the node pool's labelled and tainted nodes.
func (c checker) podPlacement(spec stacks.Spec, sts *appsv1.StatefulSet, pod corev1.PodSpec, podLabels labels.Set) {
	const f = "spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution"
	var terms []corev1.PodAffinityTerm
	if a := pod.Affinity; a != nil && a.PodAntiAffinity != nil {
		terms = a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution
	}
	perNode := false
	for i, term := range terms {
		for _, msg := range validation.IsQualifiedName(term.TopologyKey) {
			c.errorf(sts, fmt.Sprintf("%s[%d].topologyKey", f, i), "%q: %s", term.TopologyKey, msg)
		}
		if c.selectorMatches(sts, fmt.Sprintf("%s[%d].labelSelector", f, i), term.LabelSelector, podLabels) && term.TopologyKey == "kubernetes.io/hostname" {
			perNode = true
		}
	}
	if !perNode {
		c.errorf(sts, f, "no required term keeps two brokers off one node (topologyKey kubernetes.io/hostname, selecting the broker pods)")
	}
	for i, tsc := range pod.TopologySpreadConstraints {
		tf := fmt.Sprintf("spec.template.spec.topologySpreadConstraints[%d]", i)
		if tsc.MaxSkew < 1 {
			c.errorf(sts, tf+".maxSkew", "%d, must be at least 1", tsc.MaxSkew)
		}
		if !oneOf(string(tsc.WhenUnsatisfiable), "DoNotSchedule", "ScheduleAnyway") {
			c.errorf(sts, tf+".whenUnsatisfiable", "%q is not DoNotSchedule or ScheduleAnyway", tsc.WhenUnsatisfiable)
		}
		for _, msg := range validation.IsQualifiedName(tsc.TopologyKey) {
			c.errorf(sts, tf+".topologyKey", "%q: %s", tsc.TopologyKey, msg)
		}
		c.selectorMatches(sts, tf+".labelSelector", tsc.LabelSelector, podLabels)
	}
	np := spec.NodePool
	for k, v := range np.Labels {
		if pod.NodeSelector[k] != v {
			c.errorf(sts, "spec.template.spec.nodeSelector", "%v does not select the node pool's label %s=%s", pod.NodeSelector, k, v)
		}
	}
	if len(pod.NodeSelector) != len(np.Labels) {
		c.errorf(sts, "spec.template.spec.nodeSelector", "%v, want exactly the node pool's labels %v", pod.NodeSelector, np.Labels)
	}
	c.fieldErrors(sts, metavalidation.ValidateLabels(pod.NodeSelector, field.NewPath("spec", "template", "spec", "nodeSelector")))
	for i, tol := range pod.Tolerations {
		tf := fmt.Sprintf("spec.template.spec.tolerations[%d]", i)
		if !oneOf(string(tol.Operator), "", "Equal", "Exists") {
			c.errorf(sts, tf+".operator", "%q is not Equal or Exists", tol.Operator)
		}
		if tol.Operator == corev1.TolerationOpExists && tol.Value != "" {
			c.errorf(sts, tf+".value", "%q with operator Exists: the API refuses a value", tol.Value)
		}
		if !oneOf(string(tol.Effect), "", "NoSchedule", "PreferNoSchedule", "NoExecute") {
			c.errorf(sts, tf+".effect", "%q is not NoSchedule, PreferNoSchedule or NoExecute", tol.Effect)
		}
	}
	for _, taint := range np.Taints {
		tolerated := false
		for _, tol := range pod.Tolerations {
			tolerated = tolerated || tolerates(tol, taint.Key, taint.Value, taint.Effect)
		}
		if !tolerated {
			c.errorf(sts, "spec.template.spec.tolerations", "%v do not tolerate the node pool's taint %s=%s:%s", pod.Tolerations, taint.Key, taint.Value, taint.Effect)
		}
	}
}

// tolerates is the scheduler's rule for one toleration and one taint.
func tolerates(tol corev1.Toleration, key, value, effect string) bool {
	if tol.Effect != "" && string(tol.Effect) != effect {
		return false
	}
	if tol.Key != "" && tol.Key != key {
		return false
	}
	switch tol.Operator {
	case corev1.TolerationOpExists:
		return true
	case "", corev1.TolerationOpEqual:
		return tol.Key == key && tol.Value == value
	}
	return false
}

// startFileRE finds the start files a command runs.
var startFileRE = regexp.MustCompile(regexp.QuoteMeta(cluster.StartDir) + `/([-._a-zA-Z0-9]+)`)

// container checks the broker container: image, ports, mounts, resources, env, probes and
// hooks, and that every file, Secret key and port they name exists.
func (c checker) container(spec stacks.Spec, sts *appsv1.StatefulSet, f string, ct *corev1.Container, volumes map[string]corev1.Volume, claims map[string]bool, cm *corev1.ConfigMap) {
	cs := spec.Cluster
	for _, msg := range validation.IsDNS1123Label(ct.Name) {
		c.errorf(sts, f+".name", "%q: %s", ct.Name, msg)
	}
	if ct.Image != cs.Image {
		c.errorf(sts, f+".image", "%q, want the stack's pinned %q", ct.Image, cs.Image)
	}
	if !oneOf(string(ct.ImagePullPolicy), "", "Always", "IfNotPresent", "Never") {
		c.errorf(sts, f+".imagePullPolicy", "%q is not Always, IfNotPresent or Never", ct.ImagePullPolicy)
	}

	portNames, portNums := map[string]bool{}, map[int32]bool{}
	for i, p := range ct.Ports {
		pf := fmt.Sprintf("%s.ports[%d]", f, i)
		if p.Name != "" {
			for _, msg := range validation.IsValidPortName(p.Name) {
				c.errorf(sts, pf+".name", "%q: %s", p.Name, msg)
			}
			if portNames[p.Name] {
				c.errorf(sts, pf+".name", "%q is given twice", p.Name)
			}
			portNames[p.Name] = true
		}
		for _, msg := range validation.IsValidPortNum(int(p.ContainerPort)) {
			c.errorf(sts, pf+".containerPort", "%d: %s", p.ContainerPort, msg)
		}
		if portNums[p.ContainerPort] {
			c.errorf(sts, pf+".containerPort", "%d is given twice", p.ContainerPort)
		}
		portNums[p.ContainerPort] = true
		if !oneOf(string(p.Protocol), "", "TCP", "UDP", "SCTP") {
			c.errorf(sts, pf+".protocol", "%q is not TCP, UDP or SCTP", p.Protocol)
		}
		if p.HostPort != 0 {
			c.errorf(sts, pf+".hostPort", "%d: brokers publish through Services, not host ports", p.HostPort)
		}
	}
	portOK := func(p intstr.IntOrString) bool {
		if p.Type == intstr.String {
			return portNames[p.StrVal]
		}
		return portNums[p.IntVal]
	}

	mountPaths := map[string]bool{}
	mountedStartDir := false
	for i, m := range ct.VolumeMounts {
		mf := fmt.Sprintf("%s.volumeMounts[%d]", f, i)
		v, isVolume := volumes[m.Name]
		if !isVolume && !claims[m.Name] {
			c.errorf(sts, mf+".name", "%q is neither a volume nor a claim template", m.Name)
		}
		if !path.IsAbs(m.MountPath) || strings.Contains(m.MountPath, ":") {
			c.errorf(sts, mf+".mountPath", "%q is not an absolute path without ':'", m.MountPath)
		}
		if mountPaths[m.MountPath] {
			c.errorf(sts, mf+".mountPath", "%q is mounted twice", m.MountPath)
		}
		mountPaths[m.MountPath] = true
		if m.SubPath != "" {
			if path.IsAbs(m.SubPath) || strings.Contains(m.SubPath, "..") {
				c.errorf(sts, mf+".subPath", "%q must be a relative path without '..'", m.SubPath)
			}
			if isVolume && v.ConfigMap != nil {
				if _, ok := cm.Data[m.SubPath]; !ok {
					c.errorf(sts, mf+".subPath", "%q is not a key of ConfigMap %q", m.SubPath, cm.Name)
				}
			}
		}
		if isVolume && v.ConfigMap != nil && m.SubPath == "" && m.MountPath == cluster.StartDir {
			mountedStartDir = true
		}
	}

	// Guaranteed QoS: requests equal limits, the stack's cores and memory.
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, hasReq := ct.Resources.Requests[r]
		lim, hasLim := ct.Resources.Limits[r]
		if !hasReq || !hasLim || req.Cmp(lim) != 0 {
			c.errorf(sts, f+".resources", "%s request %v and limit %v must both be set and equal (Guaranteed QoS)", r, req.String(), lim.String())
		}
	}
	if cpu := ct.Resources.Limits[corev1.ResourceCPU]; cpu.Cmp(*resource.NewQuantity(int64(cs.CPUCores), resource.DecimalSI)) != 0 {
		c.errorf(sts, f+".resources.limits.cpu", "%s, want the stack's %d core(s)", cpu.String(), cs.CPUCores)
	}
	if want, err := resource.ParseQuantity(cs.Memory); err != nil {
		c.errorf(sts, f, "the stack's memory %q is no quantity: %v", cs.Memory, err)
	} else if mem := ct.Resources.Limits[corev1.ResourceMemory]; mem.Cmp(want) != 0 {
		c.errorf(sts, f+".resources.limits.memory", "%s, want the stack's %s", mem.String(), cs.Memory)
	}

	envNames := map[string]bool{}
	for i, e := range ct.Env {
		ef := fmt.Sprintf("%s.env[%d]", f, i)
		for _, msg := range validation.IsEnvVarName(e.Name) {
			c.errorf(sts, ef+".name", "%q: %s", e.Name, msg)
		}
		if envNames[e.Name] {
			c.errorf(sts, ef+".name", "%q is set twice", e.Name)
		}
		envNames[e.Name] = true
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			ref := e.ValueFrom.SecretKeyRef
			if sec := c.secret0(ref.Name); sec == nil {
				c.errorf(sts, ef+".valueFrom.secretKeyRef.name", "%q is not a rendered Secret", ref.Name)
			} else if _, ok := secretValue(sec, ref.Key); !ok {
				c.errorf(sts, ef+".valueFrom.secretKeyRef.key", "%q is not a key of Secret %q", ref.Key, ref.Name)
			}
		}
	}
	if cs.SASL != nil && !envNames["RP_BOOTSTRAP_USER"] {
		c.errorf(sts, f+".env", "no RP_BOOTSTRAP_USER: SASL is on but the superuser is never created")
	}

	probes := []struct {
		name  string
		probe *corev1.Probe
	}{{"startupProbe", ct.StartupProbe}, {"livenessProbe", ct.LivenessProbe}, {"readinessProbe", ct.ReadinessProbe}}
	for _, p := range probes {
		pf := f + "." + p.name
		if p.probe == nil {
			c.errorf(sts, pf, "missing")
			continue
		}
		c.handler(sts, pf, p.probe.Exec, p.probe.TCPSocket, p.probe.HTTPGet, p.probe.GRPC != nil, portOK)
		if p.name != "readinessProbe" && p.probe.SuccessThreshold > 1 {
			c.errorf(sts, pf+".successThreshold", "%d: the API requires 1 for a %s", p.probe.SuccessThreshold, p.name)
		}
		for name, v := range map[string]int32{"periodSeconds": p.probe.PeriodSeconds, "timeoutSeconds": p.probe.TimeoutSeconds,
			"failureThreshold": p.probe.FailureThreshold, "successThreshold": p.probe.SuccessThreshold, "initialDelaySeconds": p.probe.InitialDelaySeconds} {
			if v < 0 {
				c.errorf(sts, pf+"."+name, "%d is negative", v)
			}
		}
	}
	if lc := ct.Lifecycle; lc != nil {
		for name, h := range map[string]*corev1.LifecycleHandler{"postStart": lc.PostStart, "preStop": lc.PreStop} {
			if h != nil {
				c.handler(sts, f+".lifecycle."+name, h.Exec, h.TCPSocket, h.HTTPGet, h.Sleep != nil, portOK)
			}
		}
	}

	// Every start file a command runs is a key of the ConfigMap mounted at StartDir.
	var cmds []string
	cmds = append(cmds, ct.Command...)
	cmds = append(cmds, ct.Args...)
	if lc := ct.Lifecycle; lc != nil {
		for _, h := range []*corev1.LifecycleHandler{lc.PostStart, lc.PreStop} {
			if h != nil && h.Exec != nil {
				cmds = append(cmds, h.Exec.Command...)
			}
		}
	}
	for _, arg := range cmds {
		for _, m := range startFileRE.FindAllStringSubmatch(arg, -1) {
			if !mountedStartDir {
				c.errorf(sts, f+".volumeMounts", "commands run %s but no ConfigMap is mounted at %s", m[0], cluster.StartDir)
			}
			if _, ok := cm.Data[m[1]]; !ok {
				c.errorf(sts, f, "a command runs %s, but %q is not a key of ConfigMap %q", m[0], m[1], cm.Name)
			}
		}
	}
	if sc := ct.SecurityContext; sc != nil && sc.Privileged != nil && *sc.Privileged {
		c.errorf(sts, f+".securityContext.privileged", "true: brokers need no privileges")
	}
}

// handler checks a probe's or hook's action: exactly one, and the port it names exists.
func (c checker) handler(sts *appsv1.StatefulSet, f string, exec *corev1.ExecAction, tcp *corev1.TCPSocketAction, httpGet *corev1.HTTPGetAction, other bool, portOK func(intstr.IntOrString) bool) {
	n := boolInt(exec != nil) + boolInt(tcp != nil) + boolInt(httpGet != nil) + boolInt(other)
	if n != 1 {
		c.errorf(sts, f, "%d actions, the API wants exactly one", n)
	}
	if exec != nil && len(exec.Command) == 0 {
		c.errorf(sts, f+".exec.command", "empty")
	}
	if tcp != nil && !portOK(tcp.Port) {
		c.errorf(sts, f+".tcpSocket.port", "%s is not a port of the container", tcp.Port.String())
	}
	if httpGet != nil && !portOK(httpGet.Port) {
		c.errorf(sts, f+".httpGet.port", "%s is not a port of the container", httpGet.Port.String())
	}
}

// configMap checks the start files: valid keys, one flag list per broker, under the size
// limit.
func (c checker) configMap(spec stacks.Spec, cm *corev1.ConfigMap, sts *appsv1.StatefulSet) {
	size := 0
	for k, v := range cm.Data {
		for _, msg := range validation.IsConfigMapKey(k) {
			c.errorf(cm, "data", "key %q: %s", k, msg)
		}
		size += len(k) + len(v)
	}
	for k := range cm.BinaryData {
		c.errorf(cm, "binaryData", "key %q: the start files are text", k)
	}
	if size > 1<<20 {
		c.errorf(cm, "data", "%d bytes, over the API's 1 MiB", size)
	}
	for i := 0; i < spec.Cluster.Brokers; i++ {
		if _, ok := cm.Data[cluster.ArgsFile(i)]; !ok {
			c.errorf(cm, "data", "no %s: broker %d has no flags", cluster.ArgsFile(i), i)
		}
	}
	for _, k := range []string{cluster.EntrypointFile, cluster.BootstrapFile} {
		if strings.TrimSpace(cm.Data[k]) == "" {
			c.errorf(cm, "data["+k+"]", "missing or empty")
		}
	}
}

// secret checks the superuser Secret: a known type, valid keys, the bootstrap user in the
// form Redpanda reads (user:password:mechanism).
func (c checker) secret(s *corev1.Secret) {
	if !oneOf(string(s.Type), "", "Opaque") {
		c.errorf(s, "type", "%q, want Opaque", s.Type)
	}
	for k := range s.Data {
		for _, msg := range validation.IsConfigMapKey(k) {
			c.errorf(s, "data", "key %q: %s", k, msg)
		}
	}
	for k := range s.StringData {
		for _, msg := range validation.IsConfigMapKey(k) {
			c.errorf(s, "stringData", "key %q: %s", k, msg)
		}
	}
	if s.Name != cluster.SuperuserSecretName {
		return
	}
	v, ok := secretValue(s, cluster.BootstrapUserKey)
	parts := strings.Split(v, ":")
	if !ok || len(parts) != 3 || parts[0] == "" || parts[1] != placeholderSecret || !oneOf(parts[2], "SCRAM-SHA-256", "SCRAM-SHA-512") {
		c.errorf(s, cluster.BootstrapUserKey, "%q, want user:password:SCRAM-SHA-256|512 with the stack's password", redact(v))
	}
}

func redact(v string) string { return strings.ReplaceAll(v, placeholderSecret, "<password>") }

// service checks a Service: type, ports, that its selector reaches the broker pods and its
// target ports are the broker's.
func (c checker) service(spec stacks.Spec, svc *corev1.Service, sts *appsv1.StatefulSet) {
	s := svc.Spec
	if !oneOf(string(s.Type), "", "ClusterIP", "NodePort", "LoadBalancer") {
		c.errorf(svc, "spec.type", "%q is not ClusterIP, NodePort or LoadBalancer", s.Type)
	}
	if s.ClusterIP == corev1.ClusterIPNone && s.Type != "" && s.Type != corev1.ServiceTypeClusterIP {
		c.errorf(svc, "spec.clusterIP", "None on a %s Service", s.Type)
	}
	if s.ExternalTrafficPolicy != "" {
		if s.Type != corev1.ServiceTypeNodePort && s.Type != corev1.ServiceTypeLoadBalancer {
			c.errorf(svc, "spec.externalTrafficPolicy", "set on a %q Service: only NodePort and LoadBalancer take it", s.Type)
		}
		if !oneOf(string(s.ExternalTrafficPolicy), "Cluster", "Local") {
			c.errorf(svc, "spec.externalTrafficPolicy", "%q is not Cluster or Local", s.ExternalTrafficPolicy)
		}
	}
	if s.ClusterIP == corev1.ClusterIPNone && !s.PublishNotReadyAddresses && svc.Name == sts.Spec.ServiceName {
		c.errorf(svc, "spec.publishNotReadyAddresses", "false on the pods' headless Service: brokers cannot resolve their seeds before they are ready")
	}
	if len(s.Ports) == 0 {
		c.errorf(svc, "spec.ports", "none")
	}
	pod := sts.Spec.Template.Spec
	var ctPorts []corev1.ContainerPort
	for _, ct := range pod.Containers {
		ctPorts = append(ctPorts, ct.Ports...)
	}
	names, nums := map[string]bool{}, map[int32]bool{}
	for i, p := range s.Ports {
		f := fmt.Sprintf("spec.ports[%d]", i)
		if len(s.Ports) > 1 && p.Name == "" {
			c.errorf(svc, f+".name", "empty: a Service with several ports must name each")
		}
		if p.Name != "" {
			for _, msg := range validation.IsDNS1123Label(p.Name) {
				c.errorf(svc, f+".name", "%q: %s", p.Name, msg)
			}
			if names[p.Name] {
				c.errorf(svc, f+".name", "%q is given twice", p.Name)
			}
			names[p.Name] = true
		}
		for _, msg := range validation.IsValidPortNum(int(p.Port)) {
			c.errorf(svc, f+".port", "%d: %s", p.Port, msg)
		}
		if nums[p.Port] {
			c.errorf(svc, f+".port", "%d is given twice", p.Port)
		}
		nums[p.Port] = true
		if !oneOf(string(p.Protocol), "", "TCP", "UDP", "SCTP") {
			c.errorf(svc, f+".protocol", "%q is not TCP, UDP or SCTP", p.Protocol)
		}
		if p.NodePort != 0 {
			if s.Type != corev1.ServiceTypeNodePort && s.Type != corev1.ServiceTypeLoadBalancer {
				c.errorf(svc, f+".nodePort", "%d on a %q Service", p.NodePort, s.Type)
			}
			if p.NodePort < 30000 || p.NodePort > 32767 {
				c.errorf(svc, f+".nodePort", "%d is outside the default NodePort range 30000-32767", p.NodePort)
			}
		}
		target := p.TargetPort
		if target.Type == intstr.Int && target.IntVal == 0 {
			target = intstr.FromInt32(p.Port)
		}
		found := false
		for _, cp := range ctPorts {
			if (target.Type == intstr.String && cp.Name == target.StrVal) || (target.Type == intstr.Int && cp.ContainerPort == target.IntVal) {
				found = true
			}
		}
		if !found {
			c.errorf(svc, f+".targetPort", "%s is not a port of the broker container", target.String())
		}
	}
	if len(s.Selector) == 0 {
		c.errorf(svc, "spec.selector", "empty: the Service selects no pods")
		return
	}
	c.fieldErrors(svc, metavalidation.ValidateLabels(s.Selector, field.NewPath("spec", "selector")))
	// A pod carries its template's labels plus the pod-name label the StatefulSet adds.
	reaches := 0
	for i := 0; i < int(ptrVal(sts.Spec.Replicas)); i++ {
		podLabels := labels.Merge(labels.Set(sts.Spec.Template.Labels), labels.Set{appsv1.StatefulSetPodNameLabel: fmt.Sprintf("%s-%d", sts.Name, i)})
		if labels.SelectorFromSet(s.Selector).Matches(podLabels) {
			reaches++
		}
	}
	if reaches == 0 {
		c.errorf(svc, "spec.selector", "%v matches none of the broker pods", s.Selector)
	}
	if s.Type == corev1.ServiceTypeLoadBalancer && spec.Cluster.ExternalServiceType == cluster.ExternalLoadBalancer && reaches != 1 {
		c.errorf(svc, "spec.selector", "a per-broker LoadBalancer Service reaches %d pods, want exactly 1", reaches)
	}
}

// pdb: at most one broker down for maintenance, on the broker pods.
func (c checker) pdb(p *policyv1.PodDisruptionBudget, sts *appsv1.StatefulSet) {
	s := p.Spec
	if s.MinAvailable != nil && s.MaxUnavailable != nil {
		c.errorf(p, "spec", "minAvailable and maxUnavailable are both set: the API takes one")
	}
	if s.MaxUnavailable == nil || s.MaxUnavailable.Type != intstr.Int || s.MaxUnavailable.IntVal != 1 {
		got := "<unset>"
		if s.MaxUnavailable != nil {
			got = s.MaxUnavailable.String()
		}
		c.errorf(p, "spec.maxUnavailable", "%s, want the integer 1", got)
	}
	c.selectorMatches(p, "spec.selector", s.Selector, labels.Set(sts.Spec.Template.Labels))
	if s.UnhealthyPodEvictionPolicy != nil && !oneOf(string(*s.UnhealthyPodEvictionPolicy), "IfHealthyBudget", "AlwaysAllow") {
		c.errorf(p, "spec.unhealthyPodEvictionPolicy", "%q is not IfHealthyBudget or AlwaysAllow", *s.UnhealthyPodEvictionPolicy)
	}
}

// certificate: cert-manager's required fields, its enums, the issuer the stack names, a
// Secret the pods mount, and every name a client dials the brokers by.
func (c checker) certificate(spec stacks.Spec, crt *certificate, sts *appsv1.StatefulSet) {
	s := crt.Spec
	cs := spec.Cluster
	if s.SecretName == "" {
		c.errorf(crt, "spec.secretName", "required")
	}
	for _, msg := range validation.IsDNS1123Subdomain(s.SecretName) {
		c.errorf(crt, "spec.secretName", "%q: %s", s.SecretName, msg)
	}
	mounted := false
	for _, v := range sts.Spec.Template.Spec.Volumes {
		mounted = mounted || (v.Secret != nil && v.Secret.SecretName == s.SecretName)
	}
	if !mounted {
		c.errorf(crt, "spec.secretName", "%q is not mounted by the brokers", s.SecretName)
	}
	if s.IssuerRef.Name == "" {
		c.errorf(crt, "spec.issuerRef.name", "required")
	}
	if s.IssuerRef.Name != cs.CertIssuer || s.IssuerRef.Kind != cs.CertIssuerKind {
		c.errorf(crt, "spec.issuerRef", "%s %q, want the stack's %s %q", s.IssuerRef.Kind, s.IssuerRef.Name, cs.CertIssuerKind, cs.CertIssuer)
	}
	if g := s.IssuerRef.Group; g == "" || g == "cert-manager.io" {
		if !oneOf(s.IssuerRef.Kind, "", "Issuer", "ClusterIssuer") {
			c.errorf(crt, "spec.issuerRef.kind", "%q is not Issuer or ClusterIssuer", s.IssuerRef.Kind)
		}
	}
	if len(s.DNSNames)+len(s.IPAddresses)+len(s.URIs)+len(s.EmailAddresses)+len(s.OtherNames) == 0 && s.CommonName == "" && s.LiteralSubject == "" {
		c.errorf(crt, "spec", "names no subject: cert-manager requires one of commonName, dnsNames, ipAddresses, uris, emailAddresses, otherNames")
	}
	for i, u := range s.Usages {
		if !certificateUsages[u] {
			c.errorf(crt, fmt.Sprintf("spec.usages[%d]", i), "%q is not a cert-manager key usage", u)
		}
	}
	if pk := s.PrivateKey; pk != nil {
		if !oneOf(pk.RotationPolicy, "", "Never", "Always") {
			c.errorf(crt, "spec.privateKey.rotationPolicy", "%q is not Never or Always", pk.RotationPolicy)
		}
		if !oneOf(pk.Encoding, "", "PKCS1", "PKCS8") {
			c.errorf(crt, "spec.privateKey.encoding", "%q is not PKCS1 or PKCS8", pk.Encoding)
		}
		if !oneOf(pk.Algorithm, "", "RSA", "ECDSA", "Ed25519") {
			c.errorf(crt, "spec.privateKey.algorithm", "%q is not RSA, ECDSA or Ed25519", pk.Algorithm)
		}
	}
	have := map[string]bool{}
	for i, n := range s.DNSNames {
		if have[n] {
			c.errorf(crt, fmt.Sprintf("spec.dnsNames[%d]", i), "%q is listed twice", n)
		}
		have[n] = true
		for _, msg := range validation.IsDNS1123Subdomain(n) {
			c.errorf(crt, fmt.Sprintf("spec.dnsNames[%d]", i), "%q: %s", n, msg)
		}
	}
	var missing []string
	for i := 0; i < cs.Brokers; i++ {
		pod := fmt.Sprintf("%s-%d", sts.Name, i)
		want := []string{fmt.Sprintf("%s.%s.%s.svc.%s", pod, sts.Spec.ServiceName, cs.Namespace, cluster.DefaultClusterDomain)}
		if cs.ExternalDomain != "" {
			want = append(want, pod+"."+cs.ExternalDomain)
		}
		for _, w := range want {
			if !have[w] {
				missing = append(missing, w)
			}
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		c.errorf(crt, "spec.dnsNames", "misses names the brokers are dialled by: %s", quoteAll(missing))
	}
}

func (c checker) selectorMatches(obj any, f string, sel *metav1.LabelSelector, podLabels labels.Set) bool {
	c.t.Helper()
	if sel == nil || (len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0) {
		c.errorf(obj, f, "empty: it would select every pod")
		return false
	}
	c.fieldErrors(obj, metavalidation.ValidateLabelSelector(sel, metavalidation.LabelSelectorValidationOptions{}, field.NewPath(f)))
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		c.errorf(obj, f, "%v", err)
		return false
	}
	if !s.Matches(podLabels) {
		c.errorf(obj, f, "%s does not select the broker pods (labels %v)", s.String(), podLabels)
		return false
	}
	return true
}

// secretProvided reports whether a Secret of that name is rendered or issued by a rendered
// Certificate.
func (c checker) secretProvided(name string) bool {
	if c.secret0(name) != nil {
		return true
	}
	for _, crt := range c.objs.certificates {
		if crt.Spec.SecretName == name {
			return true
		}
	}
	return false
}

func (c checker) secret0(name string) *corev1.Secret {
	for _, s := range c.objs.secrets {
		if s.Name == name {
			return s
		}
	}
	return nil
}

func (c checker) service0(name string) *corev1.Service {
	for _, s := range c.objs.services {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// secretValue reads a key from data or stringData (the API merges stringData into data).
func secretValue(s *corev1.Secret, key string) (string, bool) {
	if v, ok := s.StringData[key]; ok {
		return v, true
	}
	v, ok := s.Data[key]
	return string(v), ok
}

// configHash is components/cluster's configHash: SHA-256 over the keys in order, each key
// and value NUL-terminated.
func configHash(data map[string]string) string {
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha256.New()
	for _, k := range keys {
		h.Write([]byte(k + "\x00" + data[k] + "\x00"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func ptrVal[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
