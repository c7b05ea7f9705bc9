package stacks

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/marketbus/market-bus/components/cluster"
	"github.com/marketbus/market-bus/sdk/go/marketbus"
)

// healthGatedRollout reports whether a kubernetes cluster's pods are rolled by a
// RollingRestart (StatefulSet updateStrategy OnDelete): only when the provider can reach the
// admin API, i.e. it is explicitly published to the deployers. Otherwise nothing could roll
// OnDelete pods, so Kubernetes' RollingUpdate stays.
func healthGatedRollout(s Spec) bool {
	return s.Cluster.Mode == ModeKubernetes && s.Cluster.Listeners.Admin.Exposure == "external"
}

// deployRollingRestart registers the RollingRestart of a kubernetes cluster, after the
// StatefulSet (the cluster component) and the ClusterConfig, whose restartBrokers it takes:
// a changed pod template or a property that needs a restart restarts the brokers one at a
// time, each only once the cluster is healthy again. Pods are deleted through the Kubernetes
// API with the stack's kubernetes:kubeconfig (else KUBECONFIG or ~/.kube/config, as the
// Kubernetes provider does). It returns nil when the rollout is not health-gated.
func deployRollingRestart(ctx *pulumi.Context, s Spec, rp *cluster.RedpandaCluster, prov pulumi.ProviderResource,
	cc *marketbus.ClusterConfig, password pulumi.StringInput, deps []pulumi.Resource) (pulumi.Resource, error) {
	if rp == nil || !healthGatedRollout(s) {
		if s.Cluster.Mode == ModeKubernetes {
			_ = ctx.Log.Warn(fmt.Sprintf("no health-gated rolling restart: the admin API is internal (%s:cluster.listeners.admin.exposure), "+
				"so a changed pod template rolls the brokers under Kubernetes' RollingUpdate, which does not wait for "+
				"under-replicated partitions; publish the admin API to the deployers (exposure: external, sourceRanges) to gate it", Project), nil)
		}
		return nil, nil
	}
	brokers, _, err := cluster.Plan(clusterArgs(s, password))
	if err != nil {
		return nil, err
	}
	kcfg := config.New(ctx, "kubernetes")
	rr := &marketbus.RollingRestartArgs{
		Namespace:    pulumi.String(s.Cluster.Namespace),
		StatefulSet:  pulumi.String(cluster.StatefulSetName),
		RpcHosts:     pulumi.ToStringArray(cluster.RPCHosts(brokers)),
		TemplateHash: rp.PodTemplateHash,
		AdminUrls:    rp.AdminExternalURLs,
		AdminPath:    pulumi.StringPtr("the external admin listener (" + Project + ":cluster.listeners.admin, exposure external, limited by its sourceRanges)"),
	}
	if cc != nil {
		rr.RestartBrokers = cc.RestartBrokers
	}
	if kcfg.Get("kubeconfig") != "" {
		rr.Kubeconfig = kcfg.GetSecret("kubeconfig").ToStringPtrOutput()
	}
	if c := kcfg.Get("context"); c != "" {
		rr.KubeContext = pulumi.StringPtr(c)
	}
	res, err := marketbus.NewRollingRestart(ctx, "rolling-restart", rr, pulumi.Provider(prov), pulumi.DependsOn(append([]pulumi.Resource{rp}, deps...)))
	if err != nil {
		return nil, fmt.Errorf("registering the rolling restart: %w", err)
	}
	return res, nil
}
