package stacks

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/marketbus/market-bus/components/cluster"
	"github.com/marketbus/market-bus/sdk/go/marketbus"
)

// deployBrokerSet registers the BrokerSet a kubernetes cluster's StatefulSet waits for: when
// cluster.brokers goes down, the engine updates the BrokerSet first, which decommissions the
// highest ordinals through the admin API, and only then shrinks the StatefulSet. It needs
// its own marketbus provider on the planned (plain) addresses: the stack's main provider
// takes the cluster's outputs, which wait for the StatefulSet, which would wait for it.
//
// With an internal admin API (the default) nothing is registered and a warning says that a
// decrease would then shrink the StatefulSet without decommissioning.
func deployBrokerSet(ctx *pulumi.Context, s Spec, login saslLogin) ([]pulumi.Resource, error) {
	brokers, ep, err := cluster.Plan(clusterArgs(s, login.password))
	if err != nil {
		return nil, err
	}
	if len(ep.AdminExternal) == 0 {
		_ = ctx.Log.Warn(fmt.Sprintf("no BrokerSet: the admin API is internal (%s:cluster.listeners.admin.exposure), so lowering "+
			"%s:cluster.brokers would shrink the StatefulSet without decommissioning the removed brokers first; publish the admin "+
			"API to the deployers (exposure: external, sourceRanges) to have them decommissioned", Project, Project), nil)
		return nil, nil
	}
	// The same login as the stack's main provider, a rotation's previous password included.
	prov, err := marketbus.NewProvider(ctx, "marketbus-brokers", providerArgs(s, endpoints{bootstrap: pulumi.ToStringArray(ep.ExternalBootstrap)}, login))
	if err != nil {
		return nil, fmt.Errorf("registering the broker set's provider: %w", err)
	}
	maxRF := s.Gate.ReplicationFactor
	for _, t := range s.Topics {
		maxRF = max(maxRF, t.ReplicationFactor)
	}
	set, err := marketbus.NewBrokerSet(ctx, "brokers", &marketbus.BrokerSetArgs{
		Brokers:              pulumi.Int(s.Cluster.Brokers),
		RpcHosts:             pulumi.ToStringArray(cluster.RPCHosts(brokers)),
		MaxReplicationFactor: pulumi.IntPtr(maxRF),
		AdminUrls:            pulumi.ToStringArray(ep.AdminExternal),
		AdminPath:            pulumi.StringPtr("the external admin listener (" + Project + ":cluster.listeners.admin, exposure external, limited by its sourceRanges)"),
	}, pulumi.Provider(prov))
	if err != nil {
		return nil, fmt.Errorf("registering the broker set: %w", err)
	}
	return []pulumi.Resource{set}, nil
}
