package guardrails

import "testing"

func networkCases(t testing.TB) []policyCase {
	sts := func(ns string) map[string]any {
		return map[string]any{"metadata": map[string]any{"name": "redpanda", "namespace": ns}}
	}
	lb := func(ranges []any) map[string]any {
		spec := map[string]any{"type": "LoadBalancer"}
		if ranges != nil {
			spec["loadBalancerSourceRanges"] = ranges
		}
		return map[string]any{"metadata": map[string]any{"name": "redpanda-0-external"}, "spec": spec}
	}
	cm := func(kafka, proxy, bootstrap string) map[string]any {
		return map[string]any{"metadata": map[string]any{"name": "redpanda-config"}, "data": map[string]any{
			"broker-0.args":   "redpanda\nstart\n--kafka-addr\n" + kafka + "\n--pandaproxy-addr\n" + proxy + "\n--schema-registry-addr\ninternal://0.0.0.0:8081|http_basic\n",
			".bootstrap.yaml": bootstrap,
		}}
	}
	const authed = "admin_api_require_auth: true\nenable_sasl: true\n"
	return []policyCase{
		// no-insecure-skip-verify
		{name: "verified TLS passes", policy: "no-insecure-skip-verify", stack: "dev",
			resources: rs(res(t, typeMarketbusProv, "marketbus", marketbusProvider(nil)))},
		{name: "provider skips verification", policy: "no-insecure-skip-verify", stack: "dev",
			resources: rs(res(t, typeMarketbusProv, "marketbus", marketbusProvider(map[string]any{"tls": map[string]any{"enabled": true, "insecureSkipVerify": true}}))),
			want:      []string{`provider "marketbus": tls.insecureSkipVerify is true on stack dev; rule: trust the cluster's CA (cluster.caCertFile) instead of skipping verification`}},
		{name: "health check skips verification", policy: "no-insecure-skip-verify",
			resources: rs(res(t, typeClusterHealth, "cluster-health", map[string]any{"expectedBrokers": 3, "insecureSkipVerify": true})),
			want:      []string{`marketbus:index:ClusterHealth "cluster-health": insecureSkipVerify is true on stack prod; rule: trust the cluster's CA (cluster.caCertFile) instead of skipping verification`}},

		// external-listener-source-ranges
		{name: "load balancer with ranges passes", policy: "external-listener-source-ranges",
			resources: rs(res(t, typeService, "redpanda-external-0", lb([]any{"10.20.0.0/16"})))},
		{name: "load balancer open to all", policy: "external-listener-source-ranges",
			resources: rs(res(t, typeService, "redpanda-external-0", lb(nil))),
			want:      []string{`kubernetes:core/v1:Service "redpanda-external-0": a LoadBalancer without loadBalancerSourceRanges on stack prod; rule: external listeners are published to the client networks only (cluster.listeners.<api>.sourceRanges)`}},

		// listener-authentication
		{name: "every listener authenticated passes", policy: "listener-authentication", resources: rs(res(t, typeConfigMap, "redpanda-config",
			cm("internal://0.0.0.0:9093|sasl,external://0.0.0.0:9094|sasl", "internal://0.0.0.0:8082|http_basic", authed)))},
		{name: "proxy without a principal, admin open", policy: "listener-authentication", resources: rs(res(t, typeConfigMap, "redpanda-config",
			cm("internal://0.0.0.0:9093|sasl", "internal://0.0.0.0:8082", "enable_sasl: true\n"))),
			want: []string{
				`kubernetes:core/v1:ConfigMap "redpanda-config": data[.bootstrap.yaml] does not set admin_api_require_auth: true on stack prod; rule: the admin API needs a superuser's credentials (turn on cluster.sasl)`,
				`kubernetes:core/v1:ConfigMap "redpanda-config": data[broker-0.args] --pandaproxy-addr listener "internal://0.0.0.0:8082" has no |http_basic on stack prod; rule: no listener acts without a principal (cluster.listeners.<api>.authentication)`,
			}},

		// network-policy
		{name: "network policy in the brokers' namespace passes", policy: "network-policy", resources: rs(
			res(t, typeStatefulSet, "redpanda-statefulset", sts("redpanda")),
			res(t, typeNetworkPolicy, "redpanda-networkpolicy", map[string]any{"metadata": map[string]any{"name": "redpanda", "namespace": "redpanda"}}))},
		{name: "no network policy", policy: "network-policy", resources: rs(res(t, typeStatefulSet, "redpanda-statefulset", sts("redpanda"))),
			want: []string{`statefulset "redpanda-statefulset": no NetworkPolicy in namespace "redpanda" on stack prod; rule: RPC only between brokers, clients and monitoring by namespace`}},
	}
}

func TestNetworkPolicies(t *testing.T) { runCases(t, networkCases(t)) }
