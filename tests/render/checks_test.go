//go:build render

package render

import (
	"fmt"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metavalidation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/labels"
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
		// Kafka's external Services, and the admin API's when it is published too.
		published := 1
		if cs.Listeners.Admin.Exposure == cluster.ExposureExternal {
			published++
		}
		if cs.ExternalServiceType == cluster.ExternalLoadBalancer {
			wantServices += published * brokers
		} else {
			wantServices += published
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
		{"Certificate", len(objs.certificates), boolInt(cs.TLSOn() && cs.CertIssuer != "")},
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
		// The stack's size is a quantity already: compared by value, never re-parsed from text.
		if wantStack := cs.StorageSize.Quantity; got.Cmp(want50) != 0 || got.Cmp(wantStack) != 0 {
			c.errorf(sts, f+".spec.resources.requests.storage", "%s, want 50Gi (the stack's %s)", got.String(), wantStack.String())
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
		case v.EmptyDir != nil:
			// The writable directories of a read-only root filesystem; scratch, never data.
			if v.EmptyDir.Medium != "" && v.EmptyDir.Medium != corev1.StorageMediumMemory {
				c.errorf(sts, f+".emptyDir.medium", "%q is not a medium of this cluster", v.EmptyDir.Medium)
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

	// The pod template carries a SHA-256 of what the pods start from, so a change of it rolls
	// the brokers (the ConfigMap keeps its name and the StatefulSet is not replaced). Which
	// inputs feed it is the component's to pin (components/cluster's statefulset tests).
	if got := s.Template.Annotations[cluster.ConfigHashAnnotation]; !sha256Hex.MatchString(got) {
		c.errorf(sts, "spec.template.metadata.annotations["+cluster.ConfigHashAnnotation+"]", "%q, want a SHA-256 in hex", got)
	}
}
