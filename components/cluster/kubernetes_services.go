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
		meta := objectMeta(svcName, k.Namespace, withRole)
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
	// Local: traffic stays on the node it arrived at, so the NodePort of
	// node X reaches the broker on node X (one per node, by anti-affinity)
	// and the client's source address is kept.
	if k.ExternalServiceType == ExternalNodePort {
		err := create(name+"-external", ExternalServiceName, "external", &corev1.ServiceSpecArgs{
			Type:                  pulumi.String("NodePort"),
			ExternalTrafficPolicy: pulumi.String("Local"),
			Selector:              sel,
			Ports:                 portArgs(externalPorts(b0, true)),
		}, k.ExternalServiceAnnotations)
		if err != nil {
			return nil, err
		}
		return out, nil
	}
	for _, b := range brokers {
		pod := fmt.Sprintf("%s-%d", StatefulSetName, b.Index)
		podSel := selectorLabels(name)
		podSel["statefulset.kubernetes.io/pod-name"] = pod
		err := create(fmt.Sprintf("%s-external-%d", name, b.Index), pod+"-external", "external", &corev1.ServiceSpecArgs{
			Type:                  pulumi.String("LoadBalancer"),
			ExternalTrafficPolicy: pulumi.String("Local"),
			Selector:              pulumi.ToStringMap(podSel),
			Ports:                 portArgs(externalPorts(b, false)),
		}, k.ExternalServiceAnnotations)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
