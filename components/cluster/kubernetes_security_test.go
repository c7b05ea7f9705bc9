package cluster

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func TestKubernetesCertificate(t *testing.T) {
	m, _ := deployProd(t, prodArgs())
	assertInputs(t, mustGet(t, m, "bus-certificate"), map[string]any{
		"apiVersion": "cert-manager.io/v1",
		"kind":       "Certificate",
		"metadata":   map[string]any{"name": "redpanda-tls", "namespace": "marketbus", "labels": stringAnyMap(ClusterLabels("bus", "prod"))},
		"spec": map[string]any{
			"secretName": "redpanda-tls",
			"issuerRef":  map[string]any{"name": "marketbus-ca", "kind": "ClusterIssuer", "group": "cert-manager.io"},
			"dnsNames": []any{
				"redpanda-0.redpanda.marketbus.svc.cluster.local",
				"redpanda-1.redpanda.marketbus.svc.cluster.local",
				"redpanda-2.redpanda.marketbus.svc.cluster.local",
				"redpanda.marketbus.svc.cluster.local", "redpanda.marketbus.svc",
				"redpanda-client.marketbus.svc.cluster.local", "redpanda-client.marketbus.svc",
				"redpanda-0.bus.example.com", "redpanda-1.bus.example.com", "redpanda-2.bus.example.com",
			},
			"usages":     []any{"server auth", "client auth"},
			"privateKey": map[string]any{"rotationPolicy": "Always"},
		},
	})
}

func TestKubernetesProvidedTLSSecret(t *testing.T) {
	a := prodArgs()
	a.CertIssuer, a.TLSSecret = "", "platform-redpanda-tls"
	m, _ := deployProd(t, a)
	if _, ok := m.byName("bus-certificate"); ok {
		t.Error("a provided Secret needs no Certificate")
	}
	sts := mustGet(t, m, "bus-statefulset")
	if got := dig(t, sts.Inputs, "spec", "template", "spec", "volumes", 3, "secret", "secretName"); got != "platform-redpanda-tls" {
		t.Errorf("tls volume secret = %v, want the provided one", got)
	}
}

func TestKubernetesSuperuserSecretIsSecret(t *testing.T) {
	m, _ := deployProd(t, prodArgs())
	sec := mustGet(t, m, "bus-superuser")
	assertInputs(t, sec, map[string]any{
		"type":     "Opaque",
		"metadata": map[string]any{"name": "redpanda-superuser", "namespace": "marketbus", "labels": stringAnyMap(ClusterLabels("bus", "prod"))},
	})
	data := sec.raw["stringData"]
	if !data.ContainsSecrets() {
		t.Fatalf("stringData = %v: the password must reach the engine as a secret", data)
	}
	plain := unwrapSecrets(data).ObjectValue()
	for k, want := range map[string]string{
		"username": "admin", "password": testPassword, "mechanism": "SCRAM-SHA-512",
		"bootstrap-user": "admin:" + testPassword + ":SCRAM-SHA-512",
	} {
		if got := plain[resource.PropertyKey(k)]; !got.IsString() || got.StringValue() != want {
			t.Errorf("stringData[%s] = %v, want %q", k, got, want)
		}
	}
	// Nowhere else: not in the ConfigMap, the StatefulSet or the outputs.
	for _, r := range m.sorted() {
		if r.Name == "bus-superuser" {
			continue
		}
		if strings.Contains(fmt.Sprint(r.Inputs), testPassword) {
			t.Errorf("%s carries the password in plain text", r.Name)
		}
	}
}

// unwrapSecrets returns v with secret markers removed, recursively.
func unwrapSecrets(v resource.PropertyValue) resource.PropertyValue {
	switch {
	case v.IsSecret():
		return unwrapSecrets(v.SecretValue().Element)
	case v.IsObject():
		out := resource.PropertyMap{}
		for k, e := range v.ObjectValue() {
			out[k] = unwrapSecrets(e)
		}
		return resource.NewObjectProperty(out)
	}
	return v
}

func TestKubernetesOutputs(t *testing.T) {
	_, out := deployProd(t, prodArgs())
	fqdn := func(i, port int) string {
		return fmt.Sprintf("redpanda-%d.redpanda.marketbus.svc.cluster.local.:%d", i, port)
	}
	ext := func(i, port int) string { return fmt.Sprintf("redpanda-%d.bus.example.com:%d", i, port) }
	each := func(f func(int) string) []string { return []string{f(0), f(1), f(2)} }
	want := clusterOutputs{
		InternalBootstrapServers:   each(func(i int) string { return fqdn(i, 9093) }),
		ExternalBootstrapServers:   each(func(i int) string { return ext(i, 31092) }),
		SchemaRegistryInternalURLs: each(func(i int) string { return "https://" + fqdn(i, 8081) }),
		SchemaRegistryExternalURLs: nil,
		AdminInternalURLs:          each(func(i int) string { return "https://" + fqdn(i, 9644) }),
		AdminExternalURLs:          nil,
		MetricsTargets:             each(func(i int) string { return fqdn(i, 9644) }),
		ExternalMetricsTargets:     nil,
		MetricsPath:                "/public_metrics",
		NetworkName:                "",
		RpkProfile: strings.Replace(readGolden(t, "kubernetes3-prod-rpk-profile.yaml"), "name: market-bus-prod\n",
			"name: market-bus-prod\ndescription: Redpanda of stack prod (kubernetes backend)\n", 1),
	}
	want.InternalBootstrap = strings.Join(want.InternalBootstrapServers, ",")
	want.ExternalBootstrap = strings.Join(want.ExternalBootstrapServers, ",")
	// TestPodTemplateHashFollowsTheTemplate pins the hash itself.
	if len(out.PodTemplateHash) != 64 {
		t.Errorf("podTemplateHash = %q, want a SHA-256", out.PodTemplateHash)
	}
	want.PodTemplateHash = out.PodTemplateHash
	if !reflect.DeepEqual(out, want) {
		t.Errorf("outputs:\n got  %+v\n want %+v", out, want)
	}
	// The admin API and the registry are internal: the profile names no
	// address of theirs a user outside the cluster could not dial.
	if n := strings.Count(out.RpkProfile, "  tls: {}\n"); n != 1 || strings.Contains(out.RpkProfile, "admin_api") {
		t.Errorf("rpk profile has %d tls sections, want only kafka_api's:\n%s", n, out.RpkProfile)
	}
	if !strings.Contains(out.RpkProfile, "sasl:\n    user: admin\n    mechanism: SCRAM-SHA-512\n") || strings.Contains(out.RpkProfile, testPassword) {
		t.Errorf("rpk profile must name the SASL user and mechanism, never the password:\n%s", out.RpkProfile)
	}
}

func TestKubernetesPlaintextNonProduction(t *testing.T) {
	a := prodArgs()
	a.Production, a.SASL = false, nil
	a.TLS = pulumi.BoolRef(false)
	m, out := deployProd(t, a)
	if _, ok := m.byName("bus-certificate"); ok {
		t.Error("certificate created with TLS off")
	}
	c := dig(t, mustGet(t, m, "bus-statefulset").Inputs, "spec", "template", "spec", "containers", 0).(map[string]any)
	if got := dig(t, c, "readinessProbe", "exec", "command", 2); got != "curl -sf http://localhost:9644/v1/status/ready | grep -q ready" {
		t.Errorf("readiness = %v, want the Docker healthcheck's command", got)
	}
	if n := len(c["volumeMounts"].([]any)); n != 5 {
		t.Errorf("%d mounts, want no tls mount", n)
	}
	if out.AdminInternalURLs[0] != "http://redpanda-0.redpanda.marketbus.svc.cluster.local.:9644" {
		t.Errorf("admin url = %s, want http", out.AdminInternalURLs[0])
	}
}
