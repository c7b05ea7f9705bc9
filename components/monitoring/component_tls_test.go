package monitoring

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

const prodServerName = "redpanda.market-bus.svc.cluster.local"

// withTLS turns on admin-API TLS the way the prod stack does: cert-manager's
// Secret holds the CA.
func withTLS(a *Args) {
	a.Kubernetes.TLS = ScrapeTLSArgs{Enabled: true, CASecretName: "redpanda-tls", ServerName: prodServerName}
}

// TestKubernetesServiceMonitorTLS: with TLS the endpoint scrapes https and
// verifies the certificate with the CA from the cluster's Secret, under a
// name the certificate lists (the operator's targets are pod IPs).
func TestKubernetesServiceMonitorTLS(t *testing.T) {
	mocks, _ := runKubernetes(t, withTLS)
	sm := mocks.one(t, typeServiceMonitor, "mon-servicemonitor")
	ep := sm.in("spec").(map[string]any)["endpoints"].([]any)[0].(map[string]any)
	assertEqual(t, "scheme", ep["scheme"], "https")
	assertEqual(t, "tlsConfig", ep["tlsConfig"], map[string]any{
		"ca":         map[string]any{"secret": map[string]any{"name": "redpanda-tls", "key": "ca.crt"}},
		"serverName": prodServerName,
	})

	plainMocks, _ := runKubernetes(t, nil)
	plain := plainMocks.one(t, typeServiceMonitor, "mon-servicemonitor").in("spec").(map[string]any)["endpoints"].([]any)[0].(map[string]any)
	if plain["scheme"] != "http" || plain["tlsConfig"] != nil {
		t.Errorf("plaintext endpoint: scheme %v, tlsConfig %v", plain["scheme"], plain["tlsConfig"])
	}
}

// TestKubernetesPrometheusRule: the operator gets the alert table as a
// PrometheusRule whose spec is the rules file itself.
func TestKubernetesPrometheusRule(t *testing.T) {
	mocks, out := runKubernetes(t, nil)
	pr := mocks.one(t, typePrometheusRule, "mon-prometheusrule")
	assertEqual(t, "apiVersion/kind", []any{pr.in("apiVersion"), pr.in("kind")}, []string{"monitoring.coreos.com/v1", "PrometheusRule"})
	meta := pr.in("metadata").(map[string]any)
	assertEqual(t, "name/namespace", []any{meta["name"], meta["namespace"]}, []string{"redpanda-prod", "market-bus"})
	if l := meta["labels"].(map[string]any); l["release"] != "kube-prometheus-stack" {
		t.Errorf("labels %v lack the ruleSelector's release label", l)
	}
	var file map[string]any
	if err := yaml.Unmarshal([]byte(out.RulesYAML), &file); err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "PrometheusRule spec vs rules file", pr.in("spec"), file)
	for _, r := range defaultRules(t) {
		assertContains(t, "PrometheusRule", toJSON(pr.in("spec")), `"alert":"`+r.Name+`"`)
	}

	noOp, _ := runKubernetes(t, func(a *Args) {
		a.PrometheusOperator = false
		a.Kubernetes.ServiceSelector = nil
	})
	if n := len(noOp.ofType(typePrometheusRule)); n != 0 {
		t.Errorf("%d PrometheusRules without the operator", n)
	}
}

// TestKubernetesScrapeConfigTLS: the exported static scrape config scrapes
// https with the CA file, and promtool accepts it.
func TestKubernetesScrapeConfigTLS(t *testing.T) {
	_, out := runKubernetes(t, func(a *Args) {
		withTLS(a)
		a.PrometheusOperator = false
		a.Kubernetes.ServiceSelector = nil
	})
	var cfg struct {
		ScrapeConfigs []struct {
			Scheme    string `yaml:"scheme"`
			TLSConfig struct {
				CAFile string `yaml:"ca_file"`
			} `yaml:"tls_config"`
		} `yaml:"scrape_configs"`
	}
	if err := yaml.Unmarshal([]byte(out.ScrapeConfigYAML), &cfg); err != nil {
		t.Fatal(err)
	}
	sc := cfg.ScrapeConfigs[0]
	assertEqual(t, "scheme, ca_file", []string{sc.Scheme, sc.TLSConfig.CAFile}, []string{"https", "/etc/prometheus/secrets/redpanda-tls/ca.crt"})

	// promtool checks that ca_file exists: give it one where the config
	// says, relative to the config file.
	_, out = runKubernetes(t, func(a *Args) {
		withTLS(a)
		a.Kubernetes.TLS.CAFile = "secrets/ca.crt"
		a.PrometheusOperator = false
		a.Kubernetes.ServiceSelector = nil
	})
	bin := promtool(t)
	dir := t.TempDir()
	writeCA(t, filepath.Join(dir, "secrets", "ca.crt"))
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(out.ScrapeConfigYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := runPromtool(bin, dir, "check", "config", "prometheus.yml"); err != nil {
		t.Fatal(err)
	}
}

// TestPromtoolCheckConfigTLS: a complete prometheus.yml scraping https
// with the cluster CA passes promtool, rules file included.
func TestPromtoolCheckConfigTLS(t *testing.T) {
	bin := promtool(t)
	dir := t.TempDir()
	rules, err := PrometheusRules(defaultRules(t), "")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := PrometheusConfig(ScrapeOptions{
		Targets:   prodTargets,
		Cluster:   "prod",
		RuleFiles: []string{"redpanda.rules.yml"},
		TLS:       &ScrapeTLS{CAFile: "ca.crt", ServerName: prodServerName},
	})
	if err != nil {
		t.Fatal(err)
	}
	assertContains(t, "prometheus.yml", string(cfg), "scheme: https", "ca_file: ca.crt", "server_name: "+prodServerName)
	writeCA(t, filepath.Join(dir, "ca.crt"))
	for name, content := range map[string][]byte{"redpanda.rules.yml": rules, "prometheus.yml": cfg} {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := runPromtool(bin, dir, "check", "config", "prometheus.yml"); err != nil {
		t.Fatal(err)
	}
	if _, err := PrometheusConfig(ScrapeOptions{Targets: prodTargets, Cluster: "prod", TLS: &ScrapeTLS{}}); err == nil {
		t.Error("TLS without a CA file was accepted")
	}
}

// writeCA writes a self-signed CA certificate, as cert-manager's ca.crt.
func writeCA(t *testing.T, path string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "redpanda-ca"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
}
