package provider

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/twmb/franz-go/pkg/kadm"
)

// ClientQuota is the byte-rate and request quotas of one client entity, managed through
// AlterClientQuotas and DescribeClientQuotas.
type ClientQuota struct{}

// DefaultEntity names the default user or client id, as Kafka's tools print it.
const DefaultEntity = "<default>"

// MinByteRate is the lowest byte rate a quota may set: below 1 KiB/s a client cannot
// move even one batch in a broker's quota window, so it only ever waits.
const MinByteRate = 1024

// Quota keys, as the brokers name them.
const (
	quotaProducerByteRate  = "producer_byte_rate"
	quotaConsumerByteRate  = "consumer_byte_rate"
	quotaRequestPercentage = "request_percentage"
)

// ClientQuotaArgs are the inputs of a ClientQuota.
type ClientQuotaArgs struct {
	User              *string  `pulumi:"user,optional"`
	ClientID          *string  `pulumi:"clientId,optional"`
	ProducerByteRate  *int     `pulumi:"producerByteRate,optional"`
	ConsumerByteRate  *int     `pulumi:"consumerByteRate,optional"`
	RequestPercentage *float64 `pulumi:"requestPercentage,optional"`
}

// ClientQuotaState is the recorded quota.
type ClientQuotaState struct {
	ClientQuotaArgs
}

// Annotate documents the resource.
func (q *ClientQuota) Annotate(a infer.Annotator) {
	a.Describe(q, "Client quotas of one entity (a user, a client id, both, or their defaults). "+
		"Importable by its id, e.g. user=feed-handler or user=feed-handler,client-id=fx-1.")
}

// Annotate documents the inputs.
func (q *ClientQuotaArgs) Annotate(a infer.Annotator) {
	a.Describe(&q.User, "The user the quota applies to; <default> for every user without a quota of its own.")
	a.Describe(&q.ClientID, "The client id the quota applies to; <default> for every client id without one.")
	a.Describe(&q.ProducerByteRate, "Bytes per second the entity may produce, per broker; at least 1024.")
	a.Describe(&q.ConsumerByteRate, "Bytes per second the entity may fetch, per broker; at least 1024.")
	a.Describe(&q.RequestPercentage, "Percentage of one request-handler and network thread the entity may use, per broker.")
}

// entity is the quota's entity in the protocol's terms.
func (q ClientQuotaArgs) entity() kadm.ClientQuotaEntity {
	var e kadm.ClientQuotaEntity
	add := func(typ string, v *string) {
		if v == nil {
			return
		}
		c := kadm.ClientQuotaEntityComponent{Type: typ}
		if *v != DefaultEntity {
			name := *v
			c.Name = &name
		}
		e = append(e, c)
	}
	add("user", q.User)
	add("client-id", q.ClientID)
	return e
}

// QuotaID is the quota's id: user=<u>[,client-id=<c>], the entity it binds.
func QuotaID(q ClientQuotaArgs) string {
	var parts []string
	if q.User != nil {
		parts = append(parts, "user="+*q.User)
	}
	if q.ClientID != nil {
		parts = append(parts, "client-id="+*q.ClientID)
	}
	return strings.Join(parts, ",")
}

func parseQuotaID(id string) (ClientQuotaArgs, error) {
	var q ClientQuotaArgs
	for _, part := range strings.Split(id, ",") {
		k, v, ok := strings.Cut(part, "=")
		switch {
		case ok && k == "user" && q.User == nil:
			q.User = &v
		case ok && k == "client-id" && q.ClientID == nil:
			q.ClientID = &v
		default:
			return q, fmt.Errorf("quota id %q is not user=<name>[,client-id=<id>] (<default> for the defaults)", id)
		}
	}
	return q, nil
}

// values are the quota's keys and values; a key left out is not set.
func (q ClientQuotaArgs) values() map[string]float64 {
	v := map[string]float64{}
	if q.ProducerByteRate != nil {
		v[quotaProducerByteRate] = float64(*q.ProducerByteRate)
	}
	if q.ConsumerByteRate != nil {
		v[quotaConsumerByteRate] = float64(*q.ConsumerByteRate)
	}
	if q.RequestPercentage != nil {
		v[quotaRequestPercentage] = *q.RequestPercentage
	}
	return v
}

func validateQuotaArgs(q ClientQuotaArgs) []p.CheckFailure {
	var out []p.CheckFailure
	if q.User == nil && q.ClientID == nil {
		out = append(out, p.CheckFailure{Property: "user", Reason: "neither user nor clientId is set: name the entity the quota binds (<default> for the default)"})
	}
	if q.User != nil && *q.User != DefaultEntity {
		if err := validateUserName(*q.User); err != nil {
			out = append(out, p.CheckFailure{Property: "user", Reason: "user " + err.Error()})
		}
	}
	if q.ClientID != nil && *q.ClientID == "" {
		out = append(out, p.CheckFailure{Property: "clientId", Reason: "clientId is empty: name the client id, or use <default>"})
	}
	for prop, v := range map[string]*int{"producerByteRate": q.ProducerByteRate, "consumerByteRate": q.ConsumerByteRate} {
		if v != nil && *v < MinByteRate {
			out = append(out, p.CheckFailure{Property: prop, Reason: fmt.Sprintf("%s %d B/s is below 1 KiB/s: a client that slow only ever waits; "+
				"use at least %d, or leave it out for no limit", prop, *v, MinByteRate)})
		}
	}
	if r := q.RequestPercentage; r != nil && (*r <= 0 || *r > 10000) {
		out = append(out, p.CheckFailure{Property: "requestPercentage", Reason: fmt.Sprintf("requestPercentage %g is outside (0, 10000]: "+
			"100 is one full thread", *r)})
	}
	if len(q.values()) == 0 {
		out = append(out, p.CheckFailure{Property: "producerByteRate", Reason: "no quota is set: set producerByteRate, consumerByteRate or requestPercentage"})
	}
	return out
}

// Check validates the quota offline.
func (ClientQuota) Check(ctx context.Context, req infer.CheckRequest) (infer.CheckResponse[ClientQuotaArgs], error) {
	args, failures, err := infer.DefaultCheck[ClientQuotaArgs](ctx, req.NewInputs)
	if err != nil || len(failures) > 0 {
		return infer.CheckResponse[ClientQuotaArgs]{Inputs: args, Failures: failures}, err
	}
	return infer.CheckResponse[ClientQuotaArgs]{Inputs: args, Failures: validateQuotaArgs(args)}, nil
}

// Diff replaces on another entity; rates change in place.
func (ClientQuota) Diff(_ context.Context, req infer.DiffRequest[ClientQuotaArgs, ClientQuotaState]) (infer.DiffResponse, error) {
	in, st := req.Inputs, req.State.ClientQuotaArgs
	d := map[string]p.PropertyDiff{}
	if QuotaID(in) != QuotaID(st) {
		d["user"] = p.PropertyDiff{Kind: p.UpdateReplace}
	}
	old, now := st.values(), in.values()
	for _, k := range []struct{ prop, key string }{
		{"producerByteRate", quotaProducerByteRate}, {"consumerByteRate", quotaConsumerByteRate}, {"requestPercentage", quotaRequestPercentage},
	} {
		o, had := old[k.key]
		n, has := now[k.key]
		if had != has || o != n {
			d[k.prop] = p.PropertyDiff{Kind: p.Update}
		}
	}
	return infer.DiffResponse{DeleteBeforeReplace: true, HasChanges: len(d) > 0, DetailedDiff: d}, nil
}

// alterQuota sets the keys of now and removes those only in old.
func alterQuota(ctx context.Context, adm *kadm.Client, q ClientQuotaArgs, old map[string]float64, validateOnly bool) error {
	var ops []kadm.AlterClientQuotaOp
	now := q.values()
	for k, v := range now {
		ops = append(ops, kadm.AlterClientQuotaOp{Key: k, Value: v})
	}
	for k := range old {
		if _, ok := now[k]; !ok {
			ops = append(ops, kadm.AlterClientQuotaOp{Key: k, Remove: true})
		}
	}
	entries := []kadm.AlterClientQuotaEntry{{Entity: q.entity(), Ops: ops}}
	alter := adm.AlterClientQuotas
	if validateOnly {
		alter = adm.ValidateAlterClientQuotas
	}
	res, err := alter(ctx, entries)
	if err == nil {
		for _, r := range res {
			if r.Err != nil {
				err = fmt.Errorf("%w %s", r.Err, r.ErrMessage)
			}
		}
	}
	if err != nil {
		return fmt.Errorf("setting client quota %s: %w", QuotaID(q), err)
	}
	if validateOnly {
		return nil
	}
	// Brokers answer describes from a metadata cache that follows the controller's commit
	// by a moment; a refresh right after this write must see it.
	return waitFor(ctx, timeout(ctx), "the brokers to report client quota "+QuotaID(q), func(ctx context.Context) (bool, error) {
		got, err := describeQuota(ctx, adm, q)
		return err == nil && maps.Equal(got, now), nil
	})
}

// timeout is what is left of ctx's deadline (the operation's), or 30 s without one.
func timeout(ctx context.Context) time.Duration {
	if d, ok := ctx.Deadline(); ok {
		return time.Until(d)
	}
	return 30 * time.Second
}

// describeQuota returns the entity's quota values, empty when it has none.
func describeQuota(ctx context.Context, adm *kadm.Client, q ClientQuotaArgs) (map[string]float64, error) {
	var comps []kadm.DescribeClientQuotaComponent
	for _, c := range q.entity() {
		dc := kadm.DescribeClientQuotaComponent{Type: c.Type, MatchName: c.Name, MatchType: 0}
		if c.Name == nil {
			dc.MatchType = 1
		}
		comps = append(comps, dc)
	}
	described, err := adm.DescribeClientQuotas(ctx, true, comps)
	if err != nil {
		return nil, fmt.Errorf("describing client quota %s: %w", QuotaID(q), err)
	}
	out := map[string]float64{}
	for _, d := range described {
		for _, v := range d.Values {
			out[v.Key] = v.Value
		}
	}
	return out, nil
}

// Create sets the quota; during preview the broker validates it without applying.
func (ClientQuota) Create(ctx context.Context, req infer.CreateRequest[ClientQuotaArgs]) (infer.CreateResponse[ClientQuotaState], error) {
	in := req.Inputs
	st := ClientQuotaState{ClientQuotaArgs: in}
	adm, cfg, err := reachableAdmin(ctx, req.DryRun)
	if err != nil || adm == nil {
		return infer.CreateResponse[ClientQuotaState]{ID: QuotaID(in), Output: st}, err
	}
	opCtx, cancel := context.WithTimeout(ctx, cfg.timeout())
	defer cancel()
	if err := alterQuota(opCtx, adm, in, nil, req.DryRun); err != nil {
		return infer.CreateResponse[ClientQuotaState]{}, err
	}
	return infer.CreateResponse[ClientQuotaState]{ID: QuotaID(in), Output: st}, nil
}

// Update sets the new rates and removes the ones left out.
func (ClientQuota) Update(ctx context.Context, req infer.UpdateRequest[ClientQuotaArgs, ClientQuotaState]) (infer.UpdateResponse[ClientQuotaState], error) {
	in := req.Inputs
	adm, cfg, err := reachableAdmin(ctx, req.DryRun)
	if err != nil || adm == nil {
		return infer.UpdateResponse[ClientQuotaState]{Output: ClientQuotaState{ClientQuotaArgs: in}}, err
	}
	opCtx, cancel := context.WithTimeout(ctx, cfg.timeout())
	defer cancel()
	if err := alterQuota(opCtx, adm, in, req.State.values(), req.DryRun); err != nil {
		return infer.UpdateResponse[ClientQuotaState]{}, err
	}
	return infer.UpdateResponse[ClientQuotaState]{Output: ClientQuotaState{ClientQuotaArgs: in}}, nil
}

// Read refreshes the rates from the cluster; no quota left means gone. With no recorded
// inputs it is an import by id.
func (ClientQuota) Read(ctx context.Context, req infer.ReadRequest[ClientQuotaArgs, ClientQuotaState]) (infer.ReadResponse[ClientQuotaArgs, ClientQuotaState], error) {
	entity, err := parseQuotaID(req.ID)
	if err != nil {
		return infer.ReadResponse[ClientQuotaArgs, ClientQuotaState]{}, err
	}
	adm, cfg, err := adminFrom(ctx)
	if err != nil {
		return infer.ReadResponse[ClientQuotaArgs, ClientQuotaState]{}, err
	}
	opCtx, cancel := context.WithTimeout(ctx, cfg.timeout())
	defer cancel()
	vals, err := describeQuota(opCtx, adm, entity)
	if err != nil || len(vals) == 0 {
		return infer.ReadResponse[ClientQuotaArgs, ClientQuotaState]{}, err
	}
	in := entity
	if v, ok := vals[quotaProducerByteRate]; ok {
		n := int(v)
		in.ProducerByteRate = &n
	}
	if v, ok := vals[quotaConsumerByteRate]; ok {
		n := int(v)
		in.ConsumerByteRate = &n
	}
	if v, ok := vals[quotaRequestPercentage]; ok {
		in.RequestPercentage = &v
	}
	return infer.ReadResponse[ClientQuotaArgs, ClientQuotaState]{ID: req.ID, Inputs: in, State: ClientQuotaState{ClientQuotaArgs: in}}, nil
}

// Delete removes every quota this resource set.
func (ClientQuota) Delete(ctx context.Context, req infer.DeleteRequest[ClientQuotaState]) (infer.DeleteResponse, error) {
	adm, cfg, err := adminFrom(ctx)
	if err != nil {
		return infer.DeleteResponse{}, err
	}
	opCtx, cancel := context.WithTimeout(ctx, cfg.timeout())
	defer cancel()
	none := ClientQuotaArgs{User: req.State.User, ClientID: req.State.ClientID}
	return infer.DeleteResponse{}, alterQuota(opCtx, adm, none, req.State.values(), false)
}
