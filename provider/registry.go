package provider

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/twmb/franz-go/pkg/sr"
)

// registry owns the one Schema Registry client of a provider process.
type registry struct {
	cfg *RegistryConfig
	// conn is the provider's configuration, whose TLS and SASL settings the registry shares.
	conn Config
	once sync.Once
	cl   *sr.Client
	err  error
}

func (r *registry) client() (*sr.Client, error) {
	r.once.Do(func() {
		if r.cfg == nil {
			r.err = errors.New("marketbus:schemaRegistry is not set: give the provider the registry's URL to manage schemas")
			return
		}
		opts := []sr.ClientOpt{sr.URLs(r.cfg.URL), sr.UserAgent("pulumi-marketbus")}
		// The registry trusts the same CA as the brokers, and its http_basic listener
		// knows the SASL users: both come from the provider's Kafka settings.
		hc, err := r.conn.httpClient(30 * time.Second)
		if err != nil {
			r.err = err
			return
		}
		opts = append(opts, sr.HTTPClient(hc))
		// Without a registry user of its own, hc presents the SASL user (Config.httpClient).
		if r.cfg.Username != nil && r.cfg.Password != nil {
			opts = append(opts, sr.BasicAuth(*r.cfg.Username, *r.cfg.Password))
		}
		r.cl, r.err = sr.NewClient(opts...)
		if r.err != nil {
			r.err = fmt.Errorf("creating Schema Registry client for %s: %w", r.cfg.URL, r.err)
		}
	})
	return r.cl, r.err
}

// registryFrom returns the configured registry client.
func registryFrom(ctx context.Context) (*sr.Client, Config, error) {
	cfg := infer.GetConfig[Config](ctx)
	if cfg.reg == nil {
		return nil, cfg, errors.New("the marketbus provider is not configured: set marketbus:schemaRegistry.url")
	}
	cl, err := cfg.reg.client()
	return cl, cfg, err
}

// registryCode returns the registry's error code (40401, 409, 42201, ...) or 0.
func registryCode(err error) int {
	var re *sr.ResponseError
	if errors.As(err, &re) {
		if re.ErrorCode != 0 {
			return re.ErrorCode
		}
		return re.StatusCode
	}
	return 0
}

// registryError keeps the registry's code and message in front of the reader: the
// ResponseError's own text drops the code, and the code is what the registry docs index.
func registryError(what string, err error) error {
	var re *sr.ResponseError
	if errors.As(err, &re) {
		return fmt.Errorf("%s: schema registry error %d (HTTP %d): %s: %w", what, registryCode(err), re.StatusCode, re.Message, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// isNotFound reports the 404 family: subject, version or schema not found.
func isNotFound(err error) bool {
	c := registryCode(err)
	return c == 404 || (c >= 40401 && c <= 40409)
}
