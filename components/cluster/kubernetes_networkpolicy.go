package cluster

import (
	"fmt"

	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// NetworkPolicyName names the brokers' NetworkPolicy.
const NetworkPolicyName = StatefulSetName

// DefaultMonitoringNamespace is where the scraper of the admin API's metrics runs.
const DefaultMonitoringNamespace = "monitoring"

// namespaceNameLabel is the label Kubernetes puts on every namespace with its own name.
const namespaceNameLabel = "kubernetes.io/metadata.name"

// NetworkPolicyArgs says who may reach the brokers besides each other.
type NetworkPolicyArgs struct {
	// ClientNamespaces may reach the in-cluster Kafka, schema registry and HTTP proxy
	// listeners; pods of the cluster's own namespace always may.
	ClientNamespaces []string `json:"clientNamespaces"`
	// MonitoringNamespace may reach the admin API (metrics); default "monitoring".
	MonitoringNamespace string `json:"monitoringNamespace"`
}

// networkPolicy lets in only what the cluster needs, the Redpanda chart's rules made strict:
//   - RPC only from the other brokers (it is TLS without client authentication);
//   - the internal Kafka, registry and proxy listeners from the cluster's namespace and the
//     client namespaces named;
//   - the admin API from the brokers and the monitoring namespace;
//   - each external listener from its source ranges (everywhere when it has none, which
//     validation refuses on production);
//
// and lets out only DNS and traffic to the other brokers.
func networkPolicy(ctx *pulumi.Context, name string, a Args, b0 BrokerConfig, labels map[string]string, opts []pulumi.ResourceOption) (*networkingv1.NetworkPolicy, error) {
	p := b0.Ports
	brokers := networkingv1.NetworkPolicyPeerArgs{PodSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(selectorLabels(name))}}
	inNamespace := func(ns string) networkingv1.NetworkPolicyPeerArgs {
		return networkingv1.NetworkPolicyPeerArgs{NamespaceSelector: &metav1.LabelSelectorArgs{
			MatchLabels: pulumi.StringMap{namespaceNameLabel: pulumi.String(ns)}}}
	}
	ports := func(ps ...int) networkingv1.NetworkPolicyPortArray {
		out := networkingv1.NetworkPolicyPortArray{}
		for _, n := range ps {
			out = append(out, networkingv1.NetworkPolicyPortArgs{Protocol: pulumi.String("TCP"), Port: pulumi.Int(n)})
		}
		return out
	}
	clients := networkingv1.NetworkPolicyPeerArray{networkingv1.NetworkPolicyPeerArgs{PodSelector: &metav1.LabelSelectorArgs{}}}
	for _, ns := range a.NetworkPolicy.ClientNamespaces {
		clients = append(clients, inNamespace(ns))
	}
	ingress := networkingv1.NetworkPolicyIngressRuleArray{
		networkingv1.NetworkPolicyIngressRuleArgs{From: networkingv1.NetworkPolicyPeerArray{brokers}, Ports: ports(p.RPC)},
		networkingv1.NetworkPolicyIngressRuleArgs{From: clients, Ports: ports(p.Kafka.Internal, p.SchemaRegistry.Internal, p.HTTPProxy.Internal)},
		networkingv1.NetworkPolicyIngressRuleArgs{
			From:  networkingv1.NetworkPolicyPeerArray{brokers, inNamespace(a.NetworkPolicy.MonitoringNamespace)},
			Ports: ports(p.Admin.Internal),
		},
	}
	for _, x := range a.Listeners.each() {
		if x.l.Exposure != ExposureExternal {
			continue
		}
		var port int
		for _, m := range b0.Published {
			if m.Service == x.api {
				port = m.ContainerPort
			}
		}
		if port == 0 {
			continue
		}
		ranges := x.l.sortedRanges()
		if len(ranges) == 0 {
			ranges = []string{"0.0.0.0/0"}
		}
		from := networkingv1.NetworkPolicyPeerArray{}
		for _, r := range ranges {
			from = append(from, networkingv1.NetworkPolicyPeerArgs{IpBlock: &networkingv1.IPBlockArgs{Cidr: pulumi.String(r)}})
		}
		ingress = append(ingress, networkingv1.NetworkPolicyIngressRuleArgs{From: from, Ports: ports(port)})
	}
	dns := networkingv1.NetworkPolicyPortArray{
		networkingv1.NetworkPolicyPortArgs{Protocol: pulumi.String("UDP"), Port: pulumi.Int(53)},
		networkingv1.NetworkPolicyPortArgs{Protocol: pulumi.String("TCP"), Port: pulumi.Int(53)},
	}
	egress := networkingv1.NetworkPolicyEgressRuleArray{
		networkingv1.NetworkPolicyEgressRuleArgs{To: networkingv1.NetworkPolicyPeerArray{networkingv1.NetworkPolicyPeerArgs{
			NamespaceSelector: &metav1.LabelSelectorArgs{}}}, Ports: dns},
		networkingv1.NetworkPolicyEgressRuleArgs{To: networkingv1.NetworkPolicyPeerArray{brokers},
			Ports: ports(p.RPC, p.Kafka.Internal, p.SchemaRegistry.Internal, p.HTTPProxy.Internal, p.Admin.Internal)},
	}
	np, err := networkingv1.NewNetworkPolicy(ctx, name+"-networkpolicy", &networkingv1.NetworkPolicyArgs{
		Metadata: objectMeta(NetworkPolicyName, a.Namespace, labels),
		Spec: networkingv1.NetworkPolicySpecArgs{
			PodSelector: metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(selectorLabels(name))},
			PolicyTypes: pulumi.ToStringArray([]string{"Ingress", "Egress"}),
			Ingress:     ingress,
			Egress:      egress,
		},
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("kubernetes networkpolicy %s: %w", NetworkPolicyName, err)
	}
	return np, nil
}
