package provider

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
)

// Check validates the declaration before anything reaches the cluster.
func (ClusterConfig) Check(ctx context.Context, req infer.CheckRequest) (infer.CheckResponse[ClusterConfigArgs], error) {
	args, failures, err := infer.DefaultCheck[ClusterConfigArgs](ctx, req.NewInputs)
	if err != nil || len(failures) > 0 {
		return infer.CheckResponse[ClusterConfigArgs]{Inputs: args, Failures: failures}, err
	}
	return infer.CheckResponse[ClusterConfigArgs]{Inputs: args, Failures: validateClusterConfigArgs(args)}, nil
}

func validateClusterConfigArgs(a ClusterConfigArgs) []p.CheckFailure {
	var out []p.CheckFailure
	fail := func(prop, format string, args ...any) {
		out = append(out, p.CheckFailure{Property: prop, Reason: fmt.Sprintf(format, args...)})
	}
	for _, k := range sortedKeys(a.Properties) {
		if k == "" || strings.ContainsAny(k, " \t\n=") {
			fail("properties", "property name %q is not a config name: write it as the cluster names it, e.g. message.max.bytes (kafka) or enable_consumer_group_metrics (redpanda-admin)", k)
		}
	}
	switch a.api() {
	case ConfigAPIKafka:
		if len(a.AdminURLs) > 0 {
			fail("adminUrls", "adminUrls %v are only used by api %q; api %q writes through the provider's Kafka connection: remove adminUrls or set api: %s",
				a.AdminURLs, ConfigAPIRedpandaAdmin, ConfigAPIKafka, ConfigAPIRedpandaAdmin)
		}
	case ConfigAPIRedpandaAdmin:
		if len(a.AdminURLs) == 0 {
			fail("adminUrls", "api %q needs adminUrls, the admin API base URLs (e.g. http://localhost:19644); none were given", ConfigAPIRedpandaAdmin)
		}
		for _, u := range a.AdminURLs {
			if pu, err := url.Parse(u); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
				fail("adminUrls", "%q is not an http(s) URL such as http://localhost:19644", u)
			}
		}
	default:
		fail("api", "api %q is not known: use %q or %q", a.api(), ConfigAPIKafka, ConfigAPIRedpandaAdmin)
	}
	if a.TimeoutSeconds != nil && *a.TimeoutSeconds < 1 {
		fail("timeoutSeconds", "timeoutSeconds is %d: use a positive number of seconds", *a.TimeoutSeconds)
	}
	return out
}

// Diff reports each changed property; another api replaces the resource, since the owned keys
// live in another store.
func (ClusterConfig) Diff(_ context.Context, req infer.DiffRequest[ClusterConfigArgs, ClusterConfigState]) (infer.DiffResponse, error) {
	return diffClusterConfig(req.State.ClusterConfigArgs, req.Inputs), nil
}

func diffClusterConfig(old, now ClusterConfigArgs) infer.DiffResponse {
	d := map[string]p.PropertyDiff{}
	for _, k := range ownedKeys(old.Properties, now.Properties) {
		ov, inOld := old.Properties[k]
		nv, inNew := now.Properties[k]
		path := fmt.Sprintf("properties[%q]", k)
		switch {
		case inOld && !inNew:
			d[path] = p.PropertyDiff{Kind: p.Delete}
		case !inOld && inNew:
			d[path] = p.PropertyDiff{Kind: p.Add}
		case ov != nv:
			d[path] = p.PropertyDiff{Kind: p.Update}
		}
	}
	if old.api() != now.api() {
		d["api"] = p.PropertyDiff{Kind: p.UpdateReplace}
	}
	if fmt.Sprint(old.AdminURLs) != fmt.Sprint(now.AdminURLs) {
		d["adminUrls"] = p.PropertyDiff{Kind: p.Update}
	}
	if deref(old.TimeoutSeconds, 120) != deref(now.TimeoutSeconds, 120) {
		d["timeoutSeconds"] = p.PropertyDiff{Kind: p.Update}
	}
	if deref(old.AdminPath, "") != deref(now.AdminPath, "") {
		d["adminPath"] = p.PropertyDiff{Kind: p.Update}
	}
	return infer.DiffResponse{HasChanges: len(d) > 0, DetailedDiff: d, DeleteBeforeReplace: true}
}

// configBackendFor connects the backend of a's api. During preview a cluster that cannot be
// reached (first deploy) yields nil and a warning naming the path tried.
func configBackendFor(ctx context.Context, a ClusterConfigArgs, dryRun bool) (configBackend, error) {
	cfg := infer.GetConfig[Config](ctx)
	if a.api() == ConfigAPIRedpandaAdmin {
		c, err := newAdminClient(cfg, a.AdminURLs, a.adminPath())
		if err != nil {
			return nil, err
		}
		b := redpandaConfig{c: c}
		if !dryRun {
			return b, nil
		}
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if _, err := c.configStatuses(pctx); err != nil {
			if unreachableAdmin(err) {
				p.GetLogger(ctx).Warningf("%s not reachable during preview (%v); the cluster config is validated at update", b.where(), err)
				return nil, nil
			}
			return nil, fmt.Errorf("asking %s before preview: %w", b.where(), err)
		}
		return b, nil
	}
	adm, cfg, err := reachableAdmin(ctx, dryRun)
	if err != nil || adm == nil {
		return nil, err
	}
	return kafkaConfig{cl: cfg.conn.cl, adm: adm, bootstrap: cfg.BootstrapServers}, nil
}

// unreachableAdmin reports an admin API none of whose URLs answered.
func unreachableAdmin(err error) bool { return errors.Is(err, errAdminUnreachable) || unreachable(err) }

func (a ClusterConfigArgs) timeout() time.Duration {
	return time.Duration(deref(a.TimeoutSeconds, 120)) * time.Second
}

// Create writes the declared properties, or at preview asks the cluster to validate them.
func (ClusterConfig) Create(ctx context.Context, req infer.CreateRequest[ClusterConfigArgs]) (infer.CreateResponse[ClusterConfigState], error) {
	st, err := writeClusterConfig(ctx, req.Inputs, nil, req.DryRun)
	return infer.CreateResponse[ClusterConfigState]{ID: req.Inputs.api() + "-cluster-config", Output: st}, err
}

// Update writes the declared properties and resets the ones no longer declared.
func (ClusterConfig) Update(ctx context.Context, req infer.UpdateRequest[ClusterConfigArgs, ClusterConfigState]) (infer.UpdateResponse[ClusterConfigState], error) {
	st, err := writeClusterConfig(ctx, req.Inputs, req.State.Properties, req.DryRun)
	if req.DryRun && err == nil {
		st.ConfigVersion, st.RestartBrokers = req.State.ConfigVersion, req.State.RestartBrokers
	}
	return infer.UpdateResponse[ClusterConfigState]{Output: st}, err
}

func writeClusterConfig(ctx context.Context, in ClusterConfigArgs, before map[string]string, dryRun bool) (ClusterConfigState, error) {
	st := ClusterConfigState{ClusterConfigArgs: in, RestartBrokers: []int{}}
	b, err := configBackendFor(ctx, in, dryRun)
	if err != nil || b == nil {
		return st, err
	}
	ch := configChange{Set: in.Properties}
	for _, k := range sortedKeys(before) {
		if _, ok := in.Properties[k]; !ok {
			ch.Remove = append(ch.Remove, k)
		}
	}
	if len(ch.Set) == 0 && len(ch.Remove) == 0 {
		return st, nil
	}
	opCtx, cancel := context.WithTimeout(ctx, in.timeout()+30*time.Second)
	defer cancel()
	if dryRun {
		return st, b.validate(opCtx, ch)
	}
	got, err := b.apply(opCtx, ch, in.timeout())
	if err != nil {
		return st, err
	}
	st.ConfigVersion = got.Version
	if len(got.Restart) > 0 {
		st.RestartBrokers = got.Restart
		p.GetLogger(ctx).Warningf("brokers %v report restart: true: the new cluster config takes full effect only after each of them restarts", got.Restart)
	}
	return st, nil
}

// Read refreshes the owned keys from the cluster: a key changed out of band shows its new
// value, a key reset out of band (kafka) disappears, so `pulumi refresh` shows the drift and
// the next update writes the declaration back. An import (no recorded inputs) adopts every
// key set cluster-wide.
func (ClusterConfig) Read(ctx context.Context, req infer.ReadRequest[ClusterConfigArgs, ClusterConfigState]) (infer.ReadResponse[ClusterConfigArgs, ClusterConfigState], error) {
	in := req.Inputs
	if in.API == nil && req.State.API != nil {
		in = req.State.ClusterConfigArgs
	}
	if in.API == nil && strings.HasPrefix(req.ID, ConfigAPIRedpandaAdmin) {
		return infer.ReadResponse[ClusterConfigArgs, ClusterConfigState]{}, fmt.Errorf("importing %q: an import cannot know the admin URLs; declare the ClusterConfig with api %q and adminUrls instead", req.ID, ConfigAPIRedpandaAdmin)
	}
	b, err := configBackendFor(ctx, in, false)
	if err != nil {
		return infer.ReadResponse[ClusterConfigArgs, ClusterConfigState]{}, err
	}
	var keys []string
	if in.Properties != nil {
		keys = sortedKeys(in.Properties)
	}
	opCtx, cancel := context.WithTimeout(ctx, in.timeout())
	defer cancel()
	cur, err := b.current(opCtx, keys)
	if err != nil {
		return infer.ReadResponse[ClusterConfigArgs, ClusterConfigState]{}, err
	}
	props := map[string]string{}
	for k, v := range cur {
		if declared, ok := in.Properties[k]; ok && b.same(declared, v) {
			v = declared // the declaration's spelling, so an equal value is no diff
		}
		props[k] = v
	}
	in.Properties = props
	st := req.State
	st.ClusterConfigArgs = in
	if st.RestartBrokers == nil {
		st.RestartBrokers = []int{}
	}
	id := req.ID
	if id == "" {
		id = in.api() + "-cluster-config"
	}
	return infer.ReadResponse[ClusterConfigArgs, ClusterConfigState]{ID: id, Inputs: in, State: st}, nil
}

// Delete resets every owned key to its default: the stack no longer owns them.
func (ClusterConfig) Delete(ctx context.Context, req infer.DeleteRequest[ClusterConfigState]) (infer.DeleteResponse, error) {
	if len(req.State.Properties) == 0 {
		return infer.DeleteResponse{}, nil
	}
	b, err := configBackendFor(ctx, req.State.ClusterConfigArgs, false)
	if err != nil {
		return infer.DeleteResponse{}, err
	}
	opCtx, cancel := context.WithTimeout(ctx, req.State.timeout()+30*time.Second)
	defer cancel()
	_, err = b.apply(opCtx, configChange{Remove: sortedKeys(req.State.Properties)}, req.State.timeout())
	if err != nil {
		return infer.DeleteResponse{}, fmt.Errorf("resetting the cluster config %v to the defaults: %w", sortedKeys(req.State.Properties), err)
	}
	return infer.DeleteResponse{}, nil
}
