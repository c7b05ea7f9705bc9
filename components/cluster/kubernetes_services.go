package cluster

import (
	"fmt"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// servicePort is one named port of a broker Service.
type servicePort struct {
	name       string
	port       int
	targetPort int
	nodePort   int
}

// internalPorts are the in-cluster APIs of a broker, named as Kubernetes
// port names must be (15 characters at most). RPC is for peers only and is
// left off the client Service.
func internalPorts(b BrokerConfig, withRPC bool) []servicePort {
	p := b.Ports
	out := []servicePort{
		{name: "kafka", port: p.Kafka.Internal},
		{name: "admin", port: p.Admin.Internal},
		{name: "schema-registry", port: p.SchemaRegistry.Internal},
		{name: "http-proxy", port: p.HTTPProxy.Internal},
	}
	if withRPC {
		out = append(out, servicePort{name: "rpc", port: p.RPC})
	}
	return out
}

// externalPortName names a published port; the API names are too long for
// Kubernetes' 15 characters with a suffix.
var externalPortName = map[string]string{
	"kafka": "kafka-ext", "schema-registry": "sr-ext", "http-proxy": "proxy-ext", "admin": "admin-ext",
}

// externalPorts are b's published ports. The advertised port (HostPort)
// becomes the nodePort, or the load balancer's port, so what the broker
// advertises and what Kubernetes publishes are the same rendered number:
// the NodePort mismatch that breaks so many external setups cannot happen.
func externalPorts(b BrokerConfig, nodePort bool) []servicePort {
	var out []servicePort
	for _, m := range b.Published {
		sp := servicePort{name: externalPortName[m.Service], port: m.HostPort, targetPort: m.ContainerPort}
		if nodePort {
			sp.port, sp.nodePort = m.ContainerPort, m.HostPort
		}
		out = append(out, sp)
	}
	return out
}

func (sp servicePort) args() corev1.ServicePortArgs {
	target := sp.targetPort
	if target == 0 {
		target = sp.port
	}
	a := corev1.ServicePortArgs{
		Name:       pulumi.String(sp.name),
		Port:       pulumi.Int(sp.port),
		TargetPort: pulumi.Int(target),
		Protocol:   pulumi.String("TCP"),
	}
	if sp.nodePort != 0 {
		a.NodePort = pulumi.Int(sp.nodePort)
	}
	return a
}

func portArgs(ps []servicePort) corev1.ServicePortArray {
	out := make(corev1.ServicePortArray, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.args())
	}
	return out
}

// services creates the headless Service that gives every pod its DNS name,
// the ClusterIP Service in-cluster clients bootstrap from and, with an
// external domain, the Services that publish the external listeners.
// ServiceRoleLabel tells the cluster's Services apart; a ServiceMonitor selects the
// headless one, so every broker is scraped once, not once per Service that reaches it.
const ServiceRoleLabel = "marketbus.io/service-role"

// MetricsServiceSelector selects the headless Service of the cluster named instance.
func MetricsServiceSelector(instance, stack string) map[string]string {
	sel := ClusterLabels(instance, stack)
	sel[ServiceRoleLabel] = "headless"
	return sel
}

func services(ctx *pulumi.Context, name string, a Args, brokers []BrokerConfig, labels map[string]string, opts []pulumi.ResourceOption) ([]*corev1.Service, error) {
	k := a.Kubernetes
	sel := pulumi.ToStringMap(selectorLabels(name))
	b0 := brokers[0]
	var out []*corev1.Service
	create := func(logical, svcName, role string, spec *corev1.ServiceSpecArgs, annotations map[string]string) error {
		withRole := map[string]string{ServiceRoleLabel: role}
		for k, v := range labels {
			withRole[k] = v
		}
		meta := objectMeta(svcName, a.Namespace, withRole)
		if len(annotations) > 0 {
			meta.Annotations = pulumi.ToStringMap(annotations)
		}
		s, err := corev1.NewService(ctx, logical, &corev1.ServiceArgs{Metadata: meta, Spec: spec}, opts...)
		if err != nil {
			return fmt.Errorf("kubernetes service %s: %w", svcName, err)
		}
		out = append(out, s)
		return nil
	}

	// Not-ready pods must resolve too: brokers find their seeds by these
	// names before any of them is ready.
	if err := create(name+"-headless", k.ServiceName, "headless", &corev1.ServiceSpecArgs{
		ClusterIP:                pulumi.String("None"),
		PublishNotReadyAddresses: pulumi.Bool(true),
		Selector:                 sel,
		Ports:                    portArgs(internalPorts(b0, true)),
	}, nil); err != nil {
		return nil, err
	}
	if err := create(name+"-client", ClientServiceName, "client", &corev1.ServiceSpecArgs{
		Type:     pulumi.String("ClusterIP"),
		Selector: sel,
		Ports:    portArgs(internalPorts(b0, false)),
	}, nil); err != nil {
		return nil, err
	}
	if len(b0.Published) == 0 {
		return out, nil
	}
	for _, x := range a.Listeners.each() {
		if x.l.Exposure != ExposureExternal {
			continue
		}
		if err := externalServices(x, name, a, brokers, sel, create); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// externalSuffix keeps the Kafka Services' names of the time when one
// Service published every API: renaming a LoadBalancer Service gives it a
// new address, which would move every client's bootstrap.
func externalSuffix(api string) string {
	if api == "kafka" {
		return ""
	}
	return "-" + externalPortName[api]
}

// externalServices publishes one API: a NodePort Service for all brokers,
// or a LoadBalancer per broker. Each API has Services of its own, so its
// source ranges and annotations (an internal load balancer, say) are its own.
func externalServices(x apiListener, name string, a Args, brokers []BrokerConfig, sel pulumi.StringMap,
	create func(logical, svcName, role string, spec *corev1.ServiceSpecArgs, annotations map[string]string) error) error {
	k := a.Kubernetes
	suffix := externalSuffix(x.api)
	ranges := x.l.sortedRanges()
	// The cluster-wide annotations first; the listener's own win.
	annotations := map[string]string{}
	for k, v := range k.ExternalServiceAnnotations {
		annotations[k] = v
	}
	for k, v := range x.l.Annotations {
		annotations[k] = v
	}
	// Local: traffic stays on the node it arrived at, so the NodePort of
	// node X reaches the broker on node X (one per node, by anti-affinity)
	// and the client's source address is kept, which the NetworkPolicy's
	// source ranges need.
	if a.ExternalServiceType == ExternalNodePort {
		return create(name+"-external"+suffix, ExternalServiceName+suffix, "external", &corev1.ServiceSpecArgs{
			Type:                  pulumi.String("NodePort"),
			ExternalTrafficPolicy: pulumi.String("Local"),
			Selector:              sel,
			Ports:                 portArgs(apiPorts(externalPorts(brokers[0], true), x.api)),
		}, annotations)
	}
	for _, b := range brokers {
		pod := fmt.Sprintf("%s-%d", StatefulSetName, b.Index)
		podSel := selectorLabels(name)
		podSel["statefulset.kubernetes.io/pod-name"] = pod
		spec := &corev1.ServiceSpecArgs{
			Type:                  pulumi.String("LoadBalancer"),
			ExternalTrafficPolicy: pulumi.String("Local"),
			Selector:              pulumi.ToStringMap(podSel),
			Ports:                 portArgs(apiPorts(externalPorts(b, false), x.api)),
		}
		if len(ranges) > 0 {
			spec.LoadBalancerSourceRanges = pulumi.ToStringArray(ranges)
		}
		if err := create(fmt.Sprintf("%s-external%s-%d", name, suffix, b.Index), pod+"-external"+suffix, "external", spec, annotations); err != nil {
			return err
		}
	}
	return nil
}

// apiPorts keeps the ports of one API.
func apiPorts(ps []servicePort, api string) []servicePort {
	var out []servicePort
	for _, p := range ps {
		if p.name == externalPortName[api] {
			out = append(out, p)
		}
	}
	return out
}
