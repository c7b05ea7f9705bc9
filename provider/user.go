package provider

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

// User is a SCRAM credential on the cluster, managed through AlterUserScramCredentials.
type User struct{}

// SCRAM mechanisms a User accepts.
const (
	MechanismSHA256 = "SCRAM-SHA-256"
	MechanismSHA512 = "SCRAM-SHA-512"
)

// Iteration bounds the brokers enforce for SCRAM credentials (Kafka's ScramMechanism
// minimum, and the maximum AlterUserScramCredentials accepts).
const (
	MinScramIterations     = 4096
	MaxScramIterations     = 16384
	DefaultScramIterations = 8192
)

// UserArgs are the inputs of a User.
type UserArgs struct {
	Name       string  `pulumi:"name"`
	Password   *string `pulumi:"password,optional" provider:"secret"`
	Mechanism  *string `pulumi:"mechanism,optional"`
	Iterations *int    `pulumi:"iterations,optional"`
}

// UserState is what a User records. Password is the one in force, given or generated.
type UserState struct {
	Name       string `pulumi:"name"`
	Password   string `pulumi:"password" provider:"secret"`
	Mechanism  string `pulumi:"mechanism"`
	Iterations int    `pulumi:"iterations"`
}

// Annotate documents the resource.
func (u *User) Annotate(a infer.Annotator) {
	a.Describe(u, "A SCRAM user of the cluster. A password change is applied in place; a user that already "+
		"exists on the cluster is never adopted silently: import it instead.")
}

// Annotate documents the inputs.
func (u *UserArgs) Annotate(a infer.Annotator) {
	a.Describe(&u.Name, "The user name (the ACL principal is User:<name>). Changing it replaces the user.")
	a.Describe(&u.Password, "The password; generated (32 random characters) when absent. Always a secret.")
	a.Describe(&u.Mechanism, "SCRAM-SHA-256 or SCRAM-SHA-512.")
	a.SetDefault(&u.Mechanism, MechanismSHA512)
	a.Describe(&u.Iterations, "SCRAM iterations, 4096-16384.")
	a.SetDefault(&u.Iterations, DefaultScramIterations)
}

// Annotate documents the outputs.
func (u *UserState) Annotate(a infer.Annotator) {
	a.Describe(&u.Password, "The password in force, the given one or the generated one. Always a secret; "+
		"empty for an imported user until a password is set.")
}

func (a UserArgs) mechanism() string { return strings.ToUpper(deref(a.Mechanism, MechanismSHA512)) }

func (a UserArgs) iterations() int { return deref(a.Iterations, DefaultScramIterations) }

func scramMechanism(m string) (kadm.ScramMechanism, bool) {
	switch strings.ToUpper(m) {
	case MechanismSHA256:
		return kadm.ScramSha256, true
	case MechanismSHA512:
		return kadm.ScramSha512, true
	}
	return 0, false
}

// validateUserName refuses names SCRAM or the ACL principal syntax cannot carry: ',' and
// '=' are SCRAM's attribute separators, '*' would read as the wildcard principal User:*.
func validateUserName(name string) error {
	if name == "" {
		return errors.New("name is empty: give the user a name such as feed-handler")
	}
	if len(name) > 128 {
		return fmt.Errorf("name %q is %d bytes long: use at most 128", name, len(name))
	}
	for _, r := range name {
		if r == ',' || r == '=' || r == '*' || unicode.IsSpace(r) || unicode.IsControl(r) {
			return fmt.Errorf("name %q contains %q, which SCRAM or the ACL principal syntax cannot carry: "+
				"use letters, digits and . _ - @", name, r)
		}
	}
	return nil
}

// validateUserArgs returns a failure per bad input, before any call reaches the cluster.
func validateUserArgs(a UserArgs) []p.CheckFailure {
	var out []p.CheckFailure
	if err := validateUserName(a.Name); err != nil {
		out = append(out, p.CheckFailure{Property: "name", Reason: err.Error()})
	}
	if _, ok := scramMechanism(a.mechanism()); !ok {
		out = append(out, p.CheckFailure{Property: "mechanism", Reason: fmt.Sprintf("mechanism %q is not a SCRAM mechanism: use %s or %s",
			deref(a.Mechanism, ""), MechanismSHA256, MechanismSHA512)})
	}
	if n := a.iterations(); n < MinScramIterations || n > MaxScramIterations {
		out = append(out, p.CheckFailure{Property: "iterations", Reason: fmt.Sprintf("iterations %d is outside what %s accepts: use %d-%d",
			n, a.mechanism(), MinScramIterations, MaxScramIterations)})
	}
	if a.Password != nil && *a.Password == "" {
		out = append(out, p.CheckFailure{Property: "password", Reason: "password is empty: leave it out to have one generated, or set a non-empty secret"})
	}
	return out
}

// Check validates the inputs offline.
func (User) Check(ctx context.Context, req infer.CheckRequest) (infer.CheckResponse[UserArgs], error) {
	args, failures, err := infer.DefaultCheck[UserArgs](ctx, req.NewInputs)
	if err != nil || len(failures) > 0 {
		return infer.CheckResponse[UserArgs]{Inputs: args, Failures: failures}, err
	}
	if args.Mechanism != nil {
		m := strings.ToUpper(*args.Mechanism)
		args.Mechanism = &m
	}
	return infer.CheckResponse[UserArgs]{Inputs: args, Failures: validateUserArgs(args)}, nil
}

// Diff replaces on a new name; mechanism, iterations and password change in place. A
// password left out keeps the one in force (generated or set earlier).
func (User) Diff(_ context.Context, req infer.DiffRequest[UserArgs, UserState]) (infer.DiffResponse, error) {
	in, st := req.Inputs, req.State
	d := map[string]p.PropertyDiff{}
	if in.Name != st.Name {
		d["name"] = p.PropertyDiff{Kind: p.UpdateReplace}
	}
	if in.mechanism() != st.Mechanism {
		d["mechanism"] = p.PropertyDiff{Kind: p.Update}
	}
	if in.iterations() != st.Iterations {
		d["iterations"] = p.PropertyDiff{Kind: p.Update}
	}
	if in.Password != nil && *in.Password != st.Password {
		d["password"] = p.PropertyDiff{Kind: p.Update}
	}
	return infer.DiffResponse{DeleteBeforeReplace: true, HasChanges: len(d) > 0, DetailedDiff: d}, nil
}

// generatePassword returns 32 URL-safe characters from 24 random bytes.
func generatePassword() (string, error) {
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("generating a password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

// describeUser returns the user's credentials; none when the user has no SCRAM credential.
func describeUser(ctx context.Context, adm *kadm.Client, name string) ([]kadm.CredInfo, error) {
	res, err := adm.DescribeUserSCRAMs(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("describing the SCRAM credentials of %q: %w", name, err)
	}
	d, ok := res[name]
	if !ok || errors.Is(d.Err, kerr.ResourceNotFound) {
		return nil, nil
	}
	if d.Err != nil {
		return nil, fmt.Errorf("describing the SCRAM credentials of %q: %w %s", name, d.Err, d.ErrMessage)
	}
	return d.CredInfos, nil
}

// waitUser waits until a broker reports the user as want says: brokers answer describes
// from a metadata cache that follows the controller's commit by a moment, and a refresh or
// a create of the same name right after this write must not see the old user.
func waitUser(ctx context.Context, adm *kadm.Client, name string, timeout time.Duration, want func([]kadm.CredInfo) bool) error {
	return waitFor(ctx, timeout, fmt.Sprintf("the brokers to report the SCRAM credentials of %q", name), func(ctx context.Context) (bool, error) {
		creds, err := describeUser(ctx, adm, name)
		return err == nil && want(creds), nil
	})
}

// hasCredential reports whether creds hold st's mechanism at st's iterations.
func hasCredential(st UserState) func([]kadm.CredInfo) bool {
	return func(creds []kadm.CredInfo) bool {
		for _, c := range creds {
			if c.Mechanism.String() == st.Mechanism && int(c.Iterations) == st.Iterations {
				return true
			}
		}
		return false
	}
}

// upsertUser sets the credential of st's mechanism and removes the user's credentials of
// any other mechanism, so the user logs in exactly as declared.
func upsertUser(ctx context.Context, adm *kadm.Client, st UserState, others []kadm.CredInfo) error {
	mech, _ := scramMechanism(st.Mechanism)
	var del []kadm.DeleteSCRAM
	for _, c := range others {
		if c.Mechanism != mech {
			del = append(del, kadm.DeleteSCRAM{User: st.Name, Mechanism: c.Mechanism})
		}
	}
	res, err := adm.AlterUserSCRAMs(ctx, del, []kadm.UpsertSCRAM{{
		User: st.Name, Mechanism: mech, Iterations: int32(st.Iterations), Password: st.Password,
	}})
	if err == nil {
		err = res.Error()
	}
	if err != nil {
		return fmt.Errorf("setting the %s credential of user %q: %w", st.Mechanism, st.Name, err)
	}
	return nil
}

// Create sets the credential, refusing a user that already has one.
func (User) Create(ctx context.Context, req infer.CreateRequest[UserArgs]) (infer.CreateResponse[UserState], error) {
	in := req.Inputs
	st := UserState{Name: in.Name, Mechanism: in.mechanism(), Iterations: in.iterations(), Password: deref(in.Password, "")}
	adm, cfg, err := reachableAdmin(ctx, req.DryRun)
	if err != nil {
		return infer.CreateResponse[UserState]{}, err
	}
	if adm != nil {
		opCtx, cancel := context.WithTimeout(ctx, cfg.timeout())
		defer cancel()
		creds, err := describeUser(opCtx, adm, in.Name)
		if err != nil {
			return infer.CreateResponse[UserState]{}, err
		}
		if len(creds) > 0 {
			return infer.CreateResponse[UserState]{}, fmt.Errorf("user %q already exists on the cluster (%v) and is not managed by this stack: "+
				"import it with `pulumi import marketbus:index:User <resource-name> %s` instead of creating it", in.Name, creds, in.Name)
		}
	}
	if req.DryRun || adm == nil {
		return infer.CreateResponse[UserState]{ID: in.Name, Output: st}, nil
	}
	if st.Password == "" {
		if st.Password, err = generatePassword(); err != nil {
			return infer.CreateResponse[UserState]{}, err
		}
	}
	opCtx, cancel := context.WithTimeout(ctx, cfg.timeout())
	defer cancel()
	if err := upsertUser(opCtx, adm, st, nil); err != nil {
		return infer.CreateResponse[UserState]{}, err
	}
	if err := waitUser(ctx, adm, st.Name, cfg.timeout(), hasCredential(st)); err != nil {
		return infer.CreateResponse[UserState]{ID: in.Name, Output: st}, infer.ResourceInitFailedError{Reasons: []string{err.Error()}}
	}
	return infer.CreateResponse[UserState]{ID: in.Name, Output: st}, nil
}

// Update sets the new password, mechanism or iterations in place.
func (User) Update(ctx context.Context, req infer.UpdateRequest[UserArgs, UserState]) (infer.UpdateResponse[UserState], error) {
	in := req.Inputs
	st := UserState{Name: in.Name, Mechanism: in.mechanism(), Iterations: in.iterations(), Password: deref(in.Password, req.State.Password)}
	if req.DryRun {
		return infer.UpdateResponse[UserState]{Output: st}, nil
	}
	adm, cfg, err := adminFrom(ctx)
	if err != nil {
		return infer.UpdateResponse[UserState]{}, err
	}
	if st.Password == "" {
		// An imported user whose password Pulumi never knew: a credential change needs one.
		return infer.UpdateResponse[UserState]{}, fmt.Errorf("user %q was imported without its password, so its %s credential cannot be rewritten: "+
			"set password (a secret) on the resource", in.Name, st.Mechanism)
	}
	opCtx, cancel := context.WithTimeout(ctx, cfg.timeout())
	defer cancel()
	creds, err := describeUser(opCtx, adm, in.Name)
	if err != nil {
		return infer.UpdateResponse[UserState]{}, err
	}
	if err := upsertUser(opCtx, adm, st, creds); err != nil {
		return infer.UpdateResponse[UserState]{}, err
	}
	return infer.UpdateResponse[UserState]{Output: st}, waitUser(ctx, adm, st.Name, cfg.timeout(), hasCredential(st))
}

// Read refreshes the user: no credential left means the user is gone. With no recorded
// inputs it is an import by user name; the password stays unknown to Pulumi.
func (User) Read(ctx context.Context, req infer.ReadRequest[UserArgs, UserState]) (infer.ReadResponse[UserArgs, UserState], error) {
	adm, cfg, err := adminFrom(ctx)
	if err != nil {
		return infer.ReadResponse[UserArgs, UserState]{}, err
	}
	opCtx, cancel := context.WithTimeout(ctx, cfg.timeout())
	defer cancel()
	creds, err := describeUser(opCtx, adm, req.ID)
	if err != nil {
		return infer.ReadResponse[UserArgs, UserState]{}, err
	}
	if len(creds) == 0 {
		return infer.ReadResponse[UserArgs, UserState]{}, nil
	}
	st := req.State
	st.Name = req.ID
	cred := creds[0]
	for _, c := range creds {
		if c.Mechanism.String() == st.Mechanism {
			cred = c
		}
	}
	st.Mechanism, st.Iterations = cred.Mechanism.String(), int(cred.Iterations)
	in := req.Inputs
	in.Name = req.ID
	in.Mechanism, in.Iterations = &st.Mechanism, &st.Iterations
	return infer.ReadResponse[UserArgs, UserState]{ID: req.ID, Inputs: in, State: st}, nil
}

// Delete removes every SCRAM credential of the user.
func (User) Delete(ctx context.Context, req infer.DeleteRequest[UserState]) (infer.DeleteResponse, error) {
	adm, cfg, err := adminFrom(ctx)
	if err != nil {
		return infer.DeleteResponse{}, err
	}
	opCtx, cancel := context.WithTimeout(ctx, cfg.timeout())
	defer cancel()
	creds, err := describeUser(opCtx, adm, req.State.Name)
	if err != nil || len(creds) == 0 {
		return infer.DeleteResponse{}, err
	}
	del := make([]kadm.DeleteSCRAM, len(creds))
	for i, c := range creds {
		del[i] = kadm.DeleteSCRAM{User: req.State.Name, Mechanism: c.Mechanism}
	}
	res, err := adm.AlterUserSCRAMs(opCtx, del, nil)
	if err == nil {
		err = res.Error()
	}
	if err != nil {
		return infer.DeleteResponse{}, fmt.Errorf("deleting the SCRAM credentials of user %q: %w", req.State.Name, err)
	}
	return infer.DeleteResponse{}, waitUser(ctx, adm, req.State.Name, cfg.timeout(), func(c []kadm.CredInfo) bool { return len(c) == 0 })
}
