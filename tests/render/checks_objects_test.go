//go:build render

package render

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metavalidation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/marketbus/market-bus/components/cluster"
	"github.com/marketbus/market-bus/stacks"
)

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
		c.port(svc, f, "port", p.Name, p.Port, p.Protocol, validation.IsDNS1123Label, names, nums)
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

// sha256Hex is a SHA-256 digest written as lowercase hex.
var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

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
