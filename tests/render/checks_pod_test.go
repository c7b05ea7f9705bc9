//go:build render

package render

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metavalidation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/marketbus/market-bus/components/cluster"
	"github.com/marketbus/market-bus/stacks"
)

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
		c.port(sts, pf, "containerPort", p.Name, p.ContainerPort, p.Protocol, validation.IsValidPortName, portNames, portNums)
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
	if want, mem := cs.Memory.Quantity, ct.Resources.Limits[corev1.ResourceMemory]; mem.Cmp(want) != 0 {
		c.errorf(sts, f+".resources.limits.memory", "%s, want the stack's %s", mem.String(), want.String())
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

// port checks one Service or container port: a valid, unique name (nameRules differ: a
// Service port name is a DNS label, a container port name an IANA service name), a valid,
// unique number and a known protocol. numField is "port" or "containerPort".
func (c checker) port(obj any, f, numField, name string, num int32, proto corev1.Protocol,
	nameRules func(string) []string, names map[string]bool, nums map[int32]bool) {
	if name != "" {
		for _, msg := range nameRules(name) {
			c.errorf(obj, f+".name", "%q: %s", name, msg)
		}
		if names[name] {
			c.errorf(obj, f+".name", "%q is given twice", name)
		}
		names[name] = true
	}
	for _, msg := range validation.IsValidPortNum(int(num)) {
		c.errorf(obj, f+"."+numField, "%d: %s", num, msg)
	}
	if nums[num] {
		c.errorf(obj, f+"."+numField, "%d is given twice", num)
	}
	nums[num] = true
	if !oneOf(string(proto), "", "TCP", "UDP", "SCTP") {
		c.errorf(obj, f+".protocol", "%q is not TCP, UDP or SCTP", proto)
	}
}
