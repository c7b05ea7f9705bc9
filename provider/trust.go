package provider

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
)

// tlsClientConfig is the one trust bundle of every client this provider opens towards the
// cluster: the Kafka client, the admin API client of ClusterHealth, the Schema Registry client
// and the latency gate. nil when TLS is off.
func (c Config) tlsClientConfig() (*tls.Config, error) {
	if c.TLS == nil || !c.TLS.Enabled {
		return nil, nil
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.TLS.CACertPEM != nil && *c.TLS.CACertPEM != "" {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(*c.TLS.CACertPEM)) {
			return nil, errors.New("marketbus:tls.caCertPem holds no PEM certificate: give the PEM of the CA that signed the brokers' certificates (the stack's cluster.caCertFile)")
		}
		tc.RootCAs = pool
	}
	if c.TLS.InsecureSkipVerify != nil {
		tc.InsecureSkipVerify = *c.TLS.InsecureSkipVerify //nolint:gosec // explicit, policy-flagged override
	}
	if c.TLS.ServerName != nil {
		tc.ServerName = *c.TLS.ServerName
	}
	return tc, nil
}

// httpClient is the HTTP client of the admin API and the registry: the same CA as Kafka.
func (c Config) httpClient(timeout time.Duration) (*http.Client, error) {
	tc, err := c.tlsClientConfig()
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if tc != nil {
		tr.TLSClientConfig = tc
	}
	return &http.Client{Timeout: timeout, Transport: loginAuth{base: tr, cfg: c}}, nil
}

// basicAuth is the user and password HTTP clients present: the SASL superuser's, which
// Redpanda's http_basic listeners and admin_api_require_auth check against SCRAM users.
func (c Config) basicAuth() (user, pass string, ok bool) {
	if c.SASL == nil {
		return "", "", false
	}
	return c.SASL.Username, c.saslPassword(), true
}

// trustSource names where the CA came from, for messages.
func (c Config) trustSource() string {
	if c.TLS != nil && c.TLS.CACertPEM != nil && *c.TLS.CACertPEM != "" {
		return "the CA of marketbus:tls.caCertPem (the stack's cluster.caCertFile)"
	}
	return "the system trust store (no marketbus:tls.caCertPem; set the stack's cluster.caCertFile to the CA that signed the brokers' certificates)"
}

// principal names who the clients authenticate as, for messages.
func (c Config) principal() string {
	if c.SASL == nil {
		return "no SASL user (marketbus:sasl is not set)"
	}
	return fmt.Sprintf("SASL user %q (%s)", c.SASL.Username, c.SASL.Mechanism)
}

// unreachable reports whether err means the cluster is not there (yet): the connection was
// refused or timed out, or its name does not resolve. Only that may degrade a preview; an
// authentication or certificate failure means the cluster is there and refuses us.
func unreachable(err error) bool {
	if err == nil || isAuthOrTLS(err) {
		return false
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) ||
		errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// isAuthOrTLS reports SASL and certificate failures.
func isAuthOrTLS(err error) bool {
	var (
		unknownCA *x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		verify    *tls.CertificateVerificationError
		header    tls.RecordHeaderError
	)
	return errors.Is(err, kerr.SaslAuthenticationFailed) || errors.Is(err, kerr.IllegalSaslState) ||
		errors.Is(err, kerr.UnsupportedSaslMechanism) || errors.Is(err, kerr.ClusterAuthorizationFailed) ||
		errors.As(err, &unknownCA) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
		errors.As(err, &verify) || errors.As(err, &header)
}

// refused explains a failure of a cluster that answered: who we were and which CA we trusted.
func (c Config) refused(what string, err error) error {
	return fmt.Errorf("%s: the cluster answered but refused the connection as %s, trusting %s: %w", what, c.principal(), c.trustSource(), err)
}
