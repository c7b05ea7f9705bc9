package provider

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// Config is the provider configuration: how to reach the Kafka API of the cluster.
//
// The client is created lazily on first use, never in Configure: during the first preview
// of a stack the cluster may not exist yet, and a provider that dialled eagerly would fail
// the whole preview (terraform-provider-kafka's LazyClient exists for the same reason).
type Config struct {
	BootstrapServers []string    `pulumi:"bootstrapServers"`
	ClientID         *string     `pulumi:"clientId,optional"`
	TLS              *TLSConfig  `pulumi:"tls,optional"`
	SASL             *SASLConfig `pulumi:"sasl,optional"`
	// RequestTimeoutSeconds bounds every admin call, including retries.
	RequestTimeoutSeconds *int `pulumi:"requestTimeoutSeconds,optional"`
	// SchemaRegistry is where Schema and SubjectConfig resources are managed.
	SchemaRegistry *RegistryConfig `pulumi:"schemaRegistry,optional"`

	conn  *connection
	reg   *registry
	login *login
}

// RegistryConfig points at a Confluent-API schema registry.
type RegistryConfig struct {
	URL      string  `pulumi:"url"`
	Username *string `pulumi:"username,optional"`
	Password *string `pulumi:"password,optional" provider:"secret"`
}

// Annotate documents the registry settings.
func (r *RegistryConfig) Annotate(a infer.Annotator) {
	a.Describe(&r.URL, "Base URL of the Confluent-compatible Schema Registry API, e.g. http://127.0.0.1:18081.")
	a.Describe(&r.Username, "Basic-auth user name.")
	a.Describe(&r.Password, "Basic-auth password; always stored as a secret.")
}

// TLSConfig enables TLS towards the brokers.
type TLSConfig struct {
	Enabled            bool    `pulumi:"enabled"`
	CACertPEM          *string `pulumi:"caCertPem,optional"`
	InsecureSkipVerify *bool   `pulumi:"insecureSkipVerify,optional"`
	ServerName         *string `pulumi:"serverName,optional"`
}

// SASLConfig authenticates the provider's client.
type SASLConfig struct {
	Mechanism string `pulumi:"mechanism"`
	Username  string `pulumi:"username"`
	Password  string `pulumi:"password" provider:"secret"`
	// PreviousPassword is the password the brokers know while Password is new: set both to
	// rotate (LoginCredential sets Password on the brokers first).
	PreviousPassword *string `pulumi:"previousPassword,optional" provider:"secret"`
}

// Annotate documents the configuration in the schema and the generated SDK.
func (c *Config) Annotate(a infer.Annotator) {
	a.Describe(&c.BootstrapServers, "Kafka API bootstrap servers as host:port.")
	a.Describe(&c.ClientID, "Client id the provider's admin client presents to the brokers.")
	a.SetDefault(&c.ClientID, "pulumi-marketbus")
	a.Describe(&c.TLS, "TLS settings for the Kafka API.")
	a.Describe(&c.SASL, "SASL credentials for the Kafka API.")
	a.Describe(&c.RequestTimeoutSeconds, "Upper bound in seconds for one admin operation including retries.")
	a.Describe(&c.SchemaRegistry, "Schema Registry used by Schema and SubjectConfig resources.")
	a.SetDefault(&c.RequestTimeoutSeconds, 30)
}

// Annotate documents the TLS settings.
func (t *TLSConfig) Annotate(a infer.Annotator) {
	a.Describe(&t.Enabled, "Use TLS for the Kafka API.")
	a.Describe(&t.CACertPEM, "PEM bundle of the CA that signed the broker certificates; the system pool when empty.")
	a.Describe(&t.InsecureSkipVerify, "Skip certificate verification. Never use in production.")
	a.Describe(&t.ServerName, "Server name to verify instead of the broker's host name.")
}

// Annotate documents the SASL settings.
func (s *SASLConfig) Annotate(a infer.Annotator) {
	a.Describe(&s.Mechanism, "SCRAM-SHA-256, SCRAM-SHA-512 or PLAIN.")
	a.Describe(&s.Username, "SASL user name.")
	a.Describe(&s.Password, "SASL password; always stored as a secret.")
	a.Describe(&s.PreviousPassword, "The password the brokers know now, when password is a new one: the provider logs in with it "+
		"until the LoginCredential resource has set the new password on the brokers. A secret.")
}

// Configure validates the configuration, prepares the lazy connection and probes it once.
func (c *Config) Configure(ctx context.Context) error {
	if err := c.validate(); err != nil {
		return err
	}
	if c.SASL != nil {
		c.login = &login{owner: c.SASL, current: c.SASL.Password}
	}
	c.conn = &connection{cfg: *c}
	c.reg = &registry{cfg: c.SchemaRegistry, conn: *c}
	return c.probeLogin(ctx)
}

// probeTimeout bounds the connection probe of Configure: a refused connection or a name that
// does not resolve answers at once, so only a black-holed address waits this long.
const probeTimeout = 5 * time.Second

// probeLogin (login.go) asks the cluster for its brokers once, so that a cluster that answers
// but refuses us (a wrong password, a certificate from a CA we do not trust) fails every
// command at once, naming the SASL user and the CA: a preview with nothing to change would
// otherwise never talk to the brokers and pass. A cluster that is not reachable passes: it may
// not exist yet, or be created by this very update.

func (c *Config) validate() error {
	if len(c.BootstrapServers) == 0 {
		return errors.New("marketbus:bootstrapServers is empty: set it to the cluster's Kafka API addresses, e.g. [\"127.0.0.1:19092\"]")
	}
	for _, s := range c.BootstrapServers {
		host, port, err := net.SplitHostPort(s)
		if err != nil || host == "" {
			return fmt.Errorf("marketbus:bootstrapServers entry %q is not host:port: write it as host:port, e.g. 127.0.0.1:19092", s)
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("marketbus:bootstrapServers entry %q has port %q outside 1-65535", s, port)
		}
	}
	if c.SASL != nil {
		switch strings.ToUpper(c.SASL.Mechanism) {
		case "SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN":
		default:
			return fmt.Errorf("marketbus:sasl.mechanism %q is not supported: use SCRAM-SHA-256, SCRAM-SHA-512 or PLAIN", c.SASL.Mechanism)
		}
	}
	if c.SchemaRegistry != nil {
		u, err := url.Parse(c.SchemaRegistry.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("marketbus:schemaRegistry.url %q is not an http(s) URL: write it as http://host:port[/path]", c.SchemaRegistry.URL)
		}
	}
	if c.RequestTimeoutSeconds != nil && *c.RequestTimeoutSeconds < 1 {
		return fmt.Errorf("marketbus:requestTimeoutSeconds is %d: use a positive number of seconds", *c.RequestTimeoutSeconds)
	}
	return nil
}

func (c Config) timeout() time.Duration {
	if c.RequestTimeoutSeconds == nil {
		return 30 * time.Second
	}
	return time.Duration(*c.RequestTimeoutSeconds) * time.Second
}

// kgoOpts turns the configuration into franz-go client options.
func (c Config) kgoOpts() ([]kgo.Opt, error) {
	clientID := "pulumi-marketbus"
	if c.ClientID != nil && *c.ClientID != "" {
		clientID = *c.ClientID
	}
	opts := []kgo.Opt{
		kgo.SeedBrokers(c.BootstrapServers...),
		kgo.ClientID(clientID),
		kgo.DialTimeout(5 * time.Second),
		kgo.RetryTimeout(c.timeout()),
		kgo.RequestRetries(10),
		kgo.RetryBackoffFn(retryDelay),
	}
	sec, err := c.securityOpts()
	return append(opts, sec...), err
}

// securityOpts are the TLS and SASL options every client of this cluster needs, the
// provider's admin client and the latency gate's producers and consumers alike.
func (c Config) securityOpts() ([]kgo.Opt, error) {
	var opts []kgo.Opt
	tc, err := c.tlsClientConfig()
	if err != nil {
		return nil, err
	}
	if tc != nil {
		opts = append(opts, kgo.DialTLSConfig(tc))
	}
	if c.SASL != nil {
		switch strings.ToUpper(c.SASL.Mechanism) {
		case "SCRAM-SHA-256":
			opts = append(opts, kgo.SASL(scram.Auth{User: c.SASL.Username, Pass: c.saslPassword()}.AsSha256Mechanism()))
		case "SCRAM-SHA-512":
			opts = append(opts, kgo.SASL(scram.Auth{User: c.SASL.Username, Pass: c.saslPassword()}.AsSha512Mechanism()))
		case "PLAIN":
			opts = append(opts, kgo.SASL(plain.Auth{User: c.SASL.Username, Pass: c.saslPassword()}.AsMechanism()))
		}
	}
	return opts, nil
}

// connection owns the one admin client of a provider process.
type connection struct {
	cfg Config
	mu  sync.Mutex
	cl  *kgo.Client
	adm *kadm.Client
	err error
}

// admin returns the shared admin client, dialling on first use.
func (c *connection) admin() (*kadm.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.adm != nil || c.err != nil {
		return c.adm, c.err
	}
	opts, err := c.cfg.kgoOpts()
	if err != nil {
		c.err = err
		return nil, err
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		c.err = fmt.Errorf("creating Kafka client for %v: %w", c.cfg.BootstrapServers, err)
		return nil, c.err
	}
	c.cl, c.adm = cl, kadm.NewClient(cl)
	return c.adm, nil
}

// reset closes the client, so the next call dials again with the login's current password:
// franz-go keeps the SASL password it was built with for every new broker connection.
func (c *connection) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cl != nil {
		c.cl.Close()
	}
	c.cl, c.adm, c.err = nil, nil, nil
}

// adminFrom returns the admin client of the configured provider.
func adminFrom(ctx context.Context) (*kadm.Client, Config, error) {
	cfg := infer.GetConfig[Config](ctx)
	if cfg.conn == nil {
		return nil, cfg, errors.New("the marketbus provider is not configured: set marketbus:bootstrapServers")
	}
	adm, err := cfg.conn.admin()
	return adm, cfg, err
}

// Diff of the provider configuration. pulumi-go-provider replaces a provider on any config
// change by default, and a replaced provider replaces every resource it manages: adding a
// schema registry URL or a client id would then delete and recreate every topic. Every
// change is an in-place update instead. Pointing the provider at another cluster does not
// move topics there; that calls for a new stack.
func (c *Config) Diff(_ context.Context, req infer.DiffRequest[*Config, *Config]) (infer.DiffResponse, error) {
	d := map[string]p.PropertyDiff{}
	old, now := req.State, req.Inputs
	if old == nil || now == nil {
		return infer.DiffResponse{HasChanges: old != now}, nil
	}
	fields := map[string][2]any{
		"bootstrapServers":      {old.BootstrapServers, now.BootstrapServers},
		"clientId":              {old.ClientID, now.ClientID},
		"tls":                   {old.TLS, now.TLS},
		"sasl":                  {old.SASL, now.SASL},
		"requestTimeoutSeconds": {old.RequestTimeoutSeconds, now.RequestTimeoutSeconds},
		"schemaRegistry":        {old.SchemaRegistry, now.SchemaRegistry},
	}
	for name, v := range fields {
		if !reflect.DeepEqual(v[0], v[1]) {
			d[name] = p.PropertyDiff{Kind: p.Update}
		}
	}
	return infer.DiffResponse{HasChanges: len(d) > 0, DetailedDiff: d}, nil
}
