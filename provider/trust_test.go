package provider

import (
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestTrustBundleReachesHTTPClients: the admin and registry clients trust exactly the CA the
// Kafka client trusts. Without it a private CA is an x509 failure, which is a refusal naming
// where the trust came from, never "not reachable".
func TestTrustBundleReachesHTTPClients(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, _, ok := r.BasicAuth(); !ok || u != "admin" {
			http.Error(w, "no principal", http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	caPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))

	without := Config{TLS: &TLSConfig{Enabled: true}}
	c, err := without.httpClient(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Get(srv.URL)
	if err == nil || !isAuthOrTLS(err) || unreachable(err) {
		t.Fatalf("without the CA: err = %v, want an x509 refusal that is not 'unreachable'", err)
	}
	if msg := without.refused("x", err).Error(); !strings.Contains(msg, "system trust store") || !strings.Contains(msg, "cluster.caCertFile") {
		t.Errorf("refusal %q does not say which trust was used and how to fix it", msg)
	}

	with := Config{TLS: &TLSConfig{Enabled: true, CACertPEM: &caPEM}, SASL: &SASLConfig{Mechanism: "SCRAM-SHA-512", Username: "admin", Password: "pw"}}
	c, err = with.httpClient(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	u, pw, _ := with.basicAuth()
	req.SetBasicAuth(u, pw)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("with the CA: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("with the CA and the SASL user as basic auth: %s", resp.Status)
	}
}

// TestUnreachableIsOnlyNotThere: refused connections and names that do not resolve degrade a
// preview; nothing else does.
func TestUnreachableIsOnlyNotThere(t *testing.T) {
	c := &http.Client{Timeout: 5 * time.Second}
	for _, u := range []string{"http://127.0.0.1:1", "http://no-such-host.invalid"} {
		_, err := c.Get(u)
		if !unreachable(err) {
			t.Errorf("%s: err = %v, want unreachable", u, err)
		}
	}
	bad := "not a pem"
	if _, err := (Config{TLS: &TLSConfig{Enabled: true, CACertPEM: &bad}}).tlsClientConfig(); err == nil || !strings.Contains(err.Error(), "caCertFile") {
		t.Errorf("a CA that is no PEM: err = %v, want it named with cluster.caCertFile", err)
	}
}
