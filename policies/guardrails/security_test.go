package guardrails

import "testing"

// marketbusProvider is the provider config of a prod stack with TLS and SCRAM.
func marketbusProvider(over map[string]any) map[string]any {
	p := map[string]any{
		"bootstrapServers": []string{"redpanda-0.redpanda:9093"},
		"tls":              map[string]any{"enabled": true},
		"sasl": map[string]any{
			"mechanism": "SCRAM-SHA-512",
			"username":  "market-bus",
			"password":  secretV{"hunter2-but-longer"},
		},
	}
	for k, v := range over {
		if v == nil {
			delete(p, k)
			continue
		}
		p[k] = v
	}
	return p
}

func securityCases(t testing.TB) []policyCase {
	prov := func(over map[string]any) map[string]any { return marketbusProvider(over) }
	return []policyCase{
		// kafka-tls-sasl
		{name: "TLS and SCRAM pass", policy: "kafka-tls-sasl", resources: rs(res(t, typeMarketbusProv, "marketbus", prov(nil)))},
		{name: "JSON-encoded config passes", policy: "kafka-tls-sasl", resources: rs(res(t, typeMarketbusProv, "marketbus", prov(map[string]any{
			"tls":  `{"enabled":true}`,
			"sasl": secretV{`{"mechanism":"SCRAM-SHA-256","username":"u","password":"p"}`},
		})))},
		{name: "no TLS and no SASL on prod", policy: "kafka-tls-sasl",
			resources: rs(res(t, typeMarketbusProv, "marketbus", prov(map[string]any{"tls": nil, "sasl": nil}))),
			want: []string{
				`provider "marketbus": tls is not set on stack prod; rule: prod clients use TLS (tls: {enabled: true})`,
				`provider "marketbus": sasl is not set on stack prod; rule: prod clients authenticate with SASL (SCRAM-SHA-256 or SCRAM-SHA-512)`,
			}},
		{name: "TLS off and PLAIN", policy: "kafka-tls-sasl",
			resources: rs(res(t, typeMarketbusProv, "default_0_1_0", prov(map[string]any{
				"tls":  map[string]any{"enabled": false},
				"sasl": map[string]any{"mechanism": "PLAIN", "username": "u", "password": ""},
			}))),
			want: []string{
				`provider "default_0_1_0": tls.enabled false on stack prod; rule: prod clients use TLS (tls: {enabled: true})`,
				`provider "default_0_1_0": sasl.mechanism "PLAIN" is not one of "SCRAM-SHA-256", "SCRAM-SHA-512" on stack prod`,
				`provider "default_0_1_0": sasl.password is empty on stack prod; rule: SASL needs a username and a password`,
			}},
		{name: "dev needs neither", policy: "kafka-tls-sasl", stack: "dev",
			resources: rs(res(t, typeMarketbusProv, "marketbus", prov(map[string]any{"tls": nil, "sasl": nil})))},

		// grafana-credentials-secret
		{name: "secret auth passes", policy: "grafana-credentials-secret", stack: "dev", resources: rs(
			res(t, typeGrafanaProv, "grafana", map[string]any{"url": "http://grafana:3000", "auth": secretV{"admin:admin"}}),
			res(t, typeDataSource, "prometheus", map[string]any{"type": "prometheus", "secureJsonDataEncoded": secretV{`{"basicAuthPassword":"x"}`}}))},
		{name: "plain auth and headers", policy: "grafana-credentials-secret", stack: "dev", resources: rs(
			res(t, typeGrafanaProv, "grafana", map[string]any{"url": "http://grafana:3000", "auth": "glsa_0123456789"}),
			res(t, typeDataSource, "prometheus", map[string]any{"httpHeaders": map[string]any{"Authorization": "Bearer abc"}})),
			want: []string{
				`provider "grafana": input "auth" holds a plain-text value (15 characters), not a secret; rule: Grafana credentials must be secrets (pulumi config set --secret, pulumi.ToSecret)`,
				`data source "prometheus": input "httpHeaders.Authorization" holds a plain-text value (10 characters), not a secret; rule: Grafana credentials must be secrets (pulumi config set --secret, pulumi.ToSecret)`,
			}},

		// no-plaintext-secrets
		{name: "secrets and references pass", policy: "no-plaintext-secrets", stack: "dev", resources: rs(
			res(t, typeMarketbusProv, "marketbus", prov(nil)),
			res(t, typeContainer, "bus-broker-0", map[string]any{
				"envs":   []any{"REDPANDA_MODE=dev", secretV{"ADMIN_PASSWORD=x"}},
				"labels": []any{map[string]any{"label": "token-ttl", "value": ""}},
			}),
			res(t, typeStatefulSet, "redpanda", map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
				"volumes": []any{map[string]any{"name": "tls", "secret": map[string]any{"secretName": "redpanda-tls"}}},
				"containers": []any{map[string]any{"env": []any{
					map[string]any{"name": "RP_PASSWORD", "valueFrom": map[string]any{"secretKeyRef": map[string]any{"name": "rp", "key": "password"}}},
				}}},
			}}}}),
			res(t, typeK8sSecret, "rp", map[string]any{"stringData": secretV{map[string]any{"password": "x"}}}),
			// A kubeconfig path is no credential; its contents are (the next case).
			res(t, "pulumi:providers:kubernetes", "k8s", map[string]any{"kubeconfig": "/work/.cache/k8s-cluster/kubeconfig"}),
			res(t, "pulumi:providers:kubernetes", "k8s-home", map[string]any{"kubeconfig": "~/.kube/config"}))},
		{name: "plain password, env entry, k8s env and flag", policy: "no-plaintext-secrets", stack: "dev", resources: rs(
			res(t, typeMarketbusProv, "marketbus", prov(map[string]any{"sasl": map[string]any{"mechanism": "SCRAM-SHA-256", "username": "u", "password": "hunter2"}})),
			res(t, typeContainer, "bus-broker-0", map[string]any{
				"envs":    []any{"REDPANDA_MODE=dev", "ADMIN_PASSWORD=s3cret!"},
				"command": []string{"rpk", "--api-token", "abcdef"},
			}),
			res(t, typeStatefulSet, "redpanda", map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
				"containers": []any{map[string]any{"env": []any{map[string]any{"name": "RP_API_KEY", "value": "k-123"}}}},
			}}}}),
			res(t, typeK8sSecret, "rp", map[string]any{"stringData": map[string]any{"password": "x"}}),
			res(t, "pulumi:providers:kubernetes", "k8s", map[string]any{"kubeconfig": "apiVersion: v1", "tokens": []string{"t0k"}})),
			want: []string{
				`provider "marketbus": input "sasl.password" holds a value under a secret-looking name in plain text (7 characters); rule: credentials must be Pulumi secrets (pulumi config set --secret, pulumi.ToSecret)`,
				`container "bus-broker-0": input "command[2]" sets --api-token in plain text (6 characters); rule: credentials must be Pulumi secrets (pulumi config set --secret, pulumi.ToSecret)`,
				`container "bus-broker-0": input "envs[1]" sets ADMIN_PASSWORD in plain text (7 characters); rule: credentials must be Pulumi secrets (pulumi config set --secret, pulumi.ToSecret)`,
				`statefulset "redpanda": input "spec.template.spec.containers[0].env[0].value" sets RP_API_KEY in plain text (5 characters); rule: credentials must be Pulumi secrets (pulumi config set --secret, pulumi.ToSecret)`,
				`provider "k8s": input "kubeconfig" holds a value under a secret-looking name in plain text (14 characters); rule: credentials must be Pulumi secrets (pulumi config set --secret, pulumi.ToSecret)`,
				`provider "k8s": input "tokens[0]" holds a value under a secret-looking name in plain text (3 characters); rule: credentials must be Pulumi secrets (pulumi config set --secret, pulumi.ToSecret)`,
				`secret "rp": input "stringData.password" holds a value under a secret-looking name in plain text (1 characters); rule: credentials must be Pulumi secrets (pulumi config set --secret, pulumi.ToSecret)`,
			}},
	}
}

func TestSecurityPolicies(t *testing.T) { runCases(t, securityCases(t)) }

func TestSecretName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"password", true},
		{"REDPANDA_ADMIN_PASSWORD", true},
		{"apiKey", true},
		{"api-key", true},
		{"auth", true},
		{"basicAuth", true},
		{"cloudAccessPolicyToken", true},
		{"client_secret", true},
		{"secretName", false},
		{"secretKeyRef", false},
		{"passwordFile", false},
		{"tokenUrl", false},
		{"authType", false},
		{"author", false},
		{"username", false},
		{"mechanism", false},
		{"kubeconfig", true},
	}
	for _, tt := range tests {
		if got := secretName(tt.name); got != tt.want {
			t.Errorf("secretName(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}
