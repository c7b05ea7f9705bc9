// Package nodepool provides the nodes the Redpanda brokers run on, and the
// nodeSelector and tolerations that put the brokers there: either a pool
// the platform team made (ModeExisting) or an EKS managed node group
// (ModeEKS) of an instance type checked against the broker node floor.
// Config is the pool as the market-bus:nodePool stack key spells it; Args
// adds what the caller wires in (the node count, AWS tags).
package nodepool

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/marketbus/market-bus/fielderr"
)

// TypeToken is the component's Pulumi type.
const TypeToken = "marketbus:cluster:NodePool"

// NodePool is a set of dedicated, labelled and tainted broker nodes.
type NodePool struct {
	pulumi.ResourceState

	// NodeSelector and Tolerations are what the brokers' pods need to run
	// on the pool, as plain values: they are known before anything is
	// created, so the cluster can validate them at preview.
	NodeSelector map[string]string
	Tolerations  []Toleration
	// NodeGroup is the managed node group (ModeEKS), nil otherwise.
	NodeGroup *eks.NodeGroup
	// LaunchTemplate gives the nodes their gp3 root volume (ModeEKS).
	LaunchTemplate *ec2.LaunchTemplate

	// NodeSelectorOutput and TolerationsOutput are the same values as
	// outputs that wait for the nodes.
	NodeSelectorOutput pulumi.StringMapOutput
	TolerationsOutput  pulumi.MapArrayOutput
}

// WaitFor lists what the brokers must wait for: the node group, if the
// pool made one (cluster.KubernetesArgs.WaitFor).
func (p *NodePool) WaitFor() []pulumi.Resource {
	if p.NodeGroup == nil {
		return nil
	}
	return []pulumi.Resource{p.NodeGroup}
}

// NewNodePool validates args and creates the pool. Nothing is registered
// when args are invalid.
func NewNodePool(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*NodePool, error) {
	if args == nil {
		return nil, fmt.Errorf("node pool %q: args are required", name)
	}
	a := args.withDefaults()
	if err := fielderr.Join(validateArgs(a)); err != nil {
		return nil, fmt.Errorf("node pool %q: invalid args:\n%w", name, err)
	}
	p := &NodePool{NodeSelector: a.NodeSelector(), Tolerations: a.Tolerations()}
	if err := ctx.RegisterComponentResource(TypeToken, name, p, opts...); err != nil {
		return nil, fmt.Errorf("node pool %q: register component: %w", name, err)
	}
	if a.Mode == ModeEKS {
		if err := p.deployEKS(ctx, name, a); err != nil {
			return nil, fmt.Errorf("node pool %q: %w", name, err)
		}
	}
	p.setOutputs(ctx)
	if err := ctx.RegisterResourceOutputs(p, pulumi.Map{
		"nodeSelector": p.NodeSelectorOutput,
		"tolerations":  p.TolerationsOutput,
	}); err != nil {
		return nil, fmt.Errorf("node pool %q: register outputs: %w", name, err)
	}
	return p, nil
}

// setOutputs derives the outputs from an output of ctx (so applies on them
// belong to the program) that depends on the node group, if any.
func (p *NodePool) setOutputs(ctx *pulumi.Context) {
	anchor, resolve, _ := ctx.NewOutput()
	resolve(nil)
	sel, tols := p.NodeSelector, p.Tolerations
	selOut := anchor.ApplyT(func(any) map[string]string { return sel }).(pulumi.StringMapOutput)
	tolOut := anchor.ApplyT(func(any) []map[string]any {
		out := make([]map[string]any, 0, len(tols))
		for _, t := range tols {
			out = append(out, map[string]any{"key": t.Key, "operator": t.Operator, "value": t.Value, "effect": t.Effect})
		}
		return out
	}).(pulumi.MapArrayOutput)
	deps := p.WaitFor()
	p.NodeSelectorOutput = pulumi.OutputWithDependencies(ctx.Context(), selOut, deps...).(pulumi.StringMapOutput)
	p.TolerationsOutput = pulumi.OutputWithDependencies(ctx.Context(), tolOut, deps...).(pulumi.MapArrayOutput)
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
