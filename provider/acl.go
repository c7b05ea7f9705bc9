package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Check validates the binding offline, so preview refuses an operation the resource type
// does not take (Alter on a group) before any call reaches the cluster.
func (Acl) Check(ctx context.Context, req infer.CheckRequest) (infer.CheckResponse[AclArgs], error) {
	args, failures, err := infer.DefaultCheck[AclArgs](ctx, req.NewInputs)
	if err != nil || len(failures) > 0 {
		return infer.CheckResponse[AclArgs]{Inputs: args, Failures: failures}, err
	}
	c, failures := args.canonical()
	if len(failures) > 0 {
		return infer.CheckResponse[AclArgs]{Inputs: args, Failures: failures}, nil
	}
	c.RequireExistingTopic = args.RequireExistingTopic
	return infer.CheckResponse[AclArgs]{Inputs: c}, nil
}

// Diff replaces the binding on any change: a binding has no identity but its fields.
func (Acl) Diff(_ context.Context, req infer.DiffRequest[AclArgs, AclState]) (infer.DiffResponse, error) {
	in, st := req.Inputs, req.State.AclArgs
	d := map[string]p.PropertyDiff{}
	fields := map[string][2]string{
		"principal":    {st.Principal, in.Principal},
		"host":         {deref(st.Host, "*"), deref(in.Host, "*")},
		"resourceType": {st.ResourceType, in.ResourceType},
		"resourceName": {st.ResourceName, in.ResourceName},
		"patternType":  {deref(st.PatternType, "literal"), deref(in.PatternType, "literal")},
		"operation":    {st.Operation, in.Operation},
		"permission":   {deref(st.Permission, "allow"), deref(in.Permission, "allow")},
	}
	for k, v := range fields {
		if v[0] != v[1] {
			d[k] = p.PropertyDiff{Kind: p.UpdateReplace}
		}
	}
	if deref(st.RequireExistingTopic, false) != deref(in.RequireExistingTopic, false) {
		d["requireExistingTopic"] = p.PropertyDiff{Kind: p.Update}
	}
	// The old binding goes first: created first, the new one could be the same binding.
	return infer.DiffResponse{DeleteBeforeReplace: true, HasChanges: len(d) > 0, DetailedDiff: d}, nil
}

// rawClient returns the provider's franz-go client, for the ACL requests kadm only offers
// as cross products.
func rawClient(ctx context.Context) (*kgo.Client, Config, error) {
	_, cfg, err := adminFrom(ctx)
	if err != nil {
		return nil, cfg, err
	}
	return cfg.conn.cl, cfg, nil
}

// requireTopic refuses a binding on a literal topic the cluster does not have.
func requireTopic(ctx context.Context, cl *kgo.Client, a AclArgs) error {
	if !deref(a.RequireExistingTopic, false) || a.ResourceType != "topic" || deref(a.PatternType, "literal") != "literal" || a.ResourceName == "*" {
		return nil
	}
	if _, err := describeTopicMeta(ctx, cl, a.ResourceName); err != nil {
		return fmt.Errorf("ACL %s: %w", AclID(a), err)
	}
	return nil
}

// describeTopicMeta asks for one topic's metadata; errTopicNotFound when there is none.
func describeTopicMeta(ctx context.Context, cl *kgo.Client, name string) (kmsg.MetadataResponseTopic, error) {
	req := kmsg.NewPtrMetadataRequest()
	t := kmsg.NewMetadataRequestTopic()
	t.Topic = kmsg.StringPtr(name)
	req.Topics = append(req.Topics, t)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return kmsg.MetadataResponseTopic{}, err
	}
	if len(resp.Topics) == 0 {
		return kmsg.MetadataResponseTopic{}, fmt.Errorf("the broker answered no metadata for topic %q", name)
	}
	rt := resp.Topics[0]
	if errors.Is(kerr.ErrorForCode(rt.ErrorCode), kerr.UnknownTopicOrPartition) {
		return rt, fmt.Errorf("topic %q does not exist on the cluster: create it first (add it to the stack's topics) or fix the name: %w",
			name, errTopicNotFound)
	}
	return rt, kerr.ErrorForCode(rt.ErrorCode)
}

// Create creates the binding; during preview it only checks that a required topic exists.
func (Acl) Create(ctx context.Context, req infer.CreateRequest[AclArgs]) (infer.CreateResponse[AclState], error) {
	in := req.Inputs
	st := AclState{AclArgs: in}
	adm, cfg, err := reachableAdmin(ctx, req.DryRun)
	if err != nil || adm == nil {
		return infer.CreateResponse[AclState]{ID: AclID(in), Output: st}, err
	}
	cl := cfg.conn.cl
	opCtx, cancel := context.WithTimeout(ctx, cfg.timeout())
	defer cancel()
	if err := requireTopic(opCtx, cl, in); err != nil {
		return infer.CreateResponse[AclState]{}, err
	}
	if req.DryRun {
		return infer.CreateResponse[AclState]{ID: AclID(in), Output: st}, nil
	}
	b := in.binding()
	c := kmsg.NewCreateACLsRequestCreation()
	c.ResourceType, c.ResourceName, c.ResourcePatternType = b.resource, b.name, b.pattern
	c.Principal, c.Host, c.Operation, c.PermissionType = b.principal, b.host, b.operation, b.permission
	r := kmsg.NewPtrCreateACLsRequest()
	r.Creations = append(r.Creations, c)
	resp, err := r.RequestWith(opCtx, cl)
	if err == nil && len(resp.Results) != 1 {
		err = fmt.Errorf("the broker answered %d results for 1 ACL", len(resp.Results))
	}
	if err == nil {
		if err = kerr.ErrorForCode(resp.Results[0].ErrorCode); err != nil {
			err = fmt.Errorf("%w %s", err, deref(resp.Results[0].ErrorMessage, ""))
		}
	}
	if err != nil {
		return infer.CreateResponse[AclState]{}, fmt.Errorf("creating ACL %s: %w", AclID(in), err)
	}
	if err := waitBinding(ctx, cl, b, true, cfg.timeout()); err != nil {
		return infer.CreateResponse[AclState]{ID: AclID(in), Output: st}, infer.ResourceInitFailedError{Reasons: []string{err.Error()}}
	}
	return infer.CreateResponse[AclState]{ID: AclID(in), Output: st}, nil
}

// describeBinding reports whether the exact binding is on the cluster.
func describeBinding(ctx context.Context, cl *kgo.Client, b binding) (bool, error) {
	r := kmsg.NewPtrDescribeACLsRequest()
	r.ResourceType, r.ResourceName, r.ResourcePatternType = b.resource, &b.name, b.pattern
	r.Principal, r.Host, r.Operation, r.PermissionType = &b.principal, &b.host, b.operation, b.permission
	resp, err := r.RequestWith(ctx, cl)
	if err != nil {
		return false, err
	}
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		return false, fmt.Errorf("%w %s", err, deref(resp.ErrorMessage, ""))
	}
	for _, res := range resp.Resources {
		if res.ResourceType == b.resource && res.ResourceName == b.name && res.ResourcePatternType == b.pattern && len(res.ACLs) > 0 {
			return true, nil
		}
	}
	return false, nil
}

// waitBinding waits until a broker reports the binding present (or gone): brokers answer
// describes from a metadata cache that follows the controller's commit by a moment.
func waitBinding(ctx context.Context, cl *kgo.Client, b binding, present bool, timeout time.Duration) error {
	return waitFor(ctx, timeout, fmt.Sprintf("the brokers to report ACL %s/%s %v", b.principal, b.name, present), func(ctx context.Context) (bool, error) {
		found, err := describeBinding(ctx, cl, b)
		return err == nil && found == present, nil
	})
}

// Read refreshes the binding: gone from the cluster means gone from the stack (drift). With
// no recorded inputs it is an import by canonical id.
func (Acl) Read(ctx context.Context, req infer.ReadRequest[AclArgs, AclState]) (infer.ReadResponse[AclArgs, AclState], error) {
	in := req.Inputs
	if in.Principal == "" {
		parsed, err := parseAclID(req.ID)
		if err != nil {
			return infer.ReadResponse[AclArgs, AclState]{}, err
		}
		in = parsed
	}
	cl, cfg, err := rawClient(ctx)
	if err != nil {
		return infer.ReadResponse[AclArgs, AclState]{}, err
	}
	opCtx, cancel := context.WithTimeout(ctx, cfg.timeout())
	defer cancel()
	found, err := describeBinding(opCtx, cl, in.binding())
	if err != nil {
		return infer.ReadResponse[AclArgs, AclState]{}, fmt.Errorf("describing ACL %s: %w", AclID(in), err)
	}
	if !found {
		return infer.ReadResponse[AclArgs, AclState]{}, nil
	}
	return infer.ReadResponse[AclArgs, AclState]{ID: AclID(in), Inputs: in, State: AclState{AclArgs: in}}, nil
}

// Update records a changed requireExistingTopic; the binding itself is unchanged.
func (Acl) Update(_ context.Context, req infer.UpdateRequest[AclArgs, AclState]) (infer.UpdateResponse[AclState], error) {
	return infer.UpdateResponse[AclState]{Output: AclState{AclArgs: req.Inputs}}, nil
}

// Delete removes exactly this binding.
func (Acl) Delete(ctx context.Context, req infer.DeleteRequest[AclState]) (infer.DeleteResponse, error) {
	cl, cfg, err := rawClient(ctx)
	if err != nil {
		return infer.DeleteResponse{}, err
	}
	opCtx, cancel := context.WithTimeout(ctx, cfg.timeout())
	defer cancel()
	b := req.State.binding()
	f := kmsg.NewDeleteACLsRequestFilter()
	f.ResourceType, f.ResourceName, f.ResourcePatternType = b.resource, &b.name, b.pattern
	f.Principal, f.Host, f.Operation, f.PermissionType = &b.principal, &b.host, b.operation, b.permission
	r := kmsg.NewPtrDeleteACLsRequest()
	r.Filters = append(r.Filters, f)
	resp, err := r.RequestWith(opCtx, cl)
	if err == nil && len(resp.Results) == 1 {
		if err = kerr.ErrorForCode(resp.Results[0].ErrorCode); err != nil {
			err = fmt.Errorf("%w %s", err, deref(resp.Results[0].ErrorMessage, ""))
		}
	}
	if err != nil {
		return infer.DeleteResponse{}, fmt.Errorf("deleting ACL %s: %w", AclID(req.State.AclArgs), err)
	}
	return infer.DeleteResponse{}, waitBinding(ctx, cl, b, false, cfg.timeout())
}
