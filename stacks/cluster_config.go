package stacks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/marketbus/market-bus/components/cluster"
	"github.com/marketbus/market-bus/sdk/go/marketbus"

	"github.com/marketbus/market-bus/fielderr"
)

// KeyClusterConfig is market-bus:clusterConfig: the cluster properties the stack owns, written
// and kept by a ClusterConfig (a key removed from it goes back to the cluster's default).
const KeyClusterConfig = "clusterConfig"

// The two APIs a ClusterConfig uses (the provider's api values).
const (
	configAPIKafka    = "kafka"
	configAPIRedpanda = "redpanda-admin"
)

// loadClusterConfig decodes market-bus:clusterConfig, keeping numbers as written.
func loadClusterConfig(src Source) (map[string]any, error) {
	raw, ok := src.Get(KeyClusterConfig)
	if !ok {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.UseNumber()
	var out map[string]any
	if err := dec.Decode(&out); err != nil {
		return nil, fielderr.New(Key(KeyClusterConfig), short(raw), fmt.Sprintf("cannot be read (%v)", err),
			"set it to an object of property to value, e.g. {enable_consumer_group_metrics: [group, partition, consumer_lag]} (Redpanda) or {message.max.bytes: 2097152} (Kafka)")
	}
	return out, nil
}

// validateClusterConfig checks the declared properties before anything is registered.
func (s Spec) validateClusterConfig() []error {
	var errs []error
	key := func(k string) string { return Key(KeyClusterConfig + "." + k) }
	for _, k := range sortedAnyKeys(s.ClusterConfig) {
		v := s.ClusterConfig[k]
		switch {
		case strings.TrimSpace(k) == "" || strings.ContainsAny(k, " \t="):
			errs = append(errs, fielderr.New(key(k), fmt.Sprintf("%v", v), fmt.Sprintf("%q is not a property name", k),
				"use the cluster's own name, e.g. message.max.bytes"))
		case v == nil:
			errs = append(errs, fielderr.New(key(k), "null", "no value is given",
				"give a value, or remove the key to reset the property to the cluster's default"))
		case s.Cluster.Mode == ModeExternal:
			if _, isMap := v.(map[string]any); isMap {
				errs = append(errs, fielderr.New(key(k), "{…}", "an object, and Kafka broker configs are strings, numbers, booleans or lists",
					"write the value as a string, a number, a boolean or a list (written comma-separated)"))
			}
		}
	}
	if len(s.ClusterConfig) > 0 && s.Cluster.Mode == ModeKubernetes && s.Cluster.Listeners.Admin.Exposure != "external" {
		errs = append(errs, fielderr.New(Key(KeyClusterConfig), fmt.Sprintf("%d properties", len(s.ClusterConfig)),
			fmt.Sprintf("%s = %q: the provider writes cluster properties through the admin API from where `pulumi up` runs, "+
				"and an internal admin API cannot be reached from there (a port-forward path is not built)",
				Key("cluster.listeners.admin.exposure"), s.Cluster.Listeners.Admin.Exposure),
			"set cluster.listeners.admin to {exposure: external, sourceRanges: [<the deployers' CIDR>]} "+
				"(authentication stays http_basic with SASL on), or remove "+Key(KeyClusterConfig)))
	}
	return errs
}

// configValue renders one property value for the api: JSON for Redpanda's admin API (the
// provider sends it as is), kafka-configs' text for Kafka (lists comma-separated).
func configValue(api string, v any) string {
	if api == configAPIKafka {
		switch t := v.(type) {
		case string:
			return t
		case []any:
			parts := make([]string, 0, len(t))
			for _, x := range t {
				parts = append(parts, configValue(api, x))
			}
			return strings.Join(parts, ",")
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// clusterConfigPlan is the ClusterConfig a stack registers: which API, where, and what.
type clusterConfigPlan struct {
	api        string
	adminURLs  pulumi.StringArrayInput
	adminPath  string
	properties map[string]string
}

// planClusterConfig merges the component's properties (for a cluster the stack creates) with
// the declared ones, which win. ok is false when there is nothing to own, or when the
// component's own properties cannot be written because the admin API is internal; warning
// then says so and what to change.
func planClusterConfig(spec Spec, rp *cluster.RedpandaCluster) (plan clusterConfigPlan, ok bool, warning string) {
	merged := map[string]any{}
	plan.api = configAPIKafka
	if rp != nil {
		plan.api = configAPIRedpanda
		for k, v := range rp.Properties {
			merged[k] = v
		}
	}
	for k, v := range spec.ClusterConfig {
		merged[k] = v
	}
	if len(merged) == 0 {
		return plan, false, ""
	}
	if rp != nil {
		plan.adminURLs = rp.AdminExternalURLs
		plan.adminPath = "the admin API the Docker backend publishes on the host"
		if spec.Cluster.Mode == ModeKubernetes {
			if spec.Cluster.Listeners.Admin.Exposure != "external" {
				// Declared keys are refused by validateClusterConfig; the component's own
				// defaults only warn, so a stack with an internal admin API still deploys.
				return plan, false, fmt.Sprintf("cluster properties %v are not reconciled: the admin API is internal "+
					"(%s:cluster.listeners.admin.exposure), and the provider reaches it only through an explicitly external, "+
					"authenticated admin listener limited by sourceRanges", sortedAnyKeys(merged), Project)
			}
			plan.adminPath = "the external admin listener (" + Project + ":cluster.listeners.admin, exposure external, limited by its sourceRanges)"
		}
	}
	plan.properties = map[string]string{}
	for k, v := range merged {
		plan.properties[k] = configValue(plan.api, v)
	}
	return plan, true, ""
}

// deployClusterConfig registers the stack's ClusterConfig after the cluster is healthy; nil
// when there is nothing to own.
func deployClusterConfig(ctx *pulumi.Context, spec Spec, rp *cluster.RedpandaCluster, prov pulumi.ProviderResource, deps []pulumi.Resource) (*marketbus.ClusterConfig, error) {
	plan, ok, warning := planClusterConfig(spec, rp)
	if warning != "" {
		_ = ctx.Log.Warn(warning, nil)
	}
	if !ok {
		return nil, nil
	}
	args := &marketbus.ClusterConfigArgs{
		Api:        pulumi.StringPtr(plan.api),
		Properties: pulumi.ToStringMap(plan.properties),
	}
	if plan.api == configAPIRedpanda {
		args.AdminUrls = plan.adminURLs
		args.AdminPath = pulumi.StringPtr(plan.adminPath)
	}
	cc, err := marketbus.NewClusterConfig(ctx, "cluster-config", args, pulumi.Provider(prov), pulumi.DependsOn(deps))
	if err != nil {
		return nil, fmt.Errorf("registering the cluster config: %w", err)
	}
	return cc, nil
}

func sortedAnyKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
