// Package cluster stands up a Redpanda cluster as one Pulumi component.
//
// Rendering is kept apart from the objects that carry it, as in the Redpanda
// Operator: topology.go, addressing.go, redpanda.go, tls.go, bootstrap.go,
// lifecycle.go and profile.go are pure functions from a Topology to flags,
// ports, seeds, scripts and config files; docker.go turns the rendered
// brokers into Docker resources, kubernetes*.go into Kubernetes objects.
//
// Its settings (Config, config.go) are the stack key market-bus:cluster, field for field,
// so a refusal's fielderr path ("memory", "listeners.kafka.sourceRanges") is the key a user
// wrote; Args adds what only a program can wire (a secret password, placement, names).
package cluster

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/marketbus/market-bus/fielderr"
)

// TypeToken is the component's Pulumi type.
const TypeToken = "marketbus:cluster:RedpandaCluster"

// RedpandaCluster is a running Redpanda cluster and the addresses its
// consumers need. Every output depends on the broker resources, so a
// resource that takes one waits until the brokers report ready.
type RedpandaCluster struct {
	pulumi.ResourceState

	// InternalBootstrapServers are host:port of each broker's internal Kafka
	// listener, for clients inside the broker network.
	InternalBootstrapServers pulumi.StringArrayOutput
	// InternalBootstrap is InternalBootstrapServers joined with commas.
	InternalBootstrap pulumi.StringOutput
	// ExternalBootstrapServers are host:port of each broker's external Kafka
	// listener, for clients on the host.
	ExternalBootstrapServers pulumi.StringArrayOutput
	// ExternalBootstrap is ExternalBootstrapServers joined with commas.
	ExternalBootstrap pulumi.StringOutput
	// SchemaRegistryInternalURLs and SchemaRegistryExternalURLs are http URLs.
	SchemaRegistryInternalURLs pulumi.StringArrayOutput
	SchemaRegistryExternalURLs pulumi.StringArrayOutput
	// AdminInternalURLs and AdminExternalURLs are admin API http URLs.
	AdminInternalURLs pulumi.StringArrayOutput
	AdminExternalURLs pulumi.StringArrayOutput
	// MetricsTargets are host:port of each admin API for a Prometheus inside
	// the broker network; ExternalMetricsTargets for one on the host. Both
	// are scraped at MetricsPath.
	MetricsTargets         pulumi.StringArrayOutput
	ExternalMetricsTargets pulumi.StringArrayOutput
	MetricsPath            pulumi.StringOutput
	// RpkProfile is an rpk profile (YAML) reaching the cluster from the host:
	// `rpk profile create <name> --from-profile <file>`.
	RpkProfile pulumi.StringOutput
	// NetworkName is the Docker network other containers join to reach the
	// internal listeners (e.g. Prometheus); empty on Kubernetes.
	NetworkName pulumi.StringOutput
	// PodTemplateHash is the SHA-256 of the brokers' pod template on
	// Kubernetes (empty on Docker): a RollingRestart's trigger.
	PodTemplateHash pulumi.StringOutput

	// Properties are the cluster properties the cluster should run with
	// (ClusterProperties): plain values known at preview, for the stack's
	// ClusterConfig, which writes them through the admin API. They are not
	// in .bootstrap.yaml, which a formed cluster never reads again.
	Properties map[string]any
}

// NewRedpandaCluster validates args, renders every broker and creates the
// cluster on the chosen backend. Nothing is registered when args are invalid.
func NewRedpandaCluster(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*RedpandaCluster, error) {
	if args == nil {
		return nil, fmt.Errorf("redpanda cluster %q: args are required", name)
	}
	a := args.withDefaults()
	if errs := validate(a); len(errs) > 0 {
		return nil, fmt.Errorf("redpanda cluster %q: invalid args:\n%w", name, fielderr.Join(errs))
	}
	if a.Mode == ModeDocker && a.Docker.NetworkName == "" {
		a.Docker.NetworkName = DefaultNetworkName(ctx.Project(), ctx.Stack())
	}
	brokers, err := RenderCluster(a.Topology())
	if err != nil {
		return nil, fmt.Errorf("redpanda cluster %q: %w", name, err)
	}
	profileName := ctx.Project() + "-" + ctx.Stack()
	profile, err := RenderRpkProfile(profileName, fmt.Sprintf("Redpanda of stack %s (%s backend)", ctx.Stack(), a.Mode), brokers)
	if err != nil {
		return nil, fmt.Errorf("redpanda cluster %q: %w", name, err)
	}

	c := &RedpandaCluster{Properties: ClusterProperties(a.Topology())}
	if err := ctx.RegisterComponentResource(TypeToken, name, c, opts...); err != nil {
		return nil, fmt.Errorf("redpanda cluster %q: register component: %w", name, err)
	}
	switch a.Mode {
	case ModeKubernetes:
		dep, err := deployKubernetes(ctx, c, name, a, brokers)
		if err != nil {
			return nil, fmt.Errorf("redpanda cluster %q: %w", name, err)
		}
		c.setOutputs(ctx, ClusterEndpoints(brokers), profile, dep.readyDeps())
		c.NetworkName = plainString(ctx, "")
		c.PodTemplateHash = dep.templateHash
	default:
		dep, err := deployDocker(ctx, c, name, a, brokers)
		if err != nil {
			return nil, fmt.Errorf("redpanda cluster %q: %w", name, err)
		}
		c.setOutputs(ctx, ClusterEndpoints(brokers), profile, dep.readyDeps())
		c.NetworkName = dep.network.Name
		c.PodTemplateHash = plainString(ctx, "")
	}

	if err := ctx.RegisterResourceOutputs(c, c.outputMap()); err != nil {
		return nil, fmt.Errorf("redpanda cluster %q: register outputs: %w", name, err)
	}
	return c, nil
}

// setOutputs fills the outputs from the rendered endpoints. The values are
// known at preview; the dependencies on deps make consumers wait for them.
func (c *RedpandaCluster) setOutputs(ctx *pulumi.Context, e Endpoints, profile string, deps []pulumi.Resource) {
	// Outputs made from plain values belong to no program: the engine does
	// not wait for applies on them, so a consumer's apply could be cut off
	// when the program ends. Deriving them from an output of ctx ties them
	// (and everything applied to them) to the program's lifetime.
	anchor, resolve, _ := ctx.NewOutput()
	resolve(nil)
	arr := func(v []string) pulumi.StringArrayOutput {
		o := anchor.ApplyT(func(any) []string { return v }).(pulumi.StringArrayOutput)
		return pulumi.OutputWithDependencies(ctx.Context(), o, deps...).(pulumi.StringArrayOutput)
	}
	str := func(v string) pulumi.StringOutput {
		o := anchor.ApplyT(func(any) string { return v }).(pulumi.StringOutput)
		return pulumi.OutputWithDependencies(ctx.Context(), o, deps...).(pulumi.StringOutput)
	}
	c.InternalBootstrapServers = arr(e.InternalBootstrap)
	c.InternalBootstrap = str(strings.Join(e.InternalBootstrap, ","))
	c.ExternalBootstrapServers = arr(e.ExternalBootstrap)
	c.ExternalBootstrap = str(strings.Join(e.ExternalBootstrap, ","))
	c.SchemaRegistryInternalURLs = arr(e.SchemaRegistryInternal)
	c.SchemaRegistryExternalURLs = arr(e.SchemaRegistryExternal)
	c.AdminInternalURLs = arr(e.AdminInternal)
	c.AdminExternalURLs = arr(e.AdminExternal)
	c.MetricsTargets = arr(e.MetricsInternal)
	c.ExternalMetricsTargets = arr(e.MetricsExternal)
	c.MetricsPath = plainString(ctx, MetricsPath)
	c.RpkProfile = str(profile)
}

// plainString is a string output of ctx with no dependencies (see setOutputs).
func plainString(ctx *pulumi.Context, v string) pulumi.StringOutput {
	anchor, resolve, _ := ctx.NewOutput()
	resolve(nil)
	return anchor.ApplyT(func(any) string { return v }).(pulumi.StringOutput)
}

// outputMap names the outputs for RegisterResourceOutputs.
func (c *RedpandaCluster) outputMap() pulumi.Map {
	return pulumi.Map{
		"internalBootstrapServers":   c.InternalBootstrapServers,
		"internalBootstrap":          c.InternalBootstrap,
		"externalBootstrapServers":   c.ExternalBootstrapServers,
		"externalBootstrap":          c.ExternalBootstrap,
		"schemaRegistryInternalUrls": c.SchemaRegistryInternalURLs,
		"schemaRegistryExternalUrls": c.SchemaRegistryExternalURLs,
		"adminInternalUrls":          c.AdminInternalURLs,
		"adminExternalUrls":          c.AdminExternalURLs,
		"metricsTargets":             c.MetricsTargets,
		"externalMetricsTargets":     c.ExternalMetricsTargets,
		"metricsPath":                c.MetricsPath,
		"rpkProfile":                 c.RpkProfile,
		"networkName":                c.NetworkName,
	}
}
