package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// login is the SASL password every client of this provider process presents right now. It
// is sasl.password, except while a rotation is pending: then the brokers still know only
// sasl.previousPassword, the clients present that, and the LoginCredential resource moves the
// brokers to the new password before anything else runs (it is the first resource after
// ClusterHealth). All copies of a Config share one login; a copy that logs in as another
// user (the gate's own principal) has another SASLConfig and is not affected.
type login struct {
	// owner is the SASL config this login belongs to.
	owner   *SASLConfig
	mu      sync.Mutex
	current string
	// next is the password waiting to be set on the brokers; "" when none is.
	next string
}

func (l *login) password() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.current
}

func (l *login) pending() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.next
}

// rotated records that the brokers now accept the new password.
func (l *login) rotated() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.next != "" {
		l.current, l.next = l.next, ""
	}
}

// saslPassword is the password clients present now (see login).
func (c Config) saslPassword() string {
	if c.login != nil && c.login.owner == c.SASL {
		return c.login.password()
	}
	if c.SASL == nil {
		return ""
	}
	return c.SASL.Password
}

// probeLogin probes with sasl.password and, when the brokers refuse it and a
// sasl.previousPassword is configured, with that one: then a rotation is pending and the
// clients log in with the previous password until LoginCredential has set the new one.
func (c *Config) probeLogin(ctx context.Context) error {
	err := c.probeOnce(ctx)
	if err == nil || c.SASL == nil || c.SASL.PreviousPassword == nil || !errors.Is(err, kerr.SaslAuthenticationFailed) {
		return err
	}
	prev := *c.SASL.PreviousPassword
	if prev == "" || prev == c.SASL.Password {
		return err
	}
	c.login.mu.Lock()
	c.login.current, c.login.next = prev, c.SASL.Password
	c.login.mu.Unlock()
	c.conn.reset()
	if perr := c.probeOnce(ctx); perr != nil {
		return fmt.Errorf("%w; the previous password (marketbus:sasl.previousPassword, the stack's saslPreviousPassword) was refused too: %v", err, perr)
	}
	return nil
}

func (c *Config) probeOnce(ctx context.Context) error {
	adm, err := c.conn.admin()
	if err != nil {
		return err
	}
	pctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	if _, err := adm.ListBrokers(pctx); err != nil && !unreachable(err) {
		return c.refused(fmt.Sprintf("connecting to %v", c.BootstrapServers), err)
	}
	return nil
}

// loginAuth sets the provider's current SASL user and password on every HTTP request (the
// admin API and the registry's http_basic check them against the SCRAM users), read per
// request so that a rotation in the middle of an update is seen at once.
type loginAuth struct {
	base http.RoundTripper
	cfg  Config
}

func (a loginAuth) RoundTrip(req *http.Request) (*http.Response, error) {
	// An explicit user (marketbus:schemaRegistry.username) was set by the caller; keep it.
	if u, pw, ok := a.cfg.basicAuth(); ok && req.Header.Get("Authorization") == "" {
		req = req.Clone(req.Context())
		req.SetBasicAuth(u, pw)
	}
	return a.base.RoundTrip(req)
}

// LoginCredential is the SCRAM credential the provider itself logs in with. Its password is
// the provider's sasl.password; when that changes (and sasl.previousPassword holds the one
// the brokers know), Update sets the new one on the brokers through the Kafka API
// (AlterUserScramCredentials) and checks that it logs in, before any other resource uses the
// connection. Deleting it never deletes the user: that would lock every deployment out.
type LoginCredential struct{}

// LoginCredentialArgs names the user; the password must be the provider's own.
type LoginCredentialArgs struct {
	Username  string `pulumi:"username"`
	Mechanism string `pulumi:"mechanism"`
	Password  string `pulumi:"password" provider:"secret"`
}

// LoginCredentialState is what the cluster holds for the user.
type LoginCredentialState struct {
	LoginCredentialArgs
	Iterations int `pulumi:"iterations"`
}

// Annotate documents the resource.
func (l *LoginCredential) Annotate(a infer.Annotator) {
	a.Describe(l, "The SCRAM credential the provider logs in with. A new provider sasl.password, with "+
		"sasl.previousPassword set to the one the brokers know, is set on the brokers here first, "+
		"so rotating the password never locks the stack out. Deleting it leaves the user on the cluster.")
}

// Annotate documents the inputs.
func (a *LoginCredentialArgs) Annotate(an infer.Annotator) {
	an.Describe(&a.Username, "The provider's SASL user (marketbus:sasl.username).")
	an.Describe(&a.Mechanism, "SCRAM-SHA-256 or SCRAM-SHA-512 (marketbus:sasl.mechanism).")
	an.Describe(&a.Password, "The provider's SASL password (marketbus:sasl.password); a secret.")
}

// Annotate documents the outputs.
func (s *LoginCredentialState) Annotate(a infer.Annotator) {
	a.Describe(&s.Iterations, "SCRAM iterations of the credential set on the brokers.")
}

// Check refuses a credential that is not the provider's own login, before any call.
func (LoginCredential) Check(ctx context.Context, req infer.CheckRequest) (infer.CheckResponse[LoginCredentialArgs], error) {
	in, failures, err := infer.DefaultCheck[LoginCredentialArgs](ctx, req.NewInputs)
	if err != nil || len(failures) > 0 {
		return infer.CheckResponse[LoginCredentialArgs]{Inputs: in, Failures: failures}, err
	}
	if _, ok := scramMechanism(in.Mechanism); !ok {
		failures = append(failures, p.CheckFailure{Property: "mechanism",
			Reason: fmt.Sprintf("mechanism %q cannot be rotated through the Kafka API: use SCRAM-SHA-256 or SCRAM-SHA-512", in.Mechanism)})
	}
	return infer.CheckResponse[LoginCredentialArgs]{Inputs: in, Failures: failures}, nil
}

// Create adopts the login the provider already made (Configure proved it), rotating first
// when a rotation is pending.
func (LoginCredential) Create(ctx context.Context, req infer.CreateRequest[LoginCredentialArgs]) (infer.CreateResponse[LoginCredentialState], error) {
	state := LoginCredentialState{LoginCredentialArgs: req.Inputs, Iterations: DefaultScramIterations}
	if req.DryRun {
		return infer.CreateResponse[LoginCredentialState]{ID: req.Inputs.Username, Output: state}, nil
	}
	err := ensureLogin(ctx, req.Inputs)
	return infer.CreateResponse[LoginCredentialState]{ID: req.Inputs.Username, Output: state}, err
}

// Update sets a new password on the brokers (see LoginCredential).
func (LoginCredential) Update(ctx context.Context, req infer.UpdateRequest[LoginCredentialArgs, LoginCredentialState]) (infer.UpdateResponse[LoginCredentialState], error) {
	state := LoginCredentialState{LoginCredentialArgs: req.Inputs, Iterations: DefaultScramIterations}
	if req.DryRun {
		return infer.UpdateResponse[LoginCredentialState]{Output: state}, nil
	}
	return infer.UpdateResponse[LoginCredentialState]{Output: state}, ensureLogin(ctx, req.Inputs)
}

// Delete forgets the credential and leaves the user on the cluster.
func (LoginCredential) Delete(ctx context.Context, req infer.DeleteRequest[LoginCredentialState]) (infer.DeleteResponse, error) {
	p.GetLogger(ctx).Infof("the SASL user %q stays on the cluster: the stack no longer manages its password", req.State.Username)
	return infer.DeleteResponse{}, nil
}

// ensureLogin makes the brokers accept in.Password for in.Username. The password must be the
// provider's own: this resource rotates the provider's login, not other users'.
func ensureLogin(ctx context.Context, in LoginCredentialArgs) error {
	adm, cfg, err := adminFrom(ctx)
	if err != nil {
		return err
	}
	if cfg.SASL == nil || cfg.SASL.Username != in.Username || cfg.SASL.Password != in.Password {
		return errors.New("LoginCredential manages the provider's own login: give it the provider's sasl.username and sasl.password")
	}
	next := cfg.login.pending()
	if next == "" {
		return nil // the brokers accept sasl.password already (Configure proved it)
	}
	mech, _ := scramMechanism(in.Mechanism)
	res, err := adm.AlterUserSCRAMs(ctx, nil, []kadm.UpsertSCRAM{{User: in.Username, Mechanism: mech, Iterations: DefaultScramIterations, Password: next}})
	if err == nil {
		err = res.Error()
	}
	if err != nil {
		return fmt.Errorf("setting the new password of SASL user %q on the brokers (logged in with the previous one): %w", in.Username, err)
	}
	if err := waitLogin(ctx, cfg, next); err != nil {
		return err
	}
	cfg.login.rotated()
	cfg.conn.reset()
	p.GetLogger(ctx).Infof("the brokers now accept the new password of SASL user %q; the previous one is refused", in.Username)
	return nil
}

// waitLogin logs in with password until every seed broker accepts it: the credential reaches
// the brokers through the metadata log, a moment after AlterUserScramCredentials returns.
func waitLogin(ctx context.Context, cfg Config, password string) error {
	try := cfg
	sasl := *cfg.SASL
	sasl.Password = password
	try.SASL, try.login = &sasl, nil
	deadline := time.Now().Add(cfg.timeout())
	var last error
	for _, seed := range cfg.BootstrapServers {
		for {
			last = loginTo(ctx, try, seed)
			if last == nil || time.Now().After(deadline) {
				break
			}
			time.Sleep(500 * time.Millisecond)
		}
		if last != nil {
			return fmt.Errorf("the new password of SASL user %q was set but broker %s still refuses it: %w", sasl.Username, seed, last)
		}
	}
	return nil
}

func loginTo(ctx context.Context, cfg Config, seed string) error {
	cfg.BootstrapServers = []string{seed}
	opts, err := cfg.kgoOpts()
	if err != nil {
		return err
	}
	cl, err := kgo.NewClient(append(opts, kgo.RequestRetries(0))...)
	if err != nil {
		return err
	}
	defer cl.Close()
	pctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	_, err = kadm.NewClient(cl).ListBrokers(pctx)
	return err
}
