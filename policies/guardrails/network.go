package guardrails

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

const (
	typeService       = "kubernetes:core/v1:Service"
	typeConfigMap     = "kubernetes:core/v1:ConfigMap"
	typeNetworkPolicy = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
	typeClusterHealth = "marketbus:index:ClusterHealth"
)

// noInsecureSkipVerify: skipping certificate checks turns TLS into encryption to anyone.
func noInsecureSkipVerify() definition {
	return definition{
		name:        "no-insecure-skip-verify",
		description: "No client skips TLS verification: the marketbus provider's tls.insecureSkipVerify and ClusterHealth's insecureSkipVerify stay off; give the cluster's CA (cluster.caCertFile) instead.",
		types:       []string{typeMarketbusProv, typeClusterHealth},
		check: func(o Options, r policyx.AnalyzerResource, _ map[string]any) []string {
			for _, path := range [][]string{{"tls", "insecureSkipVerify"}, {"insecureSkipVerify"}} {
				if on, ok := boolean(at(r.Properties, path...)); ok && on {
					return []string{fmt.Sprintf("%s: %s is true on stack %s; rule: trust the cluster's CA (cluster.caCertFile) instead of skipping verification",
						label(r), strings.Join(path, "."), o.Stack)}
				}
			}
			return nil
		},
	}
}

// externalListenersRestricted: a published load balancer answers whoever finds it.
func externalListenersRestricted() definition {
	return definition{
		name:        "external-listener-source-ranges",
		description: "On prod, every LoadBalancer Service of the brokers lists loadBalancerSourceRanges (cluster.listeners.<api>.sourceRanges).",
		prodOnly:    true,
		types:       []string{typeService},
		check: func(o Options, r policyx.AnalyzerResource, _ map[string]any) []string {
			typ, _ := str(at(r.Properties, "spec", "type"))
			if typ != "LoadBalancer" || !isRedpandaWorkload(r) {
				return nil
			}
			if v := at(r.Properties, "spec", "loadBalancerSourceRanges"); !v.IsComputed() && len(items(v)) == 0 {
				return []string{fmt.Sprintf("%s: a LoadBalancer without loadBalancerSourceRanges on stack %s; rule: external listeners are published to the client networks only (cluster.listeners.<api>.sourceRanges)",
					label(r), o.Stack)}
			}
			return nil
		},
	}
}

// listenersAuthenticated: a listener without an authentication method acts without a
// principal; on the HTTP proxy that bypasses every ACL.
func listenersAuthenticated() definition {
	return definition{
		name: "listener-authentication",
		description: "On prod, every Kafka listener of the brokers' start flags is |sasl and every HTTP listener |http_basic, " +
			"and the bootstrap config sets admin_api_require_auth.",
		prodOnly: true,
		types:    []string{typeConfigMap},
		check: func(o Options, r policyx.AnalyzerResource, _ map[string]any) []string {
			data := stringMap(at(r.Properties, "data"))
			var out []string
			for _, key := range sortedKeys(data) {
				v := data[key]
				if strings.HasSuffix(key, ".args") {
					out = append(out, unauthenticatedListeners(r, o, key, v)...)
				}
				if strings.HasSuffix(key, "bootstrap.yaml") && !strings.Contains(v, "admin_api_require_auth: true") {
					out = append(out, fmt.Sprintf("%s: data[%s] does not set admin_api_require_auth: true on stack %s; rule: the admin API needs a superuser's credentials (turn on cluster.sasl)",
						label(r), key, o.Stack))
				}
			}
			return out
		},
	}
}

// unauthenticatedListeners reads one broker's flag file (one argument per line).
func unauthenticatedListeners(r policyx.AnalyzerResource, o Options, key, args string) []string {
	want := map[string]string{"--kafka-addr": "sasl", "--pandaproxy-addr": "http_basic", "--schema-registry-addr": "http_basic"}
	lines := strings.Split(args, "\n")
	var out []string
	for i := 0; i+1 < len(lines); i++ {
		method, ok := want[strings.TrimSpace(lines[i])]
		if !ok {
			continue
		}
		for _, l := range strings.Split(strings.TrimSpace(lines[i+1]), ",") {
			if !strings.HasSuffix(l, "|"+method) {
				out = append(out, fmt.Sprintf("%s: data[%s] %s listener %q has no |%s on stack %s; rule: no listener acts without a principal (cluster.listeners.<api>.authentication)",
					label(r), key, strings.TrimSpace(lines[i]), l, method, o.Stack))
			}
		}
	}
	return out
}

// networkPolicyPresent: without one, every pod of the cluster reaches RPC and the admin API.
func networkPolicyPresent() definition {
	return definition{
		name:        "network-policy",
		description: "On prod, the brokers' namespace has a NetworkPolicy that selects them.",
		prodOnly:    true,
		checkStack: func(o Options, rs []policyx.AnalyzerResource) []finding {
			policies := map[string]bool{}
			for _, r := range rs {
				if r.Type == typeNetworkPolicy {
					ns, _ := str(at(r.Properties, "metadata", "namespace"))
					policies[ns] = true
				}
			}
			var out []finding
			for _, r := range rs {
				if r.Type != typeStatefulSet || !isRedpandaWorkload(r) {
					continue
				}
				if ns, _ := str(at(r.Properties, "metadata", "namespace")); !policies[ns] {
					out = append(out, finding{r.URN, fmt.Sprintf("%s: no NetworkPolicy in namespace %q on stack %s; rule: RPC only between brokers, clients and monitoring by namespace",
						label(r), ns, o.Stack)})
				}
			}
			return out
		},
	}
}
