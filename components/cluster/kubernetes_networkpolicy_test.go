package cluster

import "testing"

// TestKubernetesNetworkPolicy asserts every rule of the brokers' NetworkPolicy: RPC only
// between brokers, in-cluster APIs from the cluster's namespace and the named client
// namespaces, the admin API from the brokers and the monitoring namespace, each external
// listener from its source ranges only; out, DNS and the other brokers only.
func TestKubernetesNetworkPolicy(t *testing.T) {
	a := prodArgs()
	a.NetworkPolicy.ClientNamespaces = []string{"trading", "agents"}
	a.Listeners.Admin = ListenerArgs{Exposure: ExposureExternal, SourceRanges: []string{"192.0.2.0/24"}}
	m, _ := deployProd(t, a)
	np := mustGet(t, m, "bus-networkpolicy")
	sel := map[string]any{"matchLabels": stringAnyMap(selectorLabels("bus"))}
	brokers := map[string]any{"podSelector": sel}
	ns := func(n string) map[string]any {
		return map[string]any{"namespaceSelector": map[string]any{"matchLabels": map[string]any{"kubernetes.io/metadata.name": n}}}
	}
	ip := func(c string) map[string]any { return map[string]any{"ipBlock": map[string]any{"cidr": c}} }
	tcp := func(ps ...int) []any {
		var out []any
		for _, p := range ps {
			out = append(out, map[string]any{"protocol": "TCP", "port": float64(p)})
		}
		return out
	}
	assertInputs(t, np, map[string]any{
		"metadata": map[string]any{"name": "redpanda", "namespace": "marketbus", "labels": stringAnyMap(ClusterLabels("bus", "prod"))},
		"spec": map[string]any{
			"podSelector": sel,
			"policyTypes": []any{"Ingress", "Egress"},
			"ingress": []any{
				map[string]any{"from": []any{brokers}, "ports": tcp(33145)},
				map[string]any{"from": []any{map[string]any{"podSelector": map[string]any{}}, ns("trading"), ns("agents")}, "ports": tcp(9093, 8081, 8082)},
				map[string]any{"from": []any{brokers, ns("monitoring")}, "ports": tcp(9644)},
				map[string]any{"from": []any{ip("10.20.0.0/16")}, "ports": tcp(9094)},
				map[string]any{"from": []any{ip("192.0.2.0/24")}, "ports": tcp(9644)},
			},
			"egress": []any{
				map[string]any{"to": []any{map[string]any{"namespaceSelector": map[string]any{}}},
					"ports": []any{map[string]any{"protocol": "UDP", "port": 53.0}, map[string]any{"protocol": "TCP", "port": 53.0}}},
				map[string]any{"to": []any{brokers}, "ports": tcp(33145, 9093, 8081, 8082, 9644)},
			},
		},
	})
}
